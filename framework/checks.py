"""A check of one answer recorded as data (which request, which field, what was expected).

A failed check raises :class:`CheckFailed` (an ``AssertionError``: a behaviour check) carrying
the :class:`Check`, so that a tool other than the failing test can evaluate it again against
a fresh answer to the same request (the replay of a failed scenario does). The framework's
own failures carry the same data: :func:`check_of` reads it from an ``UnexpectedStatus`` (the
answers that were asked for) or a ``ContractViolation`` (the rule each mismatched field broke).

Values are JSON values as the answer holds them: ``Decimal`` for numbers with a fraction,
``str``, ``int``, ``bool`` or ``None``; enumerations are compared by their value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from framework.errors import (
    ContractViolation,
    RetriesExhausted,
    TransportError,
    UnexpectedStatus,
)

#: A path into a JSON document: member names and list indexes.
JsonPath = tuple[str | int, ...]


class CheckKind(StrEnum):
    """What a check compares."""

    FIELD = "field"  #: one field of the answer's body equals a value
    COUNT = "count"  #: a list in the body holds so many items (those whose fields match)
    ANSWER = "answer"  #: the answer is one of the (status, code) pairs asked for
    CONTRACT = "contract"  #: the body obeys a rule of its model at each field that broke one
    USABLE = "usable"  #: an answer came back at all (not a transport failure or 429/5xx)


@dataclass(frozen=True, kw_only=True, slots=True)
class Check:
    """One check of the answer to the request ``request_id`` (its ``X-Request-ID``).

    - ``path``: the field (FIELD) or the list (COUNT) in the body;
    - ``expected``: the field's value (FIELD) or the number of items (COUNT);
    - ``where``: for COUNT, only the items whose fields (path, value) hold these values;
    - ``answers``: for ANSWER, the accepted (status, code) pairs, code ``None``: any body;
    - ``rules``: for CONTRACT, (field path, rule) for each field that broke its model, the
      rule a mapping such as ``{"type": "number"}``, ``{"absent": True}``, ``{"pattern": …}``.
    """

    kind: CheckKind
    request_id: str
    path: JsonPath = ()
    expected: Any = None
    where: tuple[tuple[JsonPath, Any], ...] = ()
    answers: tuple[tuple[int, str | None], ...] = ()
    rules: tuple[tuple[JsonPath, Mapping[str, Any]], ...] = ()

    @classmethod
    def field(cls, request_id: str, path: JsonPath, expected: object) -> Check:
        """The answer's field at ``path`` equals ``expected``."""
        return cls(
            kind=CheckKind.FIELD, request_id=request_id, path=path, expected=json_value(expected)
        )

    @classmethod
    def count(
        cls,
        request_id: str,
        path: JsonPath,
        expected: int,
        where: Mapping[str, object] | None = None,
    ) -> Check:
        """The list at ``path`` holds ``expected`` items (of those matching ``where``)."""
        return cls(
            kind=CheckKind.COUNT,
            request_id=request_id,
            path=path,
            expected=expected,
            where=tuple(((name,), json_value(value)) for name, value in (where or {}).items()),
        )

    @classmethod
    def answer(cls, request_id: str, answers: tuple[tuple[int, str | None], ...]) -> Check:
        """The answer is one of ``answers`` ((status, code); code ``None``: any body)."""
        ordered = sorted(answers, key=lambda pair: (pair[0], pair[1] or ""))
        return cls(kind=CheckKind.ANSWER, request_id=request_id, answers=tuple(ordered))


class CheckFailed(AssertionError):  # noqa: N818 - an assertion that failed, as pytest shows it
    """A behaviour check that did not hold; ``check`` says which, as data."""

    def __init__(self, message: str, check: Check) -> None:
        super().__init__(message)
        self.check = check


def json_value(value: object) -> Any:
    """A value as the JSON answer holds it: an enumeration by its value, lists item by item."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def check_of(error: BaseException, request_id: str) -> Check | None:
    """The check a framework error amounts to, or None when it carries none."""
    if isinstance(error, UnexpectedStatus):
        answers: list[tuple[int, str | None]] = [(status, None) for status in error.expected]
        answers += [(status, code) for status, code in error.refusals]
        return Check.answer(request_id, tuple(answers))
    if isinstance(error, ContractViolation):
        return Check(
            kind=CheckKind.CONTRACT,
            request_id=request_id,
            rules=tuple((mismatch.location, mismatch.rule) for mismatch in error.mismatches),
        )
    if isinstance(error, RetriesExhausted | TransportError):
        return Check(kind=CheckKind.USABLE, request_id=request_id)
    return error.check if isinstance(error, CheckFailed) else None
