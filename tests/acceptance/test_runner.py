"""The runner decides before collection whether a run can select acceptance scenarios."""

from __future__ import annotations

import pytest

from steps.runner import BINDINGS_DIR, PROJECT_ROOT, _may_select_acceptance

TESTS = str(PROJECT_ROOT / "tests")


@pytest.mark.parametrize(
    ("args", "selects"),
    [
        ([TESTS], True),
        ([str(BINDINGS_DIR)], True),
        ([f"{BINDINGS_DIR / 'test_orders.py'}::test_a_market_buy"], True),
        ([str(PROJECT_ROOT / "tests" / "framework")], False),
        ([str(PROJECT_ROOT / "tests" / "models"), str(BINDINGS_DIR)], True),
        ([str(PROJECT_ROOT / "tests" / "models")], False),
        (["-m", "acceptance", TESTS], True),
        (["-m", "not acceptance", TESTS], False),
        (["-m", "smoke", TESTS], True),
        (["-m", "orders and not sandbox", TESTS], True),
        (["-m", "not acceptance and smoke", TESTS], False),
    ],
)
def test_the_sandbox_starts_only_when_scenarios_may_run(
    pytester: pytest.Pytester, args: list[str], selects: bool
) -> None:
    config = pytester.parseconfig(*args)
    assert _may_select_acceptance(config) is selects
