"""The drift check, table-driven: each kind of difference in a doctored copy of a real document."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox import openapi
from sandbox.api import OPERATIONS
from tests.trust.commands import python_module
from trust.drift import Difference, compare, explained

Document = dict[str, Any]


@pytest.fixture(scope="module")
def sandbox_document() -> Document:
    """The sandbox's own document, as `GET /openapi.json` serves it."""
    document: Document = json.loads(json.dumps(openapi.build(OPERATIONS)))
    return document


def unexplained(document: Document) -> list[Difference]:
    return [difference for difference in compare(document) if explained(difference) is None]


def test_the_sandboxs_document_has_only_explained_differences(sandbox_document: Document) -> None:
    differences = compare(sandbox_document)
    assert unexplained(sandbox_document) == []
    assert {(d.schema, d.field) for d in differences} == {
        ("Error", "code"),
        ("StatusFault", "retry_after"),
    }


def _props(document: Document, schema: str) -> dict[str, Any]:
    properties: dict[str, Any] = document["components"]["schemas"][schema]["properties"]
    return properties


def _required(document: Document, schema: str) -> list[str]:
    required: list[str] = document["components"]["schemas"][schema]["required"]
    return required


def extra_field(d: Document) -> None:
    _props(d, "Account")["nickname"] = {"type": "string"}


def missing_field(d: Document) -> None:
    del _props(d, "Quote")["volume"]
    _required(d, "Quote").remove("volume")


def optional_field(d: Document) -> None:
    _required(d, "Payment").remove("method")


def wrong_type(d: Document) -> None:
    _props(d, "Order")["quantity"] = {"type": "string"}


def wrong_enum(d: Document) -> None:
    _props(d, "Order")["side"] = {"type": "string", "enum": ["BUY", "SELL", "SHORT"]}


def lost_enum(d: Document) -> None:
    _props(d, "Notification")["type"] = {"type": "string"}


def nullable(d: Document) -> None:
    _props(d, "Order")["created_at"] = {"type": ["string", "null"], "format": "date-time"}


def not_nullable(d: Document) -> None:
    _props(d, "Order")["filled_at"] = {"type": "string", "format": "date-time"}


def wrong_items(d: Document) -> None:
    _props(d, "Account")["positions"] = {"type": "array", "items": {"type": "string"}}


def other_reference(d: Document) -> None:
    _props(d, "Quotes")["quotes"]["items"] = {"$ref": "#/components/schemas/Order"}


def error_code_unknown_to_models(d: Document) -> None:
    responses = d["paths"]["/orders"]["post"]["responses"]
    responses["422"]["content"]["application/json"]["schema"]["allOf"][1]["properties"]["code"][
        "enum"
    ].append("MARKET_CLOSED")


def unpaired_response(d: Document) -> None:
    d["components"]["schemas"]["Receipt"] = {"type": "object", "properties": {}}
    d["paths"]["/receipts"] = {
        "get": {
            "responses": {
                "200": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
                    }
                }
            }
        }
    }


def missing_schema(d: Document) -> None:
    del d["components"]["schemas"]["Clock"]


CASES: list[tuple[Callable[[Document], None], list[tuple[str, str, str, str, str]]]] = [
    (
        extra_field,
        [("Account", "nickname", "field", "optional", "absent (unknown fields are refused)")],
    ),
    (missing_field, [("Quote", "volume", "field", "absent", "required")]),
    (optional_field, [("Payment", "method", "required", "optional", "required")]),
    (wrong_type, [("Order", "quantity", "type", "string", "integer")]),
    (wrong_enum, [("Order", "side", "enum", "SHORT", "none")]),
    (
        lost_enum,
        [
            (
                "Notification",
                "type",
                "enum",
                "any value",
                "DEPOSIT_COMPLETED, ORDER_CANCELLED, ORDER_FILLED, WITHDRAWAL_COMPLETED",
            )
        ],
    ),
    (nullable, [("Order", "created_at", "nullable", "may be null", "never null")]),
    (not_nullable, [("Order", "filled_at", "nullable", "never null", "may be null")]),
    (
        wrong_items,
        [
            ("Account", "positions[]", "type", "string", "object"),
            ("Account", "positions[]", "schema", "", "Position"),
        ],
    ),
    (other_reference, [("Quotes", "quotes[]", "schema", "Order", "Quote")]),
    (
        error_code_unknown_to_models,
        [("Error", "code", "enum", "INTERNAL_ERROR, MARKET_CLOSED", "none")],
    ),
    (
        unpaired_response,
        [
            (
                "Receipt",
                "",
                "schema",
                "the response of GET /receipts 200",
                "no model is paired with it",
            )
        ],
    ),
    (missing_schema, [("Clock", "", "schema", "absent", "Clock expects it")]),
]


@pytest.mark.parametrize(("doctor", "expected"), CASES, ids=[case[0].__name__ for case in CASES])
def test_each_kind_of_difference_is_listed(
    sandbox_document: Document,
    doctor: Callable[[Document], None],
    expected: list[tuple[str, str, str, str, str]],
) -> None:
    document = copy.deepcopy(sandbox_document)
    doctor(document)
    found = [(d.schema, d.field, d.kind, d.document, d.model) for d in unexplained(document)]
    assert found == expected


def test_the_command_exits_non_zero_and_lists_the_differences(
    sandbox_document: Document, tmp_path: Path
) -> None:
    document = copy.deepcopy(sandbox_document)
    wrong_type(document)
    missing_field(document)
    saved = tmp_path / "openapi.json"
    saved.write_text(json.dumps(document))
    done = python_module("trust", "drift", "--file", str(saved))
    assert done.returncode == 1
    assert "Order.quantity: type differs — document: string; models: integer" in done.stdout
    assert "Quote.volume: field differs — document: absent; models: required" in done.stdout
    assert "2 difference(s), 2 explained" in done.stdout


def test_a_file_that_is_not_a_document_is_one_clear_line(tmp_path: Path) -> None:
    saved = tmp_path / "openapi.json"
    saved.write_text("<html>")
    done = python_module("trust", "drift", "--file", str(saved))
    assert done.returncode == 2
    assert done.stderr == f"trust: {saved} is not JSON: expected an OpenAPI 3 document\n"
