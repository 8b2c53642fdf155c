"""The runner decides before collection whether a run can select acceptance scenarios."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from framework.errors import ConfigurationError
from framework.settings import Settings
from steps import runner
from steps.runner import BINDINGS_DIR, PROJECT_ROOT, _may_select_acceptance
from steps.suite_settings import load_suite_settings
from tests.acceptance.conftest import Deployment
from tests.acceptance.suite_run import run_suite

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
    monkeypatch.setenv("API_BACKOFF_BASE", "0")
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


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _stop_lines(lines: list[str]) -> list[str]:
    assert not any("INTERNALERROR" in line or "passed" in line for line in lines), lines
    return [line for line in lines if "is unreachable or unhealthy" in line]


def test_a_gateways_trouble_on_the_health_check_is_waited_out(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, deployment: Deployment
) -> None:
    deployment.troubled_health.extend([503, 429])
    _suite_against(pytester, monkeypatch, deployment.url)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-m", "acceptance")
    result.assert_outcomes(passed=1, skipped=1)
    assert deployment.count("GET", "/health") == 3


def test_an_unreachable_api_stops_the_run_in_one_line_after_its_health_checks_retries(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = _closed_port()
    _suite_against(pytester, monkeypatch, closed)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    [stop] = _stop_lines(result.outlines + result.errlines)
    assert stop.startswith(f"ERROR: acceptance suite: the API at {closed} is unreachable")
    assert "no usable answer after 6 attempts" in stop, stop
    assert "the health check waits up to 10 s" in stop, stop
    assert stop.endswith("unset API_URL to use the sandbox")


def test_under_xdist_the_stop_line_is_printed_once(tmp_path: Path) -> None:
    closed = _closed_port()
    result = run_suite(closed, "-n", "2", artifacts=tmp_path, timeout=60, API_BACKOFF_BASE="0")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    [stop] = _stop_lines((result.stdout + result.stderr).splitlines())
    assert stop.startswith(f"ERROR: acceptance suite: the API at {closed} is unreachable")


def test_a_silent_api_stops_the_run_within_the_health_checks_bound_saying_what_it_waits_for(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A socket that listens and never accepts: connections complete, no answer ever comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        _suite_against(pytester, monkeypatch, url)
        monkeypatch.setenv("API_DEADLINE", "2")
        result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(
        [f"acceptance suite: waiting up to 2 s for the API's health check (GET {url}/health) …"]
    )
    result.stderr.fnmatch_lines(
        [f"*acceptance suite: the API at {url} is unreachable or unhealthy (*ReadTimeout*"]
    )


def test_a_bad_marker_under_xdist_gets_pytests_own_message(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_deployment: str
) -> None:
    _suite_against(pytester, monkeypatch, real_deployment)
    result = pytester.runpytest_subprocess("--strict-markers", "-n", "2", "-m", "smok")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: Unknown marker(s) in '-m' expression: smok.*"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


SIGNED_IN = ("POST", "/auth/token")


def _with_customer(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, deployment: Deployment
) -> None:
    _suite_against(pytester, monkeypatch, deployment.url)
    monkeypatch.setenv("API_USERNAME", "smoke_customer")
    monkeypatch.setenv("API_PASSWORD", "wrong-hunter2")


@pytest.mark.parametrize(
    "before",
    [[], [(429, "TOO_MANY_ATTEMPTS", "0")], [(503, "INJECTED_FAULT", None)]],
    ids=["at once", "after a 429", "after a 503"],
)
def test_a_wrong_password_stops_the_run_after_one_sign_in(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    deployment: Deployment,
    before: list[tuple[int, str, str | None]],
) -> None:
    deployment.sign_ins.extend([*before, (401, "INVALID_CREDENTIALS", None)])
    _with_customer(pytester, monkeypatch, deployment)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: acceptance suite: the pre-provisioned customer API_USERNAME='smoke_customer' "
            "cannot sign in (*401*); check API_USERNAME and API_PASSWORD*"
        ]
    )
    # The one failed sign-in; a 429 or an outage before it is not a failed sign-in.
    assert deployment.count(*SIGNED_IN) == len(before) + 1
    assert deployment.received[0] == ("GET", "/health")
    assert "wrong-hunter2" not in result.stdout.str() + result.stderr.str()


def test_a_right_password_is_checked_once_before_any_scenario(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, deployment: Deployment
) -> None:
    deployment.sign_ins.append((429, "TOO_MANY_ATTEMPTS", "0"))
    _with_customer(pytester, monkeypatch, deployment)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-m", "not sandbox")
    result.assert_outcomes(passed=1, deselected=1)
    assert deployment.received[:3] == [("GET", "/health"), SIGNED_IN, SIGNED_IN]


@pytest.mark.parametrize("given", ["0", "-5", "inf", "3601", "soon"])
def test_a_scenario_budget_out_of_bounds_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("SUITE_SCENARIO_TIMEOUT", given)
    with pytest.raises(ConfigurationError) as caught:
        load_suite_settings(Settings(), root=tmp_path)
    assert str(caught.value) == (
        f"SUITE_SCENARIO_TIMEOUT={given!r} is invalid: "
        "expected seconds, more than 0 and at most 3600"
    )


@dataclass(frozen=True)
class Item:
    """What ordering reads of a collected test."""

    nodeid: str


def test_the_tests_known_to_be_long_start_first_and_the_rest_keep_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    durations = tmp_path / ".test_durations"
    durations.write_text(json.dumps({"a": 0.1, "b": 3.0, "c": 0.2, "d": 0.6, "e": 0.5}))
    monkeypatch.setattr(runner, "DURATIONS", durations)
    items = [Item(nodeid=name) for name in "fabcdeg"]
    runner._long_ones_first(items)  # type: ignore[arg-type]
    assert [item.nodeid for item in items] == ["b", "d", "e", "f", "a", "c", "g"]


def test_without_known_durations_the_order_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "DURATIONS", tmp_path / "none")
    items = [Item(nodeid=name) for name in "cab"]
    runner._long_ones_first(items)  # type: ignore[arg-type]
    assert [item.nodeid for item in items] == ["c", "a", "b"]


def test_auto_starts_two_workers_a_core_only_for_scenarios_against_the_built_in_sandbox(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("API_URL", "PYTEST_XDIST_AUTO_NUM_WORKERS"):
        monkeypatch.delenv(name, raising=False)

    def workers(*options: str, cores: int = 2) -> int:
        config = pytester.parseconfig("-p", "steps.runner", *options)
        counting = runner.pytest_xdist_auto_num_workers(config)
        next(counting)
        with pytest.raises(StopIteration) as done:
            counting.send(cores)
        return int(done.value.value)

    assert workers("-m", "acceptance") == 4
    assert workers("-m", "smoke and not sandbox", cores=3) == 6
    assert workers() == 2, "a run that may select other tests keeps xdist's count"
    assert workers("--scenario-name", "A customer signs in and sees her account") == 1
    named = ("--scenario-name", "A newly opened account is empty")
    assert workers("--scenario-name", "A customer signs in and sees her account", *named) == 2
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    assert workers("-m", "acceptance") == 2, "the count xdist was told stands"
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS")
    monkeypatch.setenv("API_URL", "https://staging.example.com")
    assert workers("-m", "acceptance") == 2, "a deployment gets no more at once than before"
