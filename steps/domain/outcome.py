"""What a customer's action came to: the resource it produced, or the API's refusal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from framework.checks import Check, CheckFailed
from framework.client import ApiResponse
from framework.errors import SuiteDefectError
from models.common import ERROR_STATUSES, ErrorBody, ErrorCode

ResultT = TypeVar("ResultT")


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome(Generic[ResultT]):
    """The answer to one action, named in business words (``"order"``, ``"deposit"`` …).

    Exactly one of ``result`` and ``error`` is set, except for actions that answer nothing
    (signing out), where both are ``None`` and ``accepted`` tells success. ``status`` is the
    answer's status and ``attempts`` how many tries the client needed to get it.
    ``request_id`` names the request (its ``X-Request-ID``) and ``ok`` the statuses that
    accept the action, so that a failed check can say as data which answer it read.
    """

    action: str
    accepted: bool
    result: ResultT | None
    error: ErrorBody | None
    headers: Mapping[str, str]
    status: int
    attempts: int
    request_id: str
    ok: tuple[int, ...]

    @classmethod
    def of(cls, action: str, response: ApiResponse, *, ok: tuple[int, ...]) -> Outcome[Any]:
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
            request_id=response.request_id,
            ok=ok,
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
        self.expect_accepted()
        assert self.result is not None, f"the {self.action} answered no resource"
        return self.result

    def expect_accepted(self) -> None:
        """Fail the scenario with the API's reason unless the action was accepted (also for
        an action that answers nothing); recorded as data: the statuses that accept it."""
        __tracebackhide__ = True
        if self.error is not None:
            raise CheckFailed(
                f"the {self.action} was refused with reason {self.error.code}: "
                f"{self.error.message} (request {self.error.request_id})",
                Check.answer(self.request_id, tuple((status, None) for status in self.ok)),
            )

    def expect(self, path: str, expected: object, message: str) -> None:
        """Fail with ``message`` unless the answer's field at ``path`` holds ``expected``.

        ``path`` is dotted (``balance``, ``positions.0.symbol``, ``quotes.*.symbol`` for
        that field of every item, compared with a list); the check is recorded as
        data (which answer, which field, which value) for a replay of the scenario.
        """
        __tracebackhide__ = True
        location = _location(path)
        if self.field(location) != expected:
            raise CheckFailed(message, Check.field(self.request_id, location, expected))

    def expect_count(
        self, path: str, expected: int, message: str, where: Mapping[str, object] | None = None
    ) -> None:
        """Fail with ``message`` unless the list at ``path`` holds ``expected`` items, of
        those whose fields hold the values of ``where``; recorded as data like ``expect``."""
        __tracebackhide__ = True
        if self.count(path, where) != expected:
            raise CheckFailed(
                message, Check.count(self.request_id, _location(path), expected, where)
            )

    def count(self, path: str, where: Mapping[str, object] | None = None) -> int:
        """How many items the list at ``path`` holds, of those whose fields hold ``where``."""
        __tracebackhide__ = True
        items = self.field(_location(path))
        wanted = (where or {}).items()
        return sum(1 for item in items if all(getattr(item, k) == v for k, v in wanted))

    def field(self, location: tuple[str | int, ...]) -> Any:
        """The value at a path of the resource produced (the action must have been accepted);
        ``*`` takes the rest of the path in every item of a list (``quotes.*.symbol``)."""
        __tracebackhide__ = True
        return _at(self.check(), location)

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
        wanted = Check.answer(
            self.request_id, tuple((status, str(code)) for status in sorted(ERROR_STATUSES[code]))
        )
        if self.error is None:
            raise CheckFailed(
                f"the {self.action} was expected to be refused with reason {code}, "
                f"but it was accepted ({self.status})",
                wanted,
            )
        if self.error.code != code:
            raise CheckFailed(
                f"the {self.action} was refused with reason {self.error.code} "
                f"({self.status}, {self.error.message}), expected {code}",
                wanted,
            )
        return self.error


def _at(value: Any, location: tuple[str | int, ...]) -> Any:
    for position, part in enumerate(location):
        if part == "*":
            return [_at(item, location[position + 1 :]) for item in value]
        value = value[part] if isinstance(part, int) else getattr(value, part)
    return value


def _location(path: str) -> tuple[str | int, ...]:
    """``positions.0.symbol`` -> ``("positions", 0, "symbol")``."""
    return tuple(int(part) if part.isdigit() else part for part in path.split("."))
