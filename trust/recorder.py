"""A pytest plugin the trust tools load into the suite (`-p trust.recorder`): what each run did.

It writes, per pytest process, one JSON file into `$TRUST_RECORD_DIR`: every scenario's
outcome with the framework's failure category (`framework.classify`) and the first line of
its failure, and the client's own count of logical requests and the attempts they took (a
listener on the run's `ApiClient`). It changes nothing about how the suite runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from framework.classify import FailureCategory, classify
from framework.client import ApiClient, Exchange

#: the environment variable naming the folder the records go to
RECORD_DIR = "TRUST_RECORD_DIR"


class _Recorder:
    def __init__(self) -> None:
        self.scenarios: dict[str, dict[str, Any]] = {}
        self.requests = 0
        self.attempts = 0

    def exchange(self, exchange: Exchange) -> None:
        self.requests += 1
        self.attempts += len(exchange.attempts)

    def report(self, report: pytest.TestReport, category: FailureCategory | None) -> None:
        entry = self.scenarios.setdefault(report.nodeid, {"outcome": "passed"})
        if report.failed and entry["outcome"] != "failed":
            message = str(report.longrepr).strip().splitlines() if report.longrepr else [""]
            entry.update(
                outcome="failed",
                when=report.when,
                category=str(category) if category else None,
                message=_first_line(message),
            )
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"


def _first_line(lines: list[str]) -> str:
    """The line of a failure that says what went wrong (pytest's `E` lines), shortened."""
    wanted = [line[1:].strip() for line in lines if line.startswith("E ")]
    text = (wanted or lines or [""])[0]
    return text[:300]


_recorder = _Recorder()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Record each phase's outcome, classified by the framework when it failed."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    category = classify(call.excinfo.value) if call.excinfo is not None else None
    _recorder.report(report, category)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, None]:
    """Listen to the run's client as soon as the runner creates it."""
    outcome = yield
    if fixturedef.argname == "api_client" and outcome.excinfo is None:
        client = outcome.get_result()
        if isinstance(client, ApiClient):
            client.add_listener(_recorder.exchange)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write this process's record (an xdist controller, which runs nothing, writes none)."""
    folder = os.environ.get(RECORD_DIR)
    if not folder or not _recorder.scenarios:
        return
    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    record = {
        "scenarios": _recorder.scenarios,
        "client": {"requests": _recorder.requests, "attempts": _recorder.attempts},
    }
    Path(folder, f"{worker}.json").write_text(json.dumps(record), encoding="utf-8")
