"""A pytest plugin the trust tools load into the suite (`-p trust.recorder`): what each run did.

It writes, per pytest process, one JSON file into `$TRUST_RECORD_DIR`: every scenario's
outcome with the framework's failure category (`framework.classify`) and the first line of
its failure, the client's own count of logical requests and the attempts they took, and the
seconds it waited between attempts, split into what the server asked for (`Retry-After`) and
its own backoff (a listener on the run's `ApiClient`), and each scenario's answers as
`answer_signature`s, so that the answers one scenario got from two APIs can be compared.
It changes nothing about how the suite runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

import pytest

from framework.classify import FailureCategory, classify
from framework.client import ApiClient, Exchange

#: the environment variable naming the folder the records go to
RECORD_DIR = "TRUST_RECORD_DIR"
#: fields whose values differ from run to run whatever the API does: generated names,
#: identifiers, tokens, free text, and the volume every customer's trades move
VOLATILE_FIELDS = frozenset(
    {"username", "access_token", "message", "next_cursor", "request_id", "volume"}
)
#: a path segment that is an identifier (`ord_…`)
_VOLATILE_SEGMENT = re.compile(r"[a-z]+_[A-Za-z0-9_-]{8,}")
#: characters of an answer's digest in a signature: enough to tell answers apart
DIGEST_CHARS = 12


def _stable(value: Any, key: str = "") -> Any:
    """The value with what varies from run to run masked (digits of other text become 0)."""
    if isinstance(value, dict):
        return {name: _stable(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_stable(item, key) for item in value]
    if key in VOLATILE_FIELDS or key.endswith("_id"):
        return "…"
    if isinstance(value, str):
        # A timestamp keeps its shape (`Z` or `+00:00`), an enum its value.
        return re.sub("[0-9]", "0", value)
    return value


def answer_signature(
    method: str, url: str, status: int | None, headers: Mapping[str, str], body: str
) -> str:
    """One answer, as comparable across runs: `POST /orders 201 <digest>`.

    The path's identifiers are masked, and so are the body's values that differ between two
    runs against the same API (`VOLATILE_FIELDS`, identifiers, the digits of other text);
    whether the answer was a replay (`Idempotent-Replayed`) counts. No answer is `-`.
    """
    path = url.split("://", 1)[-1].partition("/")[2].partition("?")[0]
    path = "/" + "/".join(
        "{id}" if _VOLATILE_SEGMENT.fullmatch(part) else part for part in path.split("/")
    )
    try:
        content: Any = _stable(json.loads(body)) if body else None
    except ValueError:
        content = re.sub("[0-9]", "0", body)
    replayed = {name.lower(): value for name, value in headers.items()}.get("idempotent-replayed")
    text = json.dumps([content, replayed], sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]
    return f"{method} {path} {'-' if status is None else status} {digest}"


class _Recorder:
    def __init__(self) -> None:
        self.scenarios: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, list[str]] = {}
        self.current: str | None = None
        self.requests = 0
        self.attempts = 0
        self.asked_seconds = 0.0
        self.backoff_seconds = 0.0

    def exchange(self, exchange: Exchange) -> None:
        self.requests += 1
        self.attempts += len(exchange.attempts)
        for attempt in exchange.attempts:
            self.asked_seconds += attempt.asked_seconds
            self.backoff_seconds += attempt.wait_seconds - attempt.asked_seconds
        if self.current is None:
            return
        response = exchange.response
        signature = answer_signature(
            exchange.method,
            exchange.request.url,
            exchange.status,
            response.headers if response else {},
            response.body if response else "",
        )
        self.answers.setdefault(self.current, []).append(signature)

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


def pytest_runtest_logstart(nodeid: str) -> None:
    """The scenario the answers from now on belong to."""
    _recorder.current = nodeid


def pytest_runtest_logfinish(nodeid: str) -> None:
    """Answers from now on (a session fixture's teardown) belong to no scenario."""
    _recorder.current = None


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
        "answers": _recorder.answers,
        "client": {"requests": _recorder.requests, "attempts": _recorder.attempts},
        "waits": {"asked": _recorder.asked_seconds, "backoff": _recorder.backoff_seconds},
    }
    Path(folder, f"{worker}.json").write_text(json.dumps(record), encoding="utf-8")
