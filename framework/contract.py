"""Layer 3: validate a response body against a Pydantic model, reporting every mismatch at once.

Validation is strict (no coercion: ``"1"`` is not an integer) and forbids unknown fields,
whatever the model's own configuration says, and reads JSON numbers into ``Decimal``
fields without passing through ``float``.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from framework.errors import ContractViolation, Mismatch
from framework.redaction import Redactor

ModelT = TypeVar("ModelT", bound=BaseModel)

#: Longest received value shown per field (characters).
VALUE_CHARS = 60

_JSON_TYPE_NAMES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
    dict: "object",
    list: "array",
}


def field_path(location: tuple[int | str, ...]) -> str:
    """``("items", 0, "price")`` -> ``items[0].price``; the root is ``(body)``."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "(body)"


def _shown(value: Any, redactor: Redactor) -> str:
    kind = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
    text = redactor.text(json.dumps(value, ensure_ascii=False, default=str))
    if len(text) > VALUE_CHARS:
        text = text[: VALUE_CHARS - 1] + "…"
    return f"{text} ({kind})"


def _mismatch(error: Any, redactor: Redactor) -> Mismatch:
    path = field_path(tuple(error["loc"]))
    if error["type"] == "missing":
        return Mismatch(path=path, expected="a value (required field)", received="missing")
    if error["type"] == "extra_forbidden":
        return Mismatch(
            path=path, expected="no such field", received=_shown(error["input"], redactor)
        )
    expected = str(error["msg"]).removeprefix("Input should be ")
    return Mismatch(path=path, expected=expected, received=_shown(error["input"], redactor))


def format_mismatches(mismatches: tuple[Mismatch, ...]) -> str:
    """An aligned table: field path, expected, received; one row per mismatch."""
    rows = [("field path", "expected", "received")]
    rows += [(m.path, m.expected, m.received) for m in mismatches]
    path_width = max(len(row[0]) for row in rows)
    expected_width = max(len(row[1]) for row in rows)
    return "\n".join(
        f"  {path:<{path_width}}  {expected:<{expected_width}}  {received}".rstrip()
        for path, expected, received in rows
    )


def validate(model: type[ModelT], body: bytes, *, status: int, redactor: Redactor) -> ModelT:
    """Parse ``body`` as ``model``; raise one ContractViolation listing every mismatch."""
    __tracebackhide__ = True
    try:
        return model.model_validate_json(body or b"null", strict=True, extra="forbid")
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    if errors and errors[0]["type"] == "json_invalid":
        mismatches: tuple[Mismatch, ...] = (
            Mismatch(path="(body)", expected="a JSON document", received="not JSON"),
        )
    else:
        mismatches = tuple(_mismatch(error, redactor) for error in errors)
    count = len(mismatches)
    summary = (
        f"the {status} response body does not match {model.__name__}: "
        f"{count} mismatched field{'s' if count != 1 else ''}"
    )
    raise ContractViolation(summary, mismatches=mismatches, details=format_mismatches(mismatches))
