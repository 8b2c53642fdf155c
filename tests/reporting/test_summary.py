"""The run summary's pieces: naming absorbed faults, and the rerun command of a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framework.classify import FailureCategory
from reporting.summary import (
    Outcome,
    RunSummary,
    ScenarioResult,
    fault_kind,
    first_line,
    main,
)


@pytest.mark.parametrize(
    ("outcome", "kind"),
    [
        ("503 Service Unavailable", "503 Service Unavailable"),
        ("429 Too Many Requests", "429 Too Many Requests"),
        (
            "ReadError (ConnectionError: ('Connection aborted.', "
            "ConnectionResetError(104, 'Connection reset by peer')))",
            "connection reset",
        ),
        (
            "ReadError (ConnectionError: ('Connection aborted.', RemoteDisconnected("
            "'Remote end closed connection without response')))",
            "connection closed without an answer (reset, or the answer lost)",
        ),
        ("ReadTimeout (ReadTimeoutError: read timed out)", "read timeout"),
        ("ConnectTimeout (ConnectTimeoutError: timed out)", "connect timeout"),
        ("ConnectError (NewConnectionError: [Errno 111] Connection refused)", "connection refused"),
        ("ConnectError (something new)", "ConnectError"),
    ],
)
def test_fault_kind_names_what_a_retry_absorbed(outcome: str, kind: str) -> None:
    assert fault_kind(outcome) == kind


def test_rerun_command_quotes_a_node_id_with_spaces() -> None:
    summary = RunSummary(scenarios=(), rerun=".venv/bin/pytest")
    nodeid = "tests/acceptance/test_payments.py::test_w[10.00-GBP-bank transfer-MISMATCH]"
    assert summary.rerun_command(nodeid) == f".venv/bin/pytest '{nodeid}'"


def test_text_lists_failures_first_then_staged_faults_apart_from_weather() -> None:
    summary = RunSummary(
        scenarios=(
            ScenarioResult(nodeid="t.py::test_a", outcome=Outcome.PASSED, faults=("429 Too",)),
            ScenarioResult(
                nodeid="t.py::test_b",
                outcome=Outcome.FAILED,
                category=FailureCategory.ENVIRONMENT,
                message="GET /x: no usable answer after 6 attempts",
                step="When Alice looks (features/x.feature:4)",
                replay="python reports/replay/t__b.py BASE_URL",
            ),
            ScenarioResult(nodeid="t.py::test_c", outcome=Outcome.KNOWN_DEFECT),
            ScenarioResult(
                nodeid="t.py::test_d", outcome=Outcome.PASSED, staged=("503 X", "503 X")
            ),
            ScenarioResult(nodeid="t.py::test_e", outcome=Outcome.PASSED, staged=("reset",)),
        ),
        results_dir="reports/allure-results",
        report_hint="reports/html/index.html (built once the run is over)",
    )
    assert summary.text().splitlines() == [
        "5 scenarios: 3 passed, 1 failed (environment 1), 0 skipped, 1 known defect",
        "[environment] GET /x: no usable answer after 6 attempts",
        "    scenario t.py::test_b",
        "    step     When Alice looks (features/x.feature:4)",
        "    replay   python reports/replay/t__b.py BASE_URL",
        "    rerun    pytest t.py::test_b",
        "faults the scenarios armed themselves, met and absorbed on purpose: 3 in 2 scenarios",
        "weather absorbed by retries (faults no scenario armed): 1",
        "  429 Too ×1:",
        "    t.py::test_a",
        "Allure results: reports/allure-results",
        "HTML report: reports/html/index.html (built once the run is over)",
    ]


def test_first_line_skips_blank_lines_and_cuts_long_ones() -> None:
    assert first_line("\n\n  the order was refused  \nmore") == "the order was refused"
    assert len(first_line("x" * 500)) == 160


def test_the_summaries_of_shards_merge_into_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = [
        RunSummary(
            scenarios=(
                ScenarioResult(nodeid="t.py::test_a", outcome=Outcome.PASSED, faults=("503 X",)),
                ScenarioResult(
                    nodeid="t.py::test_b",
                    outcome=Outcome.FAILED,
                    category=FailureCategory.CONTRACT_DRIFT,
                    message="ContractViolation: GET /b",
                ),
            ),
            rerun=".venv/bin/pytest",
        ),
        RunSummary(
            scenarios=(ScenarioResult(nodeid="u.py::test_c", outcome=Outcome.SKIPPED),),
            rerun=".venv/bin/pytest",
        ),
    ]
    files = []
    for number, shard in enumerate(shards):
        files.append(tmp_path / f"summary-{number}.json")
        files[-1].write_text(shard.to_json(), encoding="utf-8")
    assert main([*map(str, files), "--report-url", "https://example.test/run/1"]) == 0
    markdown = capsys.readouterr().out
    assert (
        "3 scenarios: 1 passed, 1 failed (contract drift 1), 1 skipped, 0 known defects"
    ) in markdown
    assert markdown.index("### Failures") < markdown.index("| 503 X | 1 | `t.py::test_a` |")
    assert "- **[contract drift]** ContractViolation: GET /b\n" in markdown
    assert "  - rerun: `.venv/bin/pytest t.py::test_b`\n" in markdown
    assert "HTML report: https://example.test/run/1" in markdown


def test_a_file_that_is_not_a_summary_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "other.json").write_text(json.dumps({"tests": []}), encoding="utf-8")
    assert main([str(tmp_path / "other.json")]) == 1
    assert main([str(tmp_path / "missing.json")]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("error: not a summary written by the suite")
    assert errors[1].startswith("error: cannot read")


def test_a_run_record_that_did_not_finish_never_reads_as_passed() -> None:
    record = '{"run": {"id": "r1", "started": "2026-01-01T00:00:00Z", "finished": false}, '
    merged = RunSummary.from_json([record + '"scenarios": []}'])
    assert merged.markdown().startswith("## Acceptance suite: not finished")


def test_scenarios_not_run_are_counted_listed_and_never_passed() -> None:
    summary = RunSummary(
        scenarios=(
            ScenarioResult(nodeid="t.py::test_a", outcome=Outcome.FAILED, category=None),
            ScenarioResult(nodeid="t.py::test_b", outcome=Outcome.NOT_RUN),
        ),
        stopped="3 scenarios in a row failed on the environment",
    )
    assert summary.headline().endswith(", 1 not run")
    assert summary.stop_line() == (
        "acceptance suite: the run stopped: 3 scenarios in a row failed on the environment; "
        "1 scenarios not run (never counted as passed)"
    )
    markdown = summary.markdown()
    assert markdown.startswith("## Acceptance suite: stopped")
    assert "### Not run\n\n- `t.py::test_b`" in markdown
    assert RunSummary.from_json([summary.to_json()]).not_run == ("t.py::test_b",)
