"""The runner decides before collection whether a run can select acceptance scenarios."""

from __future__ import annotations

import socket

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


FEATURE = """\
Feature: The runner and a real deployment
  Scenario: A scenario that needs no controls
    Given Alice is a customer

  @sandbox
  Scenario: A scenario that needs the controls
    Given Alice is a customer
    And AAPL trades at 150.00 in Alice's market
"""


def _suite_against(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """A small suite in the pytester folder, with the runner and steps, aimed at ``url``."""
    monkeypatch.setenv("API_URL", url)
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    pytester.makefile(".feature", runner=FEATURE)
    pytester.makeconftest('pytest_plugins = ["steps.runner", "steps.customers", "steps.market"]')
    pytester.makepyfile(
        test_bound="from pytest_bdd import scenarios\n\nscenarios('runner.feature')\n"
    )


def test_sandbox_scenarios_are_skipped_where_the_target_is_not_a_sandbox(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_deployment: str
) -> None:
    _suite_against(pytester, monkeypatch, real_deployment)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-rs", "-m", "acceptance")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [f"*needs the sandbox controls*{real_deployment} is not a sandbox*"]
    )


def test_an_unreachable_api_stops_the_run_at_once_with_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    _suite_against(pytester, monkeypatch, closed)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines([f"*the API at {closed} is unreachable*unset API_URL*"])
    result.stdout.no_fnmatch_line("*passed*")
