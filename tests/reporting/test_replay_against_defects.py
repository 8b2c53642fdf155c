"""The replay of a failed scenario, for each kind of check, against a defect and a healthy API.

Each test runs one scenario of the suite against one seeded defect (`trust.defects`: made in
the sandbox, or by the defect proxy in front of it), as a user would (a subprocess of
pytest), takes the replay the failure left in its replay folder, and runs it as a reviewer
would (``python <replay>.py BASE_URL``, a bare interpreter that sees nothing of the
project): against the defect it still fails (exit 1) and prints the difference; against a
healthy sandbox the check holds (exit 0).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from steps.runner import PROJECT_ROOT
from steps.sandbox_process import SandboxProcess
from tests.reporting.test_replay import run_replay
from trust.suite import RunOptions, serving

#: Seconds one run of the suite (one scenario) or of a replay may take.
RUN_TIMEOUT = 120

#: kind of check -> (seeded defect, the scenario it fails, what the replay prints on it)
KINDS: dict[str, tuple[str, str, str]] = {
    "a field value": (
        "buy_not_debited",
        "tests/acceptance/test_orders.py::test_a_market_buy_fills_at_once_and_moves_cash_into_shares",
        "balance is 10000.00, expected 8500.00",
    ),
    "a count": (
        "fill_not_notified",
        "tests/acceptance/test_notifications.py::test_a_market_order_that_fills_is_notified",
        'items holds 0 items where type = "ORDER_FILLED" and reference_id = "ord_',
    ),
    "a refusal code": (
        "withdrawal_limit_ignored",
        "tests/acceptance/test_payments.py::test_the_days_limit_is_named_before_missing_funds",
        "answered 422 INSUFFICIENT_FUNDS, expected 422 LIMIT_EXCEEDED",
    ),
    "a field of every item, in order": (
        "quotes_sorted",
        "tests/acceptance/test_market_data.py::test_a_customer_gets_quotes_for_three_symbols_in_her_order",
        'quotes.*.symbol is ["AAPL", "MSFT", "TSLA"], expected ["MSFT", "AAPL", "TSLA"]',
    ),
    "a contract violation": (
        "order_status_lowercase",
        "tests/acceptance/test_orders.py::test_a_market_buy_fills_at_once_and_moves_cash_into_shares",
        "status: \"filled\" is not one of ['PENDING', 'FILLED', 'CANCELLED', 'REJECTED']",
    ),
}


@pytest.fixture(scope="module")
def healthy() -> Iterator[str]:
    """A sandbox without a defect."""
    sandbox = SandboxProcess.start(project_root=PROJECT_ROOT)
    yield sandbox.url
    sandbox.stop()


def _fail_scenario(defect_url: str, nodeid: str, folder: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("API_", "SUITE_", "PYTEST_", "ENVIRONMENT"))
    }
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", nodeid, "-m", "acceptance", "-p", "no:randomly"),
            *("-p", "no:cacheprovider", "--replay-dir", str(folder / "replay")),
            *("--run-summary", str(folder / "summary.md")),
            *("--junitxml", str(folder / "junit.xml")),
        ],
        cwd=PROJECT_ROOT,
        env={**environment, "API_URL": defect_url},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def _reads_like_a_bug_report(output: str, junit: Path) -> None:
    """The failure, as pytest prints it and JUnit holds it: message first, then the step
    with its feature line, and none of pytest's internals."""
    failure = output.split("= FAILURES =")[1].split("= acceptance summary =")[0]
    body = failure.split("\n", 2)[2]
    assert body.startswith(("[product defect] ", "[contract drift] ")), failure
    for internal in ("fixturefunc", "<FixtureRequest", "call_fixture_func", "site-packages"):
        assert internal not in failure
    assert re.search(
        r"\n  step      (Given|When|Then|And) .+\n            features/\w+/\w+\.feature:\d+\n", body
    )
    assert str(PROJECT_ROOT) not in failure
    [case] = ElementTree.parse(junit).getroot().iter("failure")  # noqa: S314 - pytest wrote it
    assert case.get("message") == body.splitlines()[0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_replay_fails_against_the_defect_and_holds_against_a_healthy_api(
    kind: str, healthy: str, tmp_path: Path
) -> None:
    defect, nodeid, difference = KINDS[kind]
    with serving(RunOptions(defect=defect), tmp_path / "stats.json") as defective:
        run = _fail_scenario(defective, nodeid, tmp_path)
        assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
        [script] = (tmp_path / "replay").glob("*.py")
        assert f"replay    python {script} BASE_URL" in run.stdout
        _reads_like_a_bug_report(run.stdout, tmp_path / "junit.xml")
        still = run_replay(script, defective, tmp_path)
    assert still.returncode == 1, still.stdout + still.stderr
    assert difference in still.stdout
    assert still.stdout.rstrip().endswith("it still fails")
    fixed = run_replay(script, healthy, tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.rstrip().endswith("it holds now")
    source = script.read_text(encoding="utf-8")
    assert "import requests" in source
    assert "from steps" not in source
    assert "from framework" not in source
