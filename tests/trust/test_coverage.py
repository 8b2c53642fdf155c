"""API coverage: path-template matching, the figures, the command, and a real sample run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reporting.build import ReportOptions, build_report, write_global_attachments
from reporting.summary import RunSummary
from tests.trust.commands import ROOT, python_module, write_run
from trust.coverage import (
    COVERAGE_FILE,
    Call,
    Coverage,
    DocumentError,
    Operation,
    PathMatcher,
    documented_operations,
)
from trust.latency import LATENCY_FILE, Latency

#: A small OpenAPI document: literal and templated paths side by side, a status range.
DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/orders": {
            "get": {"responses": {"200": {}, "401": {}}},
            "post": {"responses": {"201": {}, "422": {}, "5XX": {}, "default": {}}},
        },
        "/orders/{order_id}": {"get": {"responses": {"200": {}, "404": {}}}},
        "/orders/history": {"get": {"responses": {"200": {}}}},
        "/files/{name}.json": {"get": {"responses": {"200": {}}}},
        "/health": {"parameters": [], "get": {"responses": {"200": {}}}},
    },
}
OPERATIONS = documented_operations(DOCUMENT)


def _call(method: str, path: str, *statuses: int | None) -> Call:
    return Call(method=method, path=path, attempts=tuple((s, 0.01) for s in statuses))


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/orders", "GET /orders"),
        ("post", "/orders", "POST /orders"),
        ("GET", "/orders/ord_1", "GET /orders/{order_id}"),
        ("GET", "/orders/history", "GET /orders/history"),  # the literal path first
        ("GET", "/orders/ord_1?fields=all", "GET /orders/{order_id}"),
        ("GET", "/orders/", "GET /orders"),
        ("GET", "/files/report.json", "GET /files/{name}.json"),
        ("GET", "/files/report.txt", None),
        ("GET", "/orders/ord_1/fills", None),  # a parameter is one segment
        ("DELETE", "/orders/ord_1", None),  # the path is documented, the method is not
        ("GET", "/admin", None),
    ],
)
def test_a_request_is_matched_to_its_documented_operation(
    method: str, path: str, expected: str | None
) -> None:
    found = PathMatcher(OPERATIONS).match(method, path)
    assert (str(found) if found else None) == expected


def test_the_document_gives_operations_and_statuses_but_not_default() -> None:
    assert OPERATIONS[Operation("POST", "/orders")] == ("201", "422", "5XX")
    assert len(OPERATIONS) == 6


@pytest.mark.parametrize(
    ("document", "message"),
    [({"openapi": "3.1.0"}, "no 'paths'"), ({"paths": {"/x": {"summary": "s"}}}, "no operation")],
)
def test_a_document_without_operations_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        documented_operations(document)


def test_coverage_counts_any_attempt_ranges_and_what_lies_outside() -> None:
    coverage = Coverage.measure(
        OPERATIONS,
        [
            _call("POST", "/orders", 503, 201),  # a retried 503 counts, via the 5XX range
            _call("POST", "/orders", 201),
            _call("GET", "/orders/ord_1", 404),
            _call("GET", "/orders", None, 200),  # a reset, then an answer
            _call("GET", "/orders/history", 418),  # received but not documented
            _call("GET", "/health", None),  # no answer: not exercised
            _call("GET", "/admin", 404),
        ],
    )
    assert coverage.received["POST /orders"] == {201: 2, 503: 1}
    assert coverage.exercised_statuses("POST /orders") == ["201"]
    assert coverage.exercised_ranges("POST /orders") == ["5XX"]
    assert coverage.missing_statuses("POST /orders") == ["422"]
    assert coverage.undocumented("GET /orders/history") == [418]
    assert coverage.operations == (4, 6)  # not /health (no answer), not /files
    assert coverage.statuses == (3, 9)  # the range is not one of the statuses
    assert coverage.ranges == {"5XX": (1, 1)}
    assert coverage.outside == {"GET /admin": 1}
    text = coverage.text()
    assert "API coverage: 4/6 operations, 3/9 documented statuses (33.3%)" in text
    assert "server errors (5XX): seen on 1 of 1 operation that documents them" in text
    assert "GET /health" in text
    assert "not exercised" in text
    assert "undocumented 418 received" in text
    markdown = coverage.markdown()
    assert "| operation | exercised | missing |\n" in markdown  # three columns fit the page
    assert "does not list:\n\n- `GET /orders/history`: 418" in markdown
    assert Coverage.from_json(coverage.to_json()) == coverage


#: Server errors documented as a range on every operation, and 500 enumerated on one as well.
RANGED: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/orders": {
            "get": {"responses": {"200": {}, "5XX": {}}},
            "post": {"responses": {"201": {}, "500": {}, "5XX": {}}},
        },
        "/market": {"get": {"responses": {"200": {}, "400": {}, "5XX": {}}}},
    },
}


def test_ranges_are_counted_on_their_own_line_not_in_the_percentage() -> None:
    coverage = Coverage.measure(
        documented_operations(RANGED),
        [
            _call("GET", "/orders", 502, 200),
            _call("POST", "/orders", 500, 201),  # the enumerated 500 wins over the range
            _call("GET", "/market", 400),
        ],
    )
    assert coverage.statuses == (4, 5)  # 200, 201, 500, 400 of 200, 201, 500, 200, 400
    assert coverage.exercised_statuses("POST /orders") == ["201", "500"]
    assert coverage.exercised_ranges("POST /orders") == []
    assert coverage.exercised_ranges("GET /orders") == ["5XX"]
    assert coverage.missing_statuses("GET /market") == ["200"]  # a range is never "missing"
    assert coverage.ranges == {"5XX": (1, 3)}
    line = "server errors (5XX): seen on 1 of 3 operations that document them"
    assert coverage.text().splitlines()[:2] == [
        "API coverage: 3/3 operations, 4/5 documented statuses (80.0%)",
        line,
    ]
    markdown = coverage.markdown()
    assert "Server errors (5XX): seen on 1 of 3 operations that document them." in markdown
    assert "| `GET /orders` | 200, 5XX |  |" in markdown
    assert json.loads(coverage.to_json())["ranges"] == {"5XX": [1, 3]}
    assert json.loads(coverage.to_json())["statuses"] == [4, 5]
    without = Coverage.measure(
        documented_operations({"paths": {"/x": RANGED["paths"]["/market"]}}), []
    )
    assert without.ranges == {"5XX": (0, 1)}
    assert "server errors (5XX): seen on 0 of 1 operation that documents them" in without.text()


def test_shards_merge_into_one_coverage() -> None:
    first = Coverage.measure(OPERATIONS, [_call("POST", "/orders", 201)])
    second = Coverage.measure(OPERATIONS, [_call("POST", "/orders", 422, 201)])
    merged = first.merged(second)
    assert merged.received["POST /orders"] == {201: 2, 422: 1}
    assert merged.exercised_statuses("POST /orders") == ["201", "422"]
    other = Coverage(documented={"GET /": ("200",)})
    with pytest.raises(DocumentError, match="different OpenAPI documents"):
        first.merged(other)


def test_the_command_reports_and_holds_the_bar(tmp_path: Path) -> None:
    coverage = Coverage.measure(OPERATIONS, [_call("GET", "/orders", 200)])
    write_run(tmp_path, {COVERAGE_FILE: coverage.to_json()})
    shown = python_module("trust", "coverage", "--results", str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert "1/6 operations, 1/9 documented statuses (11.1%)" in shown.stdout
    bar = python_module("trust", "coverage", "--results", str(tmp_path), "--min-statuses", "90")
    assert bar.returncode == 1
    assert "statuses 11.1% < 90%" in bar.stdout
    assert "server errors (5XX): seen on 0 of 1 operation that documents them" in shown.stdout
    missing = python_module("trust", "coverage", "--results", str(tmp_path / "none"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "run the suite first" in missing.stderr


def test_shards_are_merged_into_the_reports_attachments_and_the_job_summary(tmp_path: Path) -> None:
    shards = []
    for number, call in enumerate(
        [_call("GET", "/orders", 200), _call("GET", "/orders/ord_1", 404)], start=1
    ):
        shard = tmp_path / f"shard-{number}"
        shard.mkdir()
        coverage = Coverage.measure(OPERATIONS, [call])
        latency = Latency.measure(OPERATIONS, [call])
        write_run(
            shard,
            {COVERAGE_FILE: coverage.to_json(), LATENCY_FILE: latency.to_json()},
            summary=RunSummary(scenarios=()).to_json(),
        )
        shards.append(shard)
    attachments = tmp_path / "attachments"
    attachments.mkdir()
    names = write_global_attachments(tuple(shards), attachments)
    assert names == ["Run summary", "API coverage", "Latency per operation"]
    (globals_file,) = attachments.glob("*-globals.json")
    listed = json.loads(globals_file.read_text(encoding="utf-8"))["attachments"]
    assert [a["name"] for a in listed] == names
    texts = [(attachments / a["source"]).read_text(encoding="utf-8") for a in listed]
    assert "## Acceptance suite: passed" in texts[0]
    assert "2/6 operations, 2/9 documented statuses (22.2%)" in texts[1]
    assert "| `GET /orders/{order_id}` | 1 |" in texts[2]
    job = python_module("reporting.summary", *(str(s / "summary.json") for s in shards))
    assert job.returncode == 0, job.stderr
    assert "2/6 operations, 2/9 documented statuses (22.2%)" in job.stdout
    assert write_global_attachments((tmp_path / "attachments",), tmp_path) == []


# -- a real run: the report plugin under xdist writes the figures ------------------------------

_FEATURE = """\
Feature: Orders
  Scenario: An order through an outage is placed
    When Alice places an order
  Scenario: A missing order is not found
    When Alice looks up an order nobody placed
"""

_CONFTEST = """\
import os
import pytest
from framework.client import ApiClient
from framework.settings import Settings

pytest_plugins = ["reporting.pytest_plugin"]


@pytest.fixture(scope="session")
def api_client():
    settings = Settings(api_max_attempts=3, api_backoff_base=0.01, api_backoff_max=0.01)
    with ApiClient(settings, base_url=os.environ["SAMPLE_API_URL"]) as client:
        yield client
"""

_STEPS = """\
from pytest_bdd import scenarios, when

scenarios("orders.feature")


@when("Alice places an order")
def _place(api_client):
    api_client.request("POST", "/orders", json={"symbol": "AAPL"}, expect={201: None})


@when("Alice looks up an order nobody placed")
def _look_up(api_client):
    api_client.request("GET", "/orders/ord_nobody", expect={404: None})
"""


class _Api(BaseHTTPRequestHandler):
    """Publishes DOCUMENT; the first order is answered 503, the next ones 201."""

    protocol_version = "HTTP/1.1"
    orders = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/openapi.json":
            self._reply(200, DOCUMENT)
        else:
            self._reply(404, {"code": "ORDER_NOT_FOUND"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            type(self).orders += 1
            first = type(self).orders == 1
        self._reply(503, {"code": "DOWN"}) if first else self._reply(201, {"order_id": "ord_1"})


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Api", (_Api,), {"orders": 0}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_run_writes_its_coverage_and_latency(api_url: str, tmp_path: Path) -> None:
    (tmp_path / "orders.feature").write_text(_FEATURE, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(_CONFTEST, encoding="utf-8")
    (tmp_path / "test_orders.py").write_text(_STEPS, encoding="utf-8")
    results = tmp_path / "allure-results"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *("-p", "pytest_bdd.plugin", "-p", "allure_pytest_bdd.plugin", "-p", "xdist.plugin"),
            *("-n", "2", "--alluredir", str(results), "--rootdir", str(tmp_path)),
            *("-p", "no:cacheprovider", str(tmp_path)),
        ],
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "SAMPLE_API_URL": api_url,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "API coverage: 2/6 operations, 2/9 documented statuses (22.2%)" in output
    assert "server errors (5XX): seen on 1 of 1 operation that documents them" in output
    for folder in (results, tmp_path / "reports"):
        coverage = Coverage.from_json((folder / COVERAGE_FILE).read_text(encoding="utf-8"))
        assert coverage.received == {
            "GET /orders/{order_id}": {404: 1},
            "POST /orders": {201: 1, 503: 1},
        }
        latency = Latency.from_json((folder / LATENCY_FILE).read_text(encoding="utf-8"))
        assert {key: len(values) for key, values in latency.samples.items()} == {
            "GET /orders/{order_id}": 1,
            "POST /orders": 2,  # both attempts of the retried order
        }
    # The HTML report lists both as global attachments (what its tab of that name reads).
    index = build_report(
        ReportOptions(results=(results,), output=tmp_path / "html", history=tmp_path / "h.jsonl")
    )
    shown = json.loads((index.parent / "widgets" / "globals.json").read_text(encoding="utf-8"))
    assert [a["name"] for a in shown["attachments"]] == [
        "Run summary",
        "API coverage",
        "Latency per operation",
    ]
    summary = (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")
    assert "## API coverage" in summary
    assert "| `POST /orders` | 2 |" in summary
