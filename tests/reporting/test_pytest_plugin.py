"""The report plugin in a real run: a small feature, its steps and a local API on 127.0.0.1.

One pytest run (in a subprocess, under xdist) of a sample suite whose scenarios pass, retry
through an outage, fail in each of the four categories, are skipped by a tag or in set-up,
fail in set-up, and are known defects (one still failing, one fixed). The tests read what it
wrote: the Allure results folder, the Markdown summary and the terminal output.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from framework.redaction import encodings_of
from reporting.build import PROJECT_ROOT, ReportOptions, build_report
from tests.reporting.browser import SCREENSHOTS, ServedReport, is_png, read, render

#: The secrets of the sample run: they must not appear anywhere in its results.
PASSWORD = "correct-horse-battery-staple-7"
TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
#: Upper bound for the sample run, in seconds; it takes a few.
_RUN_TIMEOUT = 180

_FEATURE = """\
@orders
Feature: Order desk
  Rule: Healthy requests pass

    @critical @req:REQ-7
    Scenario: A request retried through an outage passes
      Given the quote service answers after one outage
      Then the quote is fine

    Scenario: A signed-in customer keeps her session secret
      Given Alice signs in
      Then Alice's session is in use

    Scenario Outline: Outline rows count one by one, row <n>
      Given the quote service answers after one outage

      Examples:
        | n |
        | 1 |
        | 2 |

  Rule: Failures are sorted by what broke

    Scenario: A quantity returned as text is contract drift
      When Alice reads her shares

    Scenario: An order refused by mistake is a product defect
      When Alice places an order

    Scenario: An unreachable API is an environment problem
      When Alice calls the API that is down

    Scenario: A step with a bug is a test defect
      When a step has a bug

  Rule: Every scenario is counted

    @skip
    Scenario: A scenario skipped by its tag
      Given the quote service answers after one outage

    @needs_controls
    Scenario: A scenario skipped in set-up
      Given the quote service answers after one outage

    @broken_setup
    Scenario: A scenario whose set-up fails
      Given the quote service answers after one outage

    @defect:TRD-1
    Scenario: A known defect still fails
      When Alice places an order

    @defect:TRD-2
    Scenario: A known defect that was fixed
      Given the quote service answers after one outage
      Then the quote is fine
"""

_CONFTEST = '''\
"""The sample suite's fixtures: clients of the local API and set-ups that skip or fail."""
import os
from dataclasses import dataclass

import pytest

from framework.client import ApiClient
from framework.settings import Settings

pytest_plugins = ["reporting.pytest_plugin"]


def pytest_configure(config):
    config.addinivalue_line("markers", "orders: sample domain")
    config.addinivalue_line("markers", "needs_controls: skipped in set-up")
    config.addinivalue_line("markers", "broken_setup: fails in set-up")


def _settings():
    return Settings(api_max_attempts=2, api_backoff_base=0.01, api_backoff_max=0.01,
                    api_deadline=10, api_connect_timeout=2, api_read_timeout=5)


@pytest.fixture(scope="session")
def api_client():
    with ApiClient(_settings(), base_url=os.environ["SAMPLE_API_URL"]) as client:
        yield client


@pytest.fixture(scope="session")
def dead_client():
    with ApiClient(_settings(), base_url=os.environ["SAMPLE_DEAD_URL"]) as client:
        yield client


@dataclass
class Session:
    """A session whose repr shows its token, as a careless step object might."""
    username: str
    token: str


@pytest.fixture(autouse=True)
def _set_up(request):
    if request.node.get_closest_marker("needs_controls"):
        pytest.skip("needs the sandbox controls")
    if request.node.get_closest_marker("broken_setup"):
        raise RuntimeError("the fixture could not create its customer")
'''

_STEPS = '''\
"""Steps of the sample suite."""
import os
from pydantic import BaseModel, ConfigDict
from pytest_bdd import given, scenarios, then, when

from conftest import Session

scenarios("features")


class Holding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shares: int


@given("the quote service answers after one outage", target_fixture="quote")
def _flaky(api_client, request):
    return api_client.request("GET", f"/flaky/{request.node.name}", expect={200: None})


@then("the quote is fine")
def _fine(quote):
    assert quote.status == 200


@given("Alice signs in", target_fixture="session")
def _sign_in(api_client):
    answer = api_client.request(
        "POST", "/auth", json={"username": "alice", "password": os.environ["SAMPLE_PASSWORD"]}
    )
    print("signed in with", os.environ["SAMPLE_PASSWORD"], "got", answer.json()["access_token"])
    return Session(username="alice", token=answer.json()["access_token"])


@then("Alice's session is in use")
def _in_use(api_client, session, dead_client):
    # dead_client: a second client, which never saw the token, exists when the result is written
    api_client.request("GET", "/me", token=session.token, expect={200: None})


@when("Alice reads her shares")
def _shares(api_client):
    api_client.request("GET", "/drift", expect={200: Holding})


@when("Alice places an order")
def _order(api_client):
    api_client.request("POST", "/orders", json={"symbol": "AAPL"}, expect={201: None})


@when("Alice calls the API that is down")
def _down(dead_client):
    dead_client.request("GET", "/health", expect={200: None})


@when("a step has a bug")
def _bug():
    {}["missing"]
'''


class _Api(BaseHTTPRequestHandler):
    """The sample API: each path has one behaviour; /flaky/<name> fails once per name."""

    protocol_version = "HTTP/1.1"
    seen: set[str]
    lock: threading.Lock

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.startswith("/flaky/"):
            with self.lock:
                first = self.path not in self.seen
                self.seen.add(self.path)
            if first:
                self._reply(503, {"code": "UNAVAILABLE"}, {"Retry-After": "0"})
            else:
                self._reply(200, {"ok": True})
        elif self.path == "/drift":
            self._reply(200, {"shares": "10"})
        else:
            self._reply(200, {"username": "alice"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/auth":
            assert body["password"] == PASSWORD
            self._reply(200, {"access_token": TOKEN, "token_type": "bearer"})
        else:
            self._reply(422, {"code": "INSUFFICIENT_FUNDS", "message": "not enough cash"})


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    handler = type("Handler", (_Api,), {"seen": set(), "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True)
class SampleRun:
    """What the sample run left behind."""

    output: str
    results: Path
    summary: Path
    replays: Path

    def by_name(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for path in self.results.glob("*-result.json"):
            result = json.loads(path.read_text(encoding="utf-8"))
            assert result["name"] not in found, f"two results for {result['name']}"
            found[result["name"]] = result
        return found


@pytest.fixture(scope="module")
def sample_run(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    project = tmp_path_factory.mktemp("sample-plugin")
    (project / "features" / "orders").mkdir(parents=True)
    (project / "features" / "orders" / "desk.feature").write_text(_FEATURE, encoding="utf-8")
    (project / "conftest.py").write_text(_CONFTEST, encoding="utf-8")
    (project / "test_desk.py").write_text(_STEPS, encoding="utf-8")
    results = project / "allure-results"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *("-p", "pytest_bdd.plugin", "-p", "allure_pytest_bdd.plugin", "-p", "xdist.plugin"),
            *("-n", "2", "--alluredir", str(results), "--rootdir", str(project)),
            *("--allure-link-pattern", "issue:https://tracker.example/browse/{}"),
            *("-p", "no:cacheprovider", str(project)),
        ],
        cwd=project,
        env={
            **os.environ,
            # The project's other plugins would only slow the run down.
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "PYTHONPATH": os.pathsep.join([str(project), str(PROJECT_ROOT)]),
            "SAMPLE_API_URL": api_url,
            "SAMPLE_DEAD_URL": f"http://127.0.0.1:{_closed_port()}",
            "SAMPLE_PASSWORD": PASSWORD,
        },
        capture_output=True,
        text=True,
        timeout=_RUN_TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    return SampleRun(
        output=output,
        results=results,
        summary=project / "reports" / "summary.md",
        replays=project / "reports" / "replay",
    )


#: Each scenario of the sample run: its Allure status and failure category.
EXPECTED: dict[str, tuple[str, str | None]] = {
    "A request retried through an outage passes": ("passed", None),
    "A signed-in customer keeps her session secret": ("passed", None),
    "Outline rows count one by one, row 1": ("passed", None),
    "Outline rows count one by one, row 2": ("passed", None),
    "A quantity returned as text is contract drift": ("broken", "contract drift"),
    "An order refused by mistake is a product defect": ("broken", "product defect"),
    "An unreachable API is an environment problem": ("broken", "environment"),
    "A step with a bug is a test defect": ("broken", "test defect"),
    "A scenario skipped by its tag": ("skipped", None),
    "A scenario skipped in set-up": ("skipped", None),
    "A scenario whose set-up fails": ("broken", "test defect"),
    "A known defect still fails": ("skipped", "product defect"),
    "A known defect that was fixed": ("broken", "test defect"),
}


def _labels(result: dict[str, Any], name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def _attachments(step: dict[str, Any], results: Path) -> list[str]:
    return [(results / a["source"]).read_text(encoding="utf-8") for a in step["attachments"]]


def test_every_collected_scenario_has_one_result(sample_run: SampleRun) -> None:
    assert "2 workers [13 items]" in sample_run.output
    assert sorted(sample_run.by_name()) == sorted(EXPECTED)


def test_each_result_has_its_status_and_category(sample_run: SampleRun) -> None:
    found = {
        name: (result["status"], next(iter(_labels(result, "failure_category")), None))
        for name, result in sample_run.by_name().items()
    }
    assert found == EXPECTED


def test_a_failed_step_carries_its_request_response_and_curl(sample_run: SampleRun) -> None:
    result = sample_run.by_name()["A quantity returned as text is contract drift"]
    [step] = result["steps"]
    [exchange] = _attachments(step, sample_run.results)
    assert exchange.startswith("GET http://127.0.0.1:")
    assert "/drift -> 200 OK" in exchange
    assert "\nRequest\n  GET http://127.0.0.1:" in exchange
    assert "\nResponse\n  200 OK" in exchange
    assert '{"shares": "10"}' in exchange
    assert "\nReproduce\n  curl -sS -X GET http://127.0.0.1:" in exchange
    assert "\nRequest ID\n  " in exchange
    assert "the 200 response body does not match Holding" in result["statusDetails"]["message"]


def test_retries_are_shown_in_the_step_that_made_them(sample_run: SampleRun) -> None:
    result = sample_run.by_name()["A request retried through an outage passes"]
    [exchange] = _attachments(result["steps"][0], sample_run.results)
    assert exchange.splitlines()[0].endswith(" ms, 2 attempts)")
    assert "\n  1. 503 Service Unavailable — retried" in exchange
    assert "\n  2. 200 OK" in exchange


def test_a_retried_scenario_is_tagged_and_each_step_shows_its_attempts(
    sample_run: SampleRun,
) -> None:
    result = sample_run.by_name()["A request retried through an outage passes"]
    assert "retried ×1" in _labels(result, "tag")
    assert _labels(result, "attempts") == ["1 request, 2 attempts (1 retried)"]
    assert [step["name"] for step in result["steps"]] == [
        "Given the quote service answers after one outage  ·  1 request, 2 attempts (1 retried)",
        "Then the quote is fine",
    ]
    calm = sample_run.by_name()["A signed-in customer keeps her session secret"]
    assert "attempts" not in {label["name"] for label in calm["labels"]}
    assert not [tag for tag in _labels(calm, "tag") if tag.startswith("retried")]
    assert calm["steps"][0]["name"] == "Given Alice signs in  ·  1 request, 1 attempt"
    assert _labels(result, "host") == _labels(result, "thread") == []


def test_each_scenario_carries_its_exchanges_as_a_har_file(sample_run: SampleRun) -> None:
    result = sample_run.by_name()["A signed-in customer keeps her session secret"]
    [attachment] = [a for a in result["attachments"] if a["name"] == "HTTP exchanges (HAR)"]
    assert attachment["source"].endswith(".har")
    document = json.loads((sample_run.results / attachment["source"]).read_text("utf-8"))
    entries = document["log"]["entries"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [
        ("POST", 200),
        ("GET", 200),
    ]
    assert entries[0]["_step"].startswith("Given Alice signs in (features/orders/desk.feature:")
    assert "[REDACTED]" in entries[0]["request"]["postData"]["text"]
    assert {"name": "Authorization", "value": "Bearer [REDACTED]"} in entries[1]["request"][
        "headers"
    ]


def test_labels_come_from_domain_feature_rule_and_tags(sample_run: SampleRun) -> None:
    result = sample_run.by_name()["A request retried through an outage passes"]
    assert _labels(result, "epic") == ["Orders"]
    assert _labels(result, "feature") == ["Order desk"]
    assert _labels(result, "story") == ["Healthy requests pass"]
    assert _labels(result, "severity") == ["critical"]
    assert result["links"] == [{"name": "REQ-7", "type": "requirement", "url": "REQ-7"}]
    other = sample_run.by_name()["A step with a bug is a test defect"]
    assert _labels(other, "severity") == ["normal"]


def test_a_known_defect_links_its_issue_and_runs_as_a_strict_expected_failure(
    sample_run: SampleRun,
) -> None:
    results = sample_run.by_name()
    still = results["A known defect still fails"]
    assert still["links"] == [
        {"name": "TRD-1", "type": "issue", "url": "https://tracker.example/browse/TRD-1"}
    ]
    assert still["statusDetails"]["message"].startswith("XFAIL known defect TRD-1")
    fixed = results["A known defect that was fixed"]
    assert "XPASS(strict)" in fixed["statusDetails"]["message"]
    assert "remove the @defect:TRD-2 tag" in fixed["statusDetails"]["message"]


def test_unstarted_scenarios_show_why_and_their_steps(sample_run: SampleRun) -> None:
    results = sample_run.by_name()
    skipped = results["A scenario skipped in set-up"]
    assert skipped["statusDetails"]["message"] == "Skipped: needs the sandbox controls"
    broken = results["A scenario whose set-up fails"]
    assert broken["statusDetails"]["message"] == (
        "[test defect] RuntimeError: the fixture could not create its customer"
    )
    assert (
        "none: it failed in its set-up, before its first step" in (broken["statusDetails"]["trace"])
    )
    assert [step["name"] for step in broken["steps"]] == [
        "Given the quote service answers after one outage"
    ]
    assert _labels(broken, "story") == ["Every scenario is counted"]


def test_no_secret_of_the_run_is_anywhere_in_the_results(sample_run: SampleRun) -> None:
    forms = set().union(*(encodings_of(secret) for secret in (PASSWORD, TOKEN)))
    files = [path for path in sample_run.results.iterdir() if path.is_file()]
    files += list(sample_run.replays.glob("*.py"))
    assert len(files) > 20
    leaks = [
        f"{path.name}: {form}"
        for path in files
        for form in forms
        if form in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert leaks == []
    # The step took the session, whose repr shows the token, as an argument; its parameters
    # are its words as the feature writes them, and it has none.
    session = sample_run.by_name()["A signed-in customer keeps her session secret"]
    assert session["steps"][1]["name"].startswith("Then Alice's session is in use  ·  ")
    assert session["steps"][1].get("parameters", []) == []


def test_the_summary_counts_categories_faults_and_says_how_to_rerun(
    sample_run: SampleRun,
) -> None:
    text = sample_run.summary.read_text(encoding="utf-8")
    assert (
        "13 scenarios: 4 passed, 6 failed (product defect 1, contract drift 1, environment 1, "
        "test defect 3), 2 skipped, 1 known defect"
    ) in text
    data = json.loads(sample_run.summary.with_suffix(".json").read_text(encoding="utf-8"))
    assert len(data["scenarios"]) == len(EXPECTED)
    assert "| 503 Service Unavailable | 4 |" in text
    assert "`test_desk.py::test_a_request_retried_through_an_outage_passes`" in text
    assert "pytest test_desk.py::test_a_quantity_returned_as_text_is_contract_drift`\n" in text
    assert "- **[test defect]** [XPASS(strict)] known defect TRD-2" in text
    assert "acceptance summary" in sample_run.output
    assert "[environment] GET http://127.0.0.1:" in sample_run.output
    assert "    scenario test_desk.py::test_an_unreachable_api_is_an_environment_problem" in (
        sample_run.output
    )


@pytest.fixture(scope="module")
def sample_report(sample_run: SampleRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of the sample run: its folder."""
    folder = tmp_path_factory.mktemp("sample-report")
    options = ReportOptions(
        results=(sample_run.results,), output=folder / "html", history=folder / "h.jsonl"
    )
    return build_report(options).parent


def _result_id(report: Path, name: str) -> str:
    for path in (report / "data" / "test-results").glob("*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        if result["name"] == name:
            return str(result["id"])
    raise AssertionError(f"no result named {name!r} in the report")


def test_a_failed_scenarios_page_reads_like_a_bug_report(
    sample_report: Path, serve: Callable[[Path], ServedReport]
) -> None:
    """The page a reviewer opens, as Chromium renders it: the message, the failing step with
    its feature line, the replay attached, and nothing of pytest's internals."""
    served = serve(sample_report)
    name = "An order refused by mistake is a product defect"
    screenshot = SCREENSHOTS / "report-failed-scenario.png"
    page = read(render(f"{served.url}#{_result_id(sample_report, name)}", screenshot))
    text = "\n".join(page.text)
    assert name in page.text
    assert "[product defect] POST http://127.0.0.1:" in text
    assert "features/orders/desk.feature:28" in text
    assert (
        "replay: python reports/replay/desk__an_order_refused_by_mistake_is_a_product_defect.py"
        " BASE_URL"
    ) in page.text
    assert "HTTP exchanges (HAR)" in page.text
    for internal in ("fixturefunc", "FixtureRequest", "site-packages", "_pytest", "Traceback"):
        assert internal not in text
    assert is_png(screenshot)
    assert served.violations == []


def test_the_report_filters_retried_scenarios_and_attaches_the_run_summary(
    sample_report: Path,
) -> None:
    filters = json.loads((sample_report / "widgets" / "tree-filters.json").read_text("utf-8"))
    assert "retried ×1" in filters["tags"]
    attachments = json.loads((sample_report / "widgets" / "globals.json").read_text("utf-8"))
    names = [attachment["name"] for attachment in attachments["attachments"]]
    assert names[0] == "Run summary"


def test_the_report_of_the_run_shows_every_scenario_and_category(
    sample_report: Path, serve: Callable[[Path], ServedReport]
) -> None:
    served = serve(sample_report)
    screenshot = SCREENSHOTS / "report-plugin-run.png"
    results = read(render(served.url, screenshot))
    # The tree opens every group with a scenario that did not pass; "Total 13" counts all.
    not_passed = [name for name, (status, _) in EXPECTED.items() if status != "passed"]
    assert sorted(results.leaf_titles) == sorted(not_passed)
    assert "Total 13" in " ".join(results.text)
    assert {"Orders", "Order desk", "Healthy requests pass", "Every scenario is counted"} <= set(
        results.text
    )
    assert is_png(screenshot)
    categories = read(render(served.url + "#categories", SCREENSHOTS / "report-plugin-run-cat.png"))
    names = ("Product defect", "Contract drift", "Environment", "Test defect", "Known defect")
    assert set(names) <= set(categories.text)
    assert "Unclassified failure" not in categories.text
    assert served.violations == []


def test_the_suites_own_results_hold_none_of_the_secrets_it_used(tmp_path: Path) -> None:
    """The account and security scenarios sign in, sign out and try wrong passwords and
    made-up tokens: none of those secrets may reach the results folder, in any encoding."""
    spied = tmp_path / "secrets.jsonl"
    results = tmp_path / "allure-results"
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "tests/acceptance", "-m", "accounts or security"),
            *("-n", "2", "-p", "tests.reporting.secret_spy", "--alluredir", str(results)),
            *("--run-summary", str(tmp_path / "summary.md"), "-q"),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "SECRET_SPY_FILE": str(spied)},
        capture_output=True,
        text=True,
        timeout=_RUN_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    secrets = {json.loads(line) for line in spied.read_text(encoding="utf-8").splitlines()}
    secrets = {secret for secret in secrets if len(secret) >= 8}
    assert len(secrets) > 50, "the run learned fewer secrets than its scenarios use"
    forms = set().union(*(encodings_of(secret) for secret in secrets))
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in results.iterdir()]
    assert len(texts) > 100
    leaks = sorted({form for form in forms for text in texts if form in text})
    assert leaks == []


_STREAK_FEATURE = """\
Feature: A target going down
  Scenario: Down first
    Given the API is down

  Scenario: Down second
    Given the API is down

  Scenario: Up in between
    Given the API is up

  Scenario: Down third
    Given the API is down

  Scenario: Down fourth
    Given the API is down

  Scenario: Down fifth
    Given the API is down

  Scenario: Never started
    Given the API is up
"""

_STREAK_STEPS = """\
from pytest_bdd import given, scenarios

scenarios("down.feature")


@given("the API is down")
def _down():
    raise ConnectionError("connection to 127.0.0.1:9 refused")


@given("the API is up")
def _up():
    pass
"""


def test_three_environment_failures_in_a_row_stop_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    pytester.makeconftest('pytest_plugins = ["reporting.pytest_plugin"]')
    pytester.makefile(".feature", down=_STREAK_FEATURE)
    pytester.makepyfile(test_down=_STREAK_STEPS)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--run-summary=summary.md")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # The pass in between breaks the series: the run stops after the fifth, not the second.
    result.assert_outcomes(failed=5, passed=1)
    summary = json.loads((pytester.path / "summary.json").read_text(encoding="utf-8"))
    outcomes = {s["nodeid"].split("::")[1]: s["outcome"] for s in summary["scenarios"]}
    assert outcomes["test_never_started"] == "not run"
    assert outcomes["test_down_fifth"] == "failed"
    [stop] = [line for line in result.outlines if "the run stopped" in line]
    assert stop.endswith("; 1 scenarios not run (never counted as passed)")
