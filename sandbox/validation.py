"""Input validation: each bad value is a 400 with the field's own code and a clear message."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sandbox.errors import invalid
from sandbox.jsonio import CENT
from sandbox.service import PageRequest, decode_cursor

#: `?limit=` bounds and default
PAGE_LIMIT_MAX = 100
PAGE_LIMIT_DEFAULT = 50

SYMBOL = re.compile(r"[A-Z]{1,5}")
#: 1..255 printable ASCII characters
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")


def known_fields(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """The mass-assignment guard: any field not in `allowed` is 400 UNKNOWN_FIELD."""
    for name in body:
        if name not in allowed:
            raise invalid(
                "UNKNOWN_FIELD",
                name,
                f"{name} is not a field of this request (allowed: {', '.join(allowed)})",
            )


def as_integer(value: Any, minimum: int, maximum: int) -> int | None:
    """A JSON integer within bounds, else None.

    As in JSON Schema, a number with a zero fraction (`10.0`) is an integer; true and
    false are not numbers.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if not minimum <= value <= maximum:
        return None
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return None
    return int(value)


def integer(value: Any, *, field: str, code: str, minimum: int, maximum: int) -> int:
    """A JSON integer within bounds."""
    number = as_integer(value, minimum, maximum)
    if number is None:
        raise invalid(code, field, f"{field} must be an integer from {minimum} to {maximum}")
    return number


def amount(value: Any, *, field: str, code: str, minimum: Decimal, maximum: Decimal) -> Decimal:
    """A JSON number within bounds with at most 2 decimal places, as a Decimal of cents."""
    message = f"{field} must be a number from {minimum} to {maximum} with at most 2 decimal places"
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise invalid(code, field, message)
    number = Decimal(value)
    # Compare first: quantize() of a huge number would overflow the context's precision.
    if not number.is_finite() or not minimum <= number <= maximum:
        raise invalid(code, field, message)
    if number != number.quantize(CENT):
        raise invalid(code, field, message)
    return number.quantize(CENT)


def choice(value: Any, *, field: str, code: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of strings."""
    if value not in choices or not isinstance(value, str):
        raise invalid(code, field, f"{field} must be one of {', '.join(choices)}")
    return value


def symbol(value: Any, *, field: str = "symbol") -> str:
    """A ticker symbol: 1 to 5 capital letters."""
    if not isinstance(value, str) or not SYMBOL.fullmatch(value):
        shown = repr(value)[:20]
        raise invalid(
            "INVALID_SYMBOL", field, f"{field}: {shown} is not 1 to 5 capital letters A-Z"
        )
    return value


def page_request(query: Mapping[str, str], kind: str) -> PageRequest:
    """`?limit=` (1..100, default 50) and `?cursor=`; else 400 INVALID_PAGINATION."""
    limit = PAGE_LIMIT_DEFAULT
    raw = query.get("limit")
    if raw is not None:
        if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= PAGE_LIMIT_MAX:
            raise invalid(
                "INVALID_PAGINATION",
                "limit",
                f"limit must be an integer from 1 to {PAGE_LIMIT_MAX}",
            )
        limit = int(raw)
    cursor = query.get("cursor")
    return PageRequest(
        limit=limit, before_seq=None if cursor is None else decode_cursor(kind, cursor)
    )
