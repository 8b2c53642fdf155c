"""Checks as data: what a failed check and each framework failure say about the answer."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from framework.checks import Check, CheckFailed, CheckKind, check_of
from framework.errors import ContractViolation, Mismatch, RetriesExhausted, UnexpectedStatus


class Status(Enum):
    FILLED = "FILLED"


def test_a_field_check_keeps_the_value_as_the_answer_writes_it() -> None:
    check = Check.field("r1", ("status",), Status.FILLED)
    assert (check.kind, check.path, check.expected) == (CheckKind.FIELD, ("status",), "FILLED")
    assert Check.field("r1", ("price",), 1.5).expected == Decimal("1.5")


def test_a_count_check_names_the_fields_its_items_must_hold() -> None:
    check = Check.count("r2", ("items",), 1, {"type": Status.FILLED, "reference_id": "ord_1"})
    assert check.where == ((("type",), "FILLED"), (("reference_id",), "ord_1"))


def test_a_failed_check_is_an_assertion_that_carries_its_check() -> None:
    check = Check.field("r1", ("balance",), Decimal("1.00"))
    error = CheckFailed("Alice has 2.00 in cash, expected 1.00", check)
    assert isinstance(error, AssertionError)
    assert check_of(error, "ignored") is check


def test_an_unexpected_status_is_a_check_of_the_answers_asked_for() -> None:
    error = UnexpectedStatus(
        "POST /orders answered 400", status=400, expected=(201,), refusals=((422, "NO_CASH"),)
    )
    check = check_of(error, "r3")
    assert check == Check(
        kind=CheckKind.ANSWER, request_id="r3", answers=((201, None), (422, "NO_CASH"))
    )


def test_a_contract_violation_is_a_check_of_the_rule_each_field_broke() -> None:
    mismatch = Mismatch(
        path="status",
        expected="'A' or 'B'",
        received='"a"',
        location=("status",),
        rule={"enum": ["A", "B"]},
    )
    check = check_of(ContractViolation("body", mismatches=(mismatch,)), "r4")
    assert check is not None
    assert check.rules == ((("status",), {"enum": ["A", "B"]}),)


def test_no_usable_answer_is_a_check_that_one_comes_back_and_other_errors_are_none() -> None:
    exhausted = check_of(RetriesExhausted("GET /x: still 503", last_error=None), "r5")
    assert exhausted == Check(kind=CheckKind.USABLE, request_id="r5")
    assert check_of(KeyError("missing"), "r6") is None
    assert check_of(AssertionError("plain"), "r6") is None
