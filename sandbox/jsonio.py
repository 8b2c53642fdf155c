"""JSON in and out with money as Decimal: parsed exactly, rendered as JSON numbers."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

#: one cent: money and prices carry at most 2 decimal places
CENT = Decimal("0.01")


class InvalidJSONError(ValueError):
    """The bytes are not a JSON document."""


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise InvalidJSONError(f"{name} is not a JSON value")


def loads(raw: bytes) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal (0.1 stays 0.1)."""
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidJSONError(str(exc)) from None


def _encode(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(format(value, "f"))
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(encode_basestring(key))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot render {type(value).__name__} as JSON")


def dumps(value: Any) -> bytes:
    """Render JSON with Decimals as numbers written out in full (190.00, never 1.9E+2)."""
    out: list[str] = []
    _encode(value, out)
    return "".join(out).encode()


def _canonical(value: Any) -> Any:
    # Tag every scalar with its JSON type so that true never equals 1, and write numbers
    # normalised so that 100, 100.0 and 100.00 are one value.
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | Decimal):
        return ["n", str(Decimal(value).normalize())]
    return ["s", value]


def fingerprint(*parts: Any) -> str:
    """A digest equal for equal JSON values: key order and number spelling do not matter."""
    text = json.dumps(_canonical(list(parts)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
