"""The drift check: the target's OpenAPI document against the suite's models, before any run.

Each response schema of the document is paired with the model the suite validates that
answer with (`SCHEMA_MODELS`, by schema name; every 2xx response of every operation must
reach a paired schema, else that operation is reported as unchecked). For each pair the
check lists every difference a run would trip over or miss:

- a field the document has and the model lacks (the model forbids unknown fields);
- a field the model has and the document lacks, or requires where the document does not;
- a JSON type that differs (`number` vs `string` …), an enum that differs, a nullable
  mismatch, an array of something else, a reference to another schema.

An enum a response narrows in place (`allOf: [{$ref: Error}, {properties: {code: {enum:
[…]}}}]`, how each operation lists its error codes) counts as that schema's enum: the
union of every operation's list is compared with the model's.

Validation rules (patterns, bounds) are not compared: the models hold the contract's
rules and the document may state fewer. Request bodies have no models (the suite writes
them from the contract) and are not compared.

`EXPLAINED` lists the differences the sandbox's own document is known to have, each with
its reason; they are shown but do not fail the check, and only while they stay exactly
as recorded.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, SecretStr

from models.accounts import AccessToken, Account, Position
from models.common import ErrorBody
from models.health import Health
from models.market import Quote, Quotes
from models.notifications import Notification, NotificationPage
from models.orders import Order, OrderPage
from models.payments import Payment, PaymentPage
from models.sandbox import (
    Clock,
    DelayFault,
    DropResponseFault,
    FaultList,
    FaultRecord,
    RateLimit,
    ResetFault,
    StatusFault,
)

#: the OpenAPI schema (components/schemas name) each model stands for
SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "Error": ErrorBody,
    "Health": Health,
    "Token": AccessToken,
    "Account": Account,
    "Position": Position,
    "Quote": Quote,
    "Quotes": Quotes,
    "Order": Order,
    "OrderPage": OrderPage,
    "Payment": Payment,
    "PaymentPage": PaymentPage,
    "Notification": Notification,
    "NotificationPage": NotificationPage,
    "Fault": FaultRecord,
    "FaultList": FaultList,
    "StatusFault": StatusFault,
    "DelayFault": DelayFault,
    "ResetFault": ResetFault,
    "DropResponseFault": DropResponseFault,
    "Clock": Clock,
    "RateLimit": RateLimit,
}
_MODEL_NAMES = {model: name for name, model in SCHEMA_MODELS.items()}

#: (schema, field, kind, document, models) -> why the difference is expected
EXPLAINED: dict[tuple[str, str, str, str, str], str] = {
    ("Error", "code", "enum", "INTERNAL_ERROR", "none"): (
        "the sandbox answers an unexpected error with 500 INTERNAL_ERROR, a choice where the"
        " contract is silent; the suite never validates a 500's body (a 500 is an unexpected"
        " status, a product defect)"
    ),
    ("StatusFault", "retry_after", "type", "integer | string", "string"): (
        "the fault schemas describe the control's request and its answer at once: a request"
        " may give retry_after as a number, the answer always carries it as text"
    ),
}
_REF = "#/components/schemas/"


@dataclass(frozen=True, kw_only=True)
class Shape:
    """What a field may hold, in JSON terms, from either side."""

    types: frozenset[str]
    nullable: bool = False
    enum: frozenset[str] | None = None
    refs: frozenset[str] = frozenset()
    items: Shape | None = None


@dataclass(frozen=True, kw_only=True)
class Difference:
    """One difference between the document and the models."""

    schema: str
    field: str
    kind: str  #: "field" | "required" | "type" | "enum" | "nullable" | "schema"
    document: str
    model: str

    def __str__(self) -> str:
        where = f"{self.schema}.{self.field}" if self.field else self.schema
        if self.kind == "enum" and self.document != "any value" and self.model != "any value":
            return (
                f"{where}: enum differs — only in the document: {self.document};"
                f" only in the models: {self.model}"
            )
        return f"{where}: {self.kind} differs — document: {self.document}; models: {self.model}"


# --- the models' side ------------------------------------------------------------------


def _json_value(value: Any) -> str:
    return json.dumps(value.value if isinstance(value, Enum) else value)


def model_shape(annotation: Any) -> Shape:
    """The JSON shape of a model field's annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return model_shape(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        shapes = [model_shape(arg) for arg in members]
        merged = _merge(shapes)
        nullable = len(members) < len(typing.get_args(annotation)) or merged.nullable
        return dataclasses.replace(merged, nullable=nullable)
    if origin is Literal:
        values = typing.get_args(annotation)
        return Shape(
            types=frozenset(_json_type(value) for value in values),
            enum=frozenset(_json_value(value) for value in values),
        )
    if origin is list:
        return Shape(types=frozenset({"array"}), items=model_shape(typing.get_args(annotation)[0]))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            name = _MODEL_NAMES.get(annotation, annotation.__name__)
            return Shape(types=frozenset({"object"}), refs=frozenset({name}))
        if issubclass(annotation, Enum):
            members = [member.value for member in annotation]
            return Shape(
                types=frozenset(_json_type(value) for value in members),
                enum=frozenset(_json_value(value) for value in members),
            )
        if annotation is AwareDatetime or issubclass(annotation, datetime | str | SecretStr):
            return Shape(types=frozenset({"string"}))
        if issubclass(annotation, bool):
            return Shape(types=frozenset({"boolean"}))
        if issubclass(annotation, int):
            return Shape(types=frozenset({"integer"}))
        if issubclass(annotation, Decimal | float):
            return Shape(types=frozenset({"number"}))
    raise TypeError(f"no JSON shape known for {annotation!r}")


def _json_type(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "number"
    if value is None:
        return "null"
    return "string"


def _merge(shapes: list[Shape]) -> Shape:
    enums = [shape.enum for shape in shapes]
    enum = None if any(e is None for e in enums) else frozenset().union(*enums)  # type: ignore[arg-type]
    items = next((shape.items for shape in shapes if shape.items is not None), None)
    return Shape(
        types=frozenset().union(*(shape.types for shape in shapes)),
        nullable=any(shape.nullable for shape in shapes),
        enum=enum,
        refs=frozenset().union(*(shape.refs for shape in shapes)),
        items=items,
    )


# --- the document's side ---------------------------------------------------------------


def document_shape(schema: Mapping[str, Any]) -> Shape:
    """The JSON shape an OpenAPI 3.1 (JSON Schema) property allows."""
    if "$ref" in schema:
        return Shape(types=frozenset({"object"}), refs=frozenset({_ref_name(schema["$ref"])}))
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            shapes = [document_shape(member) for member in schema[combinator]]
            merged = _merge([shape for shape in shapes if shape.types != {"null"}])
            nullable = any(shape.types == {"null"} or shape.nullable for shape in shapes)
            return dataclasses.replace(merged, nullable=nullable)
    if "allOf" in schema:
        return _merge([document_shape(member) for member in schema["allOf"]])
    declared = schema.get("type")
    names = set(declared if isinstance(declared, list) else [declared] if declared else [])
    enum: frozenset[str] | None = None
    if "const" in schema:
        enum = frozenset({_json_value(schema["const"])})
        names = names or {_json_type(schema["const"])}
    elif "enum" in schema:
        values = [value for value in schema["enum"] if value is not None]
        enum = frozenset(_json_value(value) for value in values)
        names = names or {_json_type(value) for value in values}
    nullable = "null" in names
    names.discard("null")
    items = document_shape(schema["items"]) if "items" in schema else None
    return Shape(types=frozenset(names), nullable=nullable, enum=enum, items=items)


def _ref_name(ref: str) -> str:
    return ref.removeprefix(_REF)


def response_schemas(document: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Each operation's success response: (`GET /path 200`, schema name or None if no body)."""
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                name = _ref_name(schema["$ref"]) if schema and "$ref" in schema else None
                if schema and name is None:
                    name = "(inline schema)"
                yield f"{method.upper()} {path} {status}", name


# --- the comparison --------------------------------------------------------------------


def _describe(shape: Shape, aspect: str) -> str:
    if aspect == "type":
        return " | ".join(sorted(shape.types)) or "any"
    if aspect == "enum":
        return "any value" if shape.enum is None else _listed(shape.enum)
    if aspect == "nullable":
        return "may be null" if shape.nullable else "never null"
    if aspect == "schema":
        return ", ".join(sorted(shape.refs))
    raise ValueError(aspect)


def compare_shapes(schema: str, field: str, document: Shape, model: Shape) -> list[Difference]:
    """Every way one field's shapes differ (items of arrays compared as `field[]`)."""
    found: list[Difference] = []
    if document.enum is not None and model.enum is not None and document.enum != model.enum:
        found.append(
            Difference(
                schema=schema,
                field=field,
                kind="enum",
                document=_listed(document.enum - model.enum),
                model=_listed(model.enum - document.enum),
            )
        )
    for aspect, differs in (
        ("type", document.types != model.types),
        ("enum", (document.enum is None) != (model.enum is None)),
        ("nullable", document.nullable != model.nullable),
        ("schema", document.refs != model.refs),
    ):
        if differs:
            found.append(
                Difference(
                    schema=schema,
                    field=field,
                    kind=aspect,
                    document=_describe(document, aspect),
                    model=_describe(model, aspect),
                )
            )
    if document.items is not None and model.items is not None:
        found += compare_shapes(schema, f"{field}[]", document.items, model.items)
    return found


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(value.strip('"') for value in values)) or "none"


def compare_schema(
    name: str,
    schema: Mapping[str, Any],
    model: type[BaseModel],
    refined: Mapping[str, frozenset[str]] | None = None,
) -> list[Difference]:
    """Every difference between one document schema and its model.

    ``refined`` gives, per field, the enum the document's responses narrow it to.
    """
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    found: list[Difference] = []
    for field, info in model.model_fields.items():
        if field not in properties:
            found.append(
                Difference(
                    schema=name,
                    field=field,
                    kind="field",
                    document="absent",
                    model="required" if info.is_required() else "optional",
                )
            )
            continue
        if info.is_required() != (field in required):
            found.append(
                Difference(
                    schema=name,
                    field=field,
                    kind="required",
                    document="required" if field in required else "optional",
                    model="required" if info.is_required() else "optional",
                )
            )
        shape = document_shape(properties[field])
        if refined and field in refined:
            shape = dataclasses.replace(shape, enum=refined[field])
        found += compare_shapes(name, field, shape, model_shape(info.annotation))
    for field in properties:
        if field not in model.model_fields:
            found.append(
                Difference(
                    schema=name,
                    field=field,
                    kind="field",
                    document="required" if field in required else "optional",
                    model="absent (unknown fields are refused)",
                )
            )
    return found


def refined_enums(document: Mapping[str, Any]) -> dict[str, dict[str, frozenset[str]]]:
    """Per schema and field, the union of the enums responses narrow it to with `allOf`."""
    found: dict[str, dict[str, set[str]]] = {}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for content in response.get("content", {}).values():
                    members = content.get("schema", {}).get("allOf", [])
                    refs = [_ref_name(m["$ref"]) for m in members if "$ref" in m]
                    for member in members:
                        for field, rule in member.get("properties", {}).items():
                            for ref in refs:
                                values = found.setdefault(ref, {}).setdefault(field, set())
                                values.update(_json_value(v) for v in rule.get("enum", ()))
    return {
        schema: {field: frozenset(values) for field, values in fields.items()}
        for schema, fields in found.items()
    }


def explained(difference: Difference) -> str | None:
    """Why a difference is expected, if it is one `EXPLAINED` records exactly."""
    key = (
        difference.schema,
        difference.field,
        difference.kind,
        difference.document,
        difference.model,
    )
    return EXPLAINED.get(key)


def compare(document: Mapping[str, Any]) -> list[Difference]:
    """Every difference between an OpenAPI document and the suite's models."""
    schemas: Mapping[str, Any] = document.get("components", {}).get("schemas", {})
    refined = refined_enums(document)
    found: list[Difference] = []
    for operation, name in response_schemas(document):
        if name is not None and name not in SCHEMA_MODELS:
            found.append(
                Difference(
                    schema=name,
                    field="",
                    kind="schema",
                    document=f"the response of {operation}",
                    model="no model is paired with it",
                )
            )
    for name, model in SCHEMA_MODELS.items():
        if name not in schemas:
            found.append(
                Difference(
                    schema=name,
                    field="",
                    kind="schema",
                    document="absent",
                    model=f"{model.__name__} expects it",
                )
            )
            continue
        found += compare_schema(name, schemas[name], model, refined.get(name))
    return found
