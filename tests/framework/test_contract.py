"""Contract validation: every mismatch listed, strictness, and the report layout (golden file)."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel

from framework.contract import field_path, validate
from framework.errors import ContractViolation
from framework.exchange import Attempt, RequestRecord, ResponseRecord
from framework.redaction import Redactor

GOLDEN = Path(__file__).parent / "golden" / "contract_violation.txt"


class Line(BaseModel):
    quantity: int
    price: Decimal


class Order(BaseModel):
    order_id: str
    side: Literal["buy", "sell"]
    lines: list[Line]
    created_at: datetime


BAD_ORDER = (
    b'{"order_id": 7, "side": "BUY", "lines": [{"quantity": "10", "price": 1.5},'
    b' {"price": "x"}], "created_at": "2026-11-27T10:30:00Z", "secret_flag": true}'
)


def violation(body: bytes = BAD_ORDER) -> ContractViolation:
    with pytest.raises(ContractViolation) as caught:
        validate(Order, body, status=201, redactor=Redactor())
    return caught.value


def test_every_mismatch_is_listed_with_expected_and_received() -> None:
    rows = [(m.path, m.expected, m.received) for m in violation().mismatches]
    assert rows == [
        ("order_id", "a valid string", "7 (integer)"),
        ("side", "'buy' or 'sell'", '"BUY" (string)'),
        ("lines[0].quantity", "a valid integer", '"10" (string)'),
        ("lines[1].quantity", "a value (required field)", "missing"),
        ("lines[1].price", "a valid decimal", '"x" (string)'),
        ("secret_flag", "no such field", "true (boolean)"),
    ]


def test_each_mismatch_carries_the_rule_it_broke_as_data() -> None:
    rules = [(m.location, m.rule) for m in violation().mismatches]
    assert rules == [
        (("order_id",), {"type": "string"}),
        (("side",), {"enum": ["buy", "sell"]}),
        (("lines", 0, "quantity"), {"type": "integer"}),
        (("lines", 1, "quantity"), {"present": True}),
        (("lines", 1, "price"), {"type": "number"}),
        (("secret_flag",), {"absent": True}),
    ]


def test_valid_body_gives_the_model_with_exact_decimals() -> None:
    order = validate(
        Order,
        b'{"order_id": "o1", "side": "buy", "lines": [{"quantity": 1, "price": 150.10}],'
        b' "created_at": "2026-11-27T10:30:00Z"}',
        status=201,
        redactor=Redactor(),
    )
    assert order.lines[0].price == Decimal("150.10")


def test_unknown_fields_are_refused_even_if_the_model_allows_them() -> None:
    class Lenient(BaseModel, extra="allow"):
        name: str

    with pytest.raises(ContractViolation, match="1 mismatched field"):
        validate(Lenient, b'{"name": "n", "other": 1}', status=200, redactor=Redactor())


def test_a_body_that_is_not_json() -> None:
    rows = [(m.path, m.expected, m.received) for m in violation(b"<html>").mismatches]
    assert rows == [("(body)", "a JSON document", "not JSON")]


def test_received_values_are_redacted() -> None:
    redactor = Redactor(["hunter2hunter2"])
    with pytest.raises(ContractViolation) as caught:
        validate(Line, b'{"quantity": "hunter2hunter2", "price": 1}', status=200, redactor=redactor)
    assert "hunter2hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("location", "path"),
    [((), "(body)"), (("a",), "a"), (("a", 0, "b"), "a[0].b"), ((2, "c"), "[2].c")],
)
def test_field_paths(location: tuple[int | str, ...], path: str) -> None:
    assert field_path(location) == path


def test_report_layout_matches_the_golden_file() -> None:
    failure = violation()
    failure.attach(
        request=RequestRecord(
            method="POST",
            url="http://127.0.0.1:8000/orders",
            headers={"Authorization": "Bearer [REDACTED]", "X-Request-ID": "req-1"},
            body='{"side": "buy"}',
        ),
        response=ResponseRecord(
            status=201,
            reason="Created",
            headers={"Content-Type": "application/json", "X-Request-ID": "req-1"},
            body=BAD_ORDER.decode(),
            elapsed_seconds=0.0123,
        ),
        attempts=(
            Attempt(
                number=1,
                outcome="503 Service Unavailable",
                reason="retried: server unavailable, on a keyed request",
                wait_seconds=0.25,
                elapsed_seconds=0.01,
            ),
            Attempt(
                number=2,
                outcome="201 Created",
                reason="201 is a status the caller expects",
                wait_seconds=0.0,
                elapsed_seconds=0.3,
            ),
        ),
        curl='curl -sS -X POST http://127.0.0.1:8000/orders --data-raw \'{"side": "buy"}\'',
    )
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(str(failure) + "\n")
    assert str(failure) + "\n" == GOLDEN.read_text()
