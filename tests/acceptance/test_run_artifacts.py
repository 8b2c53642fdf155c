"""A run's artifacts belong to that run: nothing stale, no mixing, one line when they cannot."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path

import pytest

from tests.acceptance.suite_run import run_suite
from tests.acceptance.test_interrupted_runs import _finish, _start, _wait_for
from tests.trust.commands import python_module, write_run

PASSED = '{"scenarios": [{"nodeid": "t.py::test_a", "outcome": "passed", "category": null, "message": "", "faults": []}]}'  # noqa: E501


def _closed_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_a_run_that_stops_at_its_start_leaves_no_earlier_passed(tmp_path: Path) -> None:
    results = tmp_path / "results"
    earlier = {"api-latency.json": '{"operations": [], "samples": {}}'}
    write_run(tmp_path, earlier, summary=PASSED)
    write_run(results, earlier, summary=PASSED)
    (tmp_path / "summary.md").write_text("## Acceptance suite: passed\n", encoding="utf-8")
    (results / "0-result.json").write_text('{"status": "passed"}', encoding="utf-8")

    stopped = run_suite(
        _closed_url(), f"--alluredir={results}", artifacts=tmp_path, API_BACKOFF_BASE="0"
    )
    assert stopped.returncode == pytest.ExitCode.USAGE_ERROR, stopped.stderr[-2000:]
    assert (
        (tmp_path / "summary.md").read_text("utf-8").startswith("## Acceptance suite: not finished")
    )
    for folder in (tmp_path, results):
        record = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert record["run"]["finished"] is False
        assert record["scenarios"] == []
        assert not (folder / "api-latency.json").exists()
    assert not list(results.glob("*-result.json"))
    for gate in ("latency-gate", "coverage"):
        refused = python_module("trust", gate, "--results", str(tmp_path))
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1
        assert "has not finished" in refused.stderr


def test_a_second_run_writing_the_same_paths_is_refused_at_once(tmp_path: Path) -> None:
    first, _, told = _start(tmp_path, "hold", "-n", "0")
    try:
        _wait_for(told)
        second = run_suite(None, "-m", "smoke", artifacts=tmp_path, timeout=60)
    finally:
        first.send_signal(signal.SIGTERM)
        _finish(first)
    assert second.returncode == pytest.ExitCode.USAGE_ERROR
    [line] = [line for line in second.stderr.splitlines() if line.strip()]
    assert line.startswith(f"ERROR: acceptance suite: another run (pid {first.pid} ")
    assert f"is writing the run summary (summary.md) in {tmp_path}" in line
    assert "--run-summary FILE" in line


@pytest.mark.parametrize(
    ("option", "what"),
    [
        ("--run-summary={blocked}/summary.md", "the run summary (summary.md)"),
        ("--alluredir={blocked}/results", "the Allure results"),
    ],
)
def test_a_path_that_cannot_be_written_is_one_line_naming_it_and_why(
    tmp_path: Path, option: str, what: str
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    result = run_suite(
        _closed_url(), option.format(blocked=blocked), artifacts=tmp_path, timeout=60
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith(f"ERROR: acceptance suite: cannot write {what} to {blocked}")
    assert f"{blocked} is a file, not a folder" in line
    assert "Traceback" not in result.stdout + result.stderr
