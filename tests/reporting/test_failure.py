"""A failure as a bug report: its message first, then the facts a reviewer acts on."""

from __future__ import annotations

from framework.classify import FailureCategory
from framework.errors import UnexpectedStatus
from reporting.failure import BugReport, StepPlace, split_message


def test_the_report_opens_with_the_message_and_names_the_step_where_it_is_written() -> None:
    bug = BugReport(
        category=FailureCategory.PRODUCT_DEFECT,
        message="Alice has 10,000.00 in cash, expected 8,500.00",
        scenario="A market buy moves cash into shares",
        scenario_where="features/orders/market_orders.feature:9",
        step=StepPlace(
            text="And Alice has 8,500.00 in cash",
            where="features/orders/market_orders.feature:14",
            parameters={"name": "Alice", "amount": "8,500.00"},
        ),
        checked="GET /account (request 6 of 6), field balance",
        replay="python reports/replay/orders__a.py BASE_URL",
    )
    assert bug.text().splitlines() == [
        "[product defect] Alice has 10,000.00 in cash, expected 8,500.00",
        "",
        "  scenario  A market buy moves cash into shares",
        "            features/orders/market_orders.feature:9",
        "  step      And Alice has 8,500.00 in cash",
        "            features/orders/market_orders.feature:14",
        "            name: Alice · amount: 8,500.00",
        "  checked   GET /account (request 6 of 6), field balance",
        "  replay    python reports/replay/orders__a.py BASE_URL",
    ]


def test_a_failure_in_set_up_says_no_step_ran() -> None:
    bug = BugReport(
        category=FailureCategory.ENVIRONMENT,
        message="no target API",
        scenario="S",
        scenario_where="features/x.feature:2",
    )
    assert "  step      none: it failed in its set-up, before its first step" in bug.text()


def test_the_message_of_an_assertion_drops_pytests_explanation() -> None:
    error = AssertionError("Alice has 1.00 in cash\nassert Decimal('1.00') == Decimal('2.00')")
    assert split_message(error) == ("Alice has 1.00 in cash", "")
    bare = AssertionError("assert [1] == [2]\n  At index 0 diff: 1 != 2")
    assert split_message(bare) == ("assert [1] == [2]", "  At index 0 diff: 1 != 2")


def test_a_framework_error_gives_its_summary_then_its_report() -> None:
    error = UnexpectedStatus("GET /x answered 500", status=500, expected=(200,), details="more")
    assert split_message(error) == ("GET /x answered 500", "more")
    assert split_message(KeyError("missing")) == ("KeyError: 'missing'", "")
