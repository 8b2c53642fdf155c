"""JSON in and out with money as Decimal: parsed exactly, rendered as JSON numbers."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

#: one cent: money and prices carry at most 2 decimal places
CENT = Decimal("0.01")
#: characters of a member name shown in a message about it
SHOWN_NAME = 40
#: a UTF-16 surrogate code point, which only an escape without its pair leaves in a string
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidJSONError(ValueError):
    """The bytes are not one unambiguous JSON document; the message says why, for the client."""


def _shown(name: str) -> str:
    """A member name as a message may quote it: ASCII only, and short."""
    return json.dumps(name[:SHOWN_NAME]) + ("…" if len(name) > SHOWN_NAME else "")


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise InvalidJSONError(f"the request body is not JSON: {name} is not a JSON value")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python's parser keeps the last of two equal names, so {"amount":10,"amount":999999}
    # would mean whatever the last one says; the ambiguity is refused instead.
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise InvalidJSONError(
                    f"the request body names {_shown(name)} more than once: give each field once"
                )
            seen.add(name)
    return document


def _lone_surrogate(document: Any) -> str | None:
    """Where a string of the document holds a lone surrogate (not valid Unicode), if anywhere.

    The parser turns a paired escape (``"\\ud83d\\ude00"``) into one character, so any
    surrogate left in a string came from an escape without its pair.
    """
    pending: list[tuple[Any, str]] = [(document, "the request body")]
    while pending:
        value, where = pending.pop()
        if isinstance(value, str) and _SURROGATE.search(value):
            return where
        if isinstance(value, dict):
            for name, item in value.items():
                if _SURROGATE.search(name):
                    return f"the member name {_shown(name)}"
                pending.append((item, f"the value of {_shown(name)}"))
        elif isinstance(value, list):
            pending.extend((item, where) for item in value)
    return None


def loads(raw: bytes) -> Any:
    """Parse one JSON document with every non-integer number as an exact Decimal (0.1 stays 0.1).

    A document that names a member twice in one object, or holds a string that is not valid
    Unicode (a lone surrogate escape such as ``"\\ud800"``), is refused as ambiguous.
    """
    try:
        document = json.loads(
            raw, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_object
        )
    except InvalidJSONError:
        raise
    except RecursionError:
        raise InvalidJSONError("the request body is nested too deeply") from None
    except ValueError as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidJSONError(f"the request body is not JSON: {exc}") from None
    where = _lone_surrogate(document)
    if where is not None:
        raise InvalidJSONError(
            f"{where} holds a lone surrogate escape (\\ud800 to \\udfff without its pair):"
            " text must be valid Unicode"
        )
    return document


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
