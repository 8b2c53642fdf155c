"""What a customer's action came to: the resource it produced, or the API's refusal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from framework.client import ApiResponse
from framework.errors import SuiteDefectError
from models.common import ErrorBody, ErrorCode

ResultT = TypeVar("ResultT")


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome(Generic[ResultT]):
    """The answer to one action, named in business words (``"order"``, ``"deposit"`` …).

    Exactly one of ``result`` and ``error`` is set, except for actions that answer nothing
    (signing out), where both are ``None`` and ``accepted`` tells success. ``status`` is the
    answer's status and ``attempts`` how many tries the client needed to get it.
    """

    action: str
    accepted: bool
    result: ResultT | None
    error: ErrorBody | None
    headers: Mapping[str, str]
    status: int
    attempts: int

    @classmethod
    def of(cls, action: str, response: ApiResponse) -> Outcome[Any]:
        """Read a response whose status was declared: an ``ErrorBody`` model means refused."""
        model = response.model
        refused = isinstance(model, ErrorBody)
        return cls(
            action=action,
            accepted=not refused,
            result=None if refused else cast(Any, model),
            error=model if isinstance(model, ErrorBody) else None,
            headers=dict(response.headers),
            status=response.status,
            attempts=len(response.attempts),
        )

    def header(self, name: str) -> str | None:
        """A response header, whatever the case of its name."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    @property
    def value(self) -> ResultT:
        """The resource produced; a refusal fails the scenario with the API's reason."""
        __tracebackhide__ = True
        return self.check()

    def check(self) -> ResultT:
        """Fail the scenario with the API's reason unless the action was accepted."""
        __tracebackhide__ = True
        if self.error is not None:
            raise AssertionError(
                f"the {self.action} was refused with reason {self.error.code}: "
                f"{self.error.message} (request {self.error.request_id})"
            )
        assert self.result is not None, f"the {self.action} answered no resource"
        return self.result

    def about(self, action: str) -> None:
        """Check that a step speaking of ``action`` reads this outcome (else the step is wrong)."""
        if action != self.action:
            raise SuiteDefectError(
                f"the step speaks of the {action}, but the last action was the {self.action}"
            )

    def refusal(self, action: str, code: ErrorCode) -> ErrorBody:
        """The error, checked to be about ``action`` and to carry ``code``.

        Its status needs no check here: the client accepted the refusal only with the status
        the contract gives its code.
        """
        __tracebackhide__ = True
        self.about(action)
        if self.error is None:
            raise AssertionError(
                f"the {self.action} was expected to be refused with reason {code}, "
                f"but it was accepted: {self.result!r}"
            )
        assert self.error.code == code, (
            f"the {self.action} was refused with reason {self.error.code} "
            f"({self.status}, {self.error.message}), expected {code}"
        )
        return self.error
