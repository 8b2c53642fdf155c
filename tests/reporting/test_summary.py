"""The run summary's pieces: naming absorbed faults, and the rerun command of a failure."""

from __future__ import annotations

import pytest

from framework.classify import FailureCategory
from reporting.summary import Outcome, RunSummary, ScenarioResult, fault_kind, first_line


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


def test_text_lists_categories_faults_and_failures() -> None:
    summary = RunSummary(
        scenarios=(
            ScenarioResult(nodeid="t.py::test_a", outcome=Outcome.PASSED, faults=("429 Too",)),
            ScenarioResult(
                nodeid="t.py::test_b",
                outcome=Outcome.FAILED,
                category=FailureCategory.ENVIRONMENT,
                message="RetriesExhausted: GET /x",
            ),
            ScenarioResult(nodeid="t.py::test_c", outcome=Outcome.KNOWN_DEFECT),
        ),
        results_dir="reports/allure-results",
    )
    assert summary.text().splitlines() == [
        "3 scenarios: 1 passed, 1 failed, 0 skipped, 1 known defect",
        "failures by category:",
        "  environment     1",
        "transient faults absorbed by retries: 1",
        "  429 Too ×1:",
        "    t.py::test_a",
        "[environment] t.py::test_b",
        "    RetriesExhausted: GET /x",
        "    rerun: pytest t.py::test_b",
        "Allure results: reports/allure-results",
    ]


def test_first_line_skips_blank_lines_and_cuts_long_ones() -> None:
    assert first_line("\n\n  the order was refused  \nmore") == "the order was refused"
    assert len(first_line("x" * 500)) == 160
