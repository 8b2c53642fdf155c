"""Layer 3: validate a response body against a Pydantic model, reporting every mismatch at once.

Validation is strict (no coercion: ``"1"`` is not an integer) and forbids unknown fields,
whatever the model's own configuration says, and reads JSON numbers into ``Decimal``
fields without passing through ``float``.
"""

from __future__ import annotations

import json
import re
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


#: Pydantic's type errors -> the JSON type the field must have.
_TYPE_ERRORS = {
    "string_type": "string",
    "int_type": "integer",
    "int_from_float": "integer",
    "int_parsing": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "decimal_type": "number",
    "decimal_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "list_type": "array",
    "none_required": "null",
}
#: Pydantic's bound errors -> the rule's name, read from the error's context.
_BOUNDS = ("gt", "ge", "lt", "le", "decimal_places", "min_length", "max_length")


def rule_of(error: Any) -> dict[str, Any]:
    """The rule one Pydantic error says a field broke, as data a replay can check again.

    ``{"present": True}``, ``{"absent": True}``, ``{"type": "number"}``, ``{"enum": [...]}``,
    ``{"pattern": "..."}``, a bound (``{"gt": 0}``, ``{"decimal_places": 2}`` …), or
    ``{"message": "..."}`` for a rule only the model can check. A validator of the model's
    own tells its rule through the context of the error it raises: ``json_type`` or
    ``pattern``.
    """
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return {"present": True}
    if kind == "extra_forbidden":
        return {"absent": True}
    if kind in _TYPE_ERRORS:
        return {"type": _TYPE_ERRORS[kind]}
    if "json_type" in context:
        return {"type": str(context["json_type"])}
    if kind in ("enum", "literal_error"):
        return {"enum": re.findall(r"'((?:[^'\\]|\\.)*)'", str(context.get("expected", "")))}
    if "pattern" in context:
        return {"pattern": str(context["pattern"])}
    bounds = {name: context[name] for name in _BOUNDS if name in context}
    if bounds:
        return {name: str(value) for name, value in bounds.items()}
    return {"message": str(error["msg"])}


def _mismatch(error: Any, redactor: Redactor) -> Mismatch:
    location = tuple(error["loc"])
    path = field_path(location)
    rule = rule_of(error)
    if error["type"] == "missing":
        expected, received = "a value (required field)", "missing"
    elif error["type"] == "extra_forbidden":
        expected, received = "no such field", _shown(error["input"], redactor)
    else:
        expected = str(error["msg"]).removeprefix("Input should be ")
        received = _shown(error["input"], redactor)
    return Mismatch(path=path, expected=expected, received=received, location=location, rule=rule)


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
            Mismatch(
                path="(body)", expected="a JSON document", received="not JSON", rule={"json": True}
            ),
        )
    else:
        mismatches = tuple(_mismatch(error, redactor) for error in errors)
    count = len(mismatches)
    summary = (
        f"the {status} response body does not match {model.__name__}: "
        f"{count} mismatched field{'s' if count != 1 else ''}"
    )
    raise ContractViolation(summary, mismatches=mismatches, details=format_mismatches(mismatches))
