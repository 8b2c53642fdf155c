"""The runner decides before collection whether a run can select acceptance scenarios."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from steps.runner import BINDINGS_DIR, PROJECT_ROOT, _may_select_acceptance

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


class _RealDeployment(BaseHTTPRequestHandler):
    """Just enough of a real deployment: accounts and tokens, and no sandbox controls."""

    def do_GET(self) -> None:
        if self.path == "/health":
            self._answer(200, {"status": "ok", "version": "real-1"})
        else:
            self._answer(404, {"code": "NOT_FOUND", "message": "no such path", "field": None})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/accounts":
            self._answer(
                201,
                {
                    "account_id": "acc_0123456789abcdef0123",
                    "username": body["username"],
                    "currency": "USD",
                    "balance": 0,
                    "buying_power": 0,
                    "positions": [],
                    "created_at": "2026-11-27T10:30:00Z",
                },
            )
        else:
            self._answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 3600})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        content = json.dumps({**body, "request_id": "r"} if status >= 400 else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def real_deployment() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RealDeployment)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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


def test_an_unreachable_api_stops_the_run_at_once_with_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    _suite_against(pytester, monkeypatch, closed)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines([f"*the API at {closed} is unreachable*unset API_URL*"])
    result.stdout.no_fnmatch_line("*passed*")
