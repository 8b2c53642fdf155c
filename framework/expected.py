"""What a caller accepts as the answer to a request: statuses, and refusals as (status, code).

An API refuses with a status and an error code, and many codes share a status with trouble on
the way (a gateway's 429, a 409 while a key is in flight). So a refusal the caller accepts is a
pair, both from the contract: ``(422, "INSUFFICIENT_FUNDS")``. The framework knows no API's
codes; the caller hands it an ``ErrorCodes`` hook that says how to read the code in an error
body and which statuses the contract gives each code. The same hook tells an answer that
breaks the contract (a known code with a status the contract does not give it) from one that
is merely not the one asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import BaseModel

from framework.errors import ConfigurationError

#: A refusal a caller accepts: a status and an error code, both from the contract.
Refusal = tuple[int, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class ErrorCodes:
    """How one API's error answers are read (the hook that keeps the framework API-agnostic).

    ``read`` gives the code an error body carries, or ``None`` (not JSON, no code: a
    gateway's page); ``statuses`` is the contract's table of every code and the statuses it
    may come with; ``model``, if given, is the error body's model, checked on every refusal
    a caller accepts.
    """

    read: Callable[[bytes], str | None]
    statuses: Mapping[str, frozenset[int]]
    model: type[BaseModel] | None = None

    def drift(self, status: int, code: str | None) -> frozenset[int] | None:
        """The statuses the contract gives ``code``, when ``status`` is not one of them."""
        if code is None or code not in self.statuses:
            return None
        allowed = self.statuses[code]
        return None if status in allowed else allowed


@dataclass(frozen=True, kw_only=True, slots=True)
class Expected:
    """The answers one request may end with; any other answer is not what the caller asked for.

    ``statuses`` maps each status accepted whatever its body to the body's model (``None``:
    unchecked); ``refusals`` are the (status, code) pairs accepted, read through ``codes``.
    """

    statuses: Mapping[int, type[BaseModel] | None] = field(
        default_factory=lambda: MappingProxyType({})
    )
    refusals: frozenset[Refusal] = frozenset()
    codes: ErrorCodes | None = None

    @classmethod
    def of(
        cls,
        statuses: Mapping[int, type[BaseModel] | None] | None = None,
        refusals: Collection[Refusal] = (),
        codes: ErrorCodes | None = None,
    ) -> Expected:
        """The expected answers, checked: refusals need a hook to read their codes."""
        if refusals and codes is None:
            raise ConfigurationError(
                "refusals are (status, code) pairs: give the ErrorCodes hook that reads codes"
            )
        return cls(
            statuses=MappingProxyType(dict(statuses or {})),
            refusals=frozenset(refusals),
            codes=codes,
        )

    def code(self, body: bytes) -> str | None:
        """The error code of a body, as the hook reads it (``None`` without a hook)."""
        return self.codes.read(body) if self.codes is not None else None

    def refused_with(self, status: int, body: bytes) -> Refusal | None:
        """The accepted refusal this answer is, if it is one."""
        if not any(wanted == status for wanted, _ in self.refusals):
            return None
        code = self.code(body)
        if code is None or (status, code) not in self.refusals:
            return None
        return status, code

    def matches(self, status: int, body: bytes) -> bool:
        """Whether the answer is exactly one the caller asked for."""
        return status in self.statuses or self.refused_with(status, body) is not None

    def describe(self) -> str:
        """``201, or refused with 400 INVALID_QUANTITY, 422 INSUFFICIENT_FUNDS``."""
        shown = ", ".join(str(status) for status in sorted(self.statuses))
        refusals = ", ".join(f"{status} {code}" for status, code in sorted(self.refusals))
        if not refusals:
            return shown or "a 2xx status"
        return f"{shown}, or refused with {refusals}" if shown else f"refused with {refusals}"
