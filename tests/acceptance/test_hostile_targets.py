"""A target that stops answering: each scenario within its time budget, then the run stops."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.conftest import Deployment
from tests.acceptance.suite_run import run_suite


def test_a_target_that_hangs_after_its_health_check_stops_the_run_after_three_scenarios(
    tmp_path: Path, deployment: Deployment
) -> None:
    deployment.hangs = True
    result = run_suite(
        deployment.url,
        "-m",
        "smoke",
        "-n",
        "2",
        artifacts=tmp_path,
        timeout=120,
        SUITE_SCENARIO_TIMEOUT="3",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    stops = [line for line in output.splitlines() if "the run stopped" in line]
    assert len(stops) == 1, output[-3000:]
    assert stops[0].startswith(
        "acceptance suite: the run stopped: 3 scenarios in a row failed on the environment"
    )
    # Every scenario that ran ended with the client's own report, not pytest-timeout's.
    assert "+++ Timeout +++" not in output
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    outcomes = [scenario["outcome"] for scenario in summary["scenarios"]]
    failed = [s for s in summary["scenarios"] if s["outcome"] == "failed"]
    assert "passed" not in outcomes
    assert 3 <= len(failed) <= 4  # the other worker's scenario may end after the third
    assert all(s["category"] == "environment" for s in failed)
    assert all(": no usable answer after " in s["message"] for s in failed), failed
    assert outcomes.count("not run") == len(outcomes) - len(failed) > 0
    assert summary["stopped"].startswith("3 scenarios in a row failed on the environment")
    assert "## Acceptance suite: stopped" in (tmp_path / "summary.md").read_text("utf-8")
