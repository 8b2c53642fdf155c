"""Fixtures of the report tests: results of a real pytest-bdd run, and a report built from them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from framework.client import ApiClient, Exchange
from framework.settings import Settings
from reporting.build import ReportOptions, build_report
from tests.framework.local_server import LocalServer, Reply
from tests.reporting.browser import ServedReport, report_server

#: Each scenario of the sample feature and the report category its failure must land in
#: (None: it passes).
SCENARIO_CATEGORIES: dict[str, str | None] = {
    "A limit order within buying power is accepted": None,
    "A price returned as text is contract drift": "Contract drift",
    "An order rejected by mistake is a product defect": "Product defect",
    "An unreachable API is an environment problem": "Environment",
    "A step that is not written yet is a test defect": "Test defect",
    "A failure nobody classified stays unclassified": "Unclassified failure",
}

_FEATURE = """\
Feature: Order placement
  Scenario: A limit order within buying power is accepted
    Given Alice has 10000.00 USD of buying power
    When Alice places a limit order to buy 10 AAPL at 150.00
    Then the order is accepted

  Scenario: A price returned as text is contract drift
    Given Alice has 10000.00 USD of buying power
    When Alice places a limit order to buy 10 AAPL at 150.00
    Then the order shows its limit price as a number

  Scenario: An order rejected by mistake is a product defect
    Given Alice has 10000.00 USD of buying power
    When Alice places a limit order to buy 10 AAPL at 150.00
    Then the order is not rejected

  Scenario: An unreachable API is an environment problem
    Given the trading API cannot be reached
    When Alice places a limit order to buy 10 AAPL at 150.00
    Then the order is accepted

  Scenario: A step that is not written yet is a test defect
    Given Alice has 10000.00 USD of buying power
    When Alice cancels an order that is not written yet
    Then the order is accepted

  Scenario: A failure nobody classified stays unclassified
    Given Alice has 10000.00 USD of buying power
    When Alice places a limit order to buy 10 AAPL at 150.00
    Then an unexplained check fails
"""

# Failure messages follow the convention of docs/reporting.md: a "[category]" tag first, or
# the failure_category label for an error whose message the suite does not write.
_STEPS = '''\
"""Step definitions of the sample feature the report tests run."""
import allure
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("orders.feature")


class ContractViolation(Exception):
    """Reported with its module in front: "test_orders.ContractViolation: ..."."""


@given(parsers.parse("Alice has {amount} USD of buying power"))
def _buying_power(amount):
    pass


@given("the trading API cannot be reached")
def _unreachable():
    allure.dynamic.label("failure_category", "environment")
    raise ConnectionError("connection to 127.0.0.1:9 refused")


@when(parsers.parse("Alice places a limit order to buy {quantity:d} {symbol} at {price}"))
def _place(quantity, symbol, price):
    pass


@when("Alice cancels an order that is not written yet")
def _cancel():
    raise NotImplementedError("[test defect] the cancel step has no domain action yet")


@then("the order is accepted")
def _accepted():
    pass


@then("the order shows its limit price as a number")
def _price_is_number():
    raise ContractViolation("[contract drift] limit_price: expected a number, received '150.00'")


@then("the order is not rejected")
def _not_rejected():
    raise AssertionError("[product defect] the order was rejected: INSUFFICIENT_FUNDS")


@then("an unexplained check fails")
def _unexplained():
    assert 1 + 1 == 3
'''

#: Upper bound for the inner pytest run, in seconds; it takes about one second.
_INNER_RUN_TIMEOUT = 120


@pytest.fixture(scope="session")
def allure_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Allure results written by a real pytest-bdd run of the sample feature (JUnit XML too)."""
    project = tmp_path_factory.mktemp("sample-suite")
    (project / "orders.feature").write_text(_FEATURE, encoding="utf-8")
    (project / "test_orders.py").write_text(_STEPS, encoding="utf-8")
    results = project / "allure-results"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "pytest_bdd.plugin",
            "-p",
            "allure_pytest_bdd.plugin",
            "--alluredir",
            str(results),
            "--junitxml",
            str(project / "junit.xml"),
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(project),
            "-q",
            str(project),
        ],
        cwd=project,
        # Only the two plugins the run is about: the project's other plugins (schemathesis,
        # hypothesis, xdist…) would multiply its start-up time and change nothing.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=_INNER_RUN_TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert "5 failed, 1 passed" in output, output
    return results


@pytest.fixture(scope="session")
def junit_xml(allure_results: Path) -> Path:
    """The JUnit XML file the same run wrote."""
    return allure_results.parent / "junit.xml"


@pytest.fixture(scope="session")
def built_report(allure_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a report built from :func:`allure_results` (index.html inside)."""
    root = tmp_path_factory.mktemp("report")
    options = ReportOptions(
        results=(allure_results,), output=root / "html", history=root / "history.jsonl"
    )
    return build_report(options).parent


@pytest.fixture
def serve() -> Iterator[Callable[[Path], ServedReport]]:
    """Serve a report folder: ``serve(folder) -> ServedReport``; stopped after the test."""
    with report_server() as start:
        yield start


#: The secrets and the generated name of :func:`recorded`'s customer.
PASSWORD = "pw-Zq8xv1Lrm3Tg7Hn2Bc5Kd9Wy"
TOKEN = "tok_4f1d9a7c2b8e6f3a0d5c7b9e1f2a4c6d"
USERNAME = "alice_0123456789abcdef"


def answers(account: str, token: str, balance: float) -> list[Reply]:
    """A local server's answers to opening an account, signing in and reading it."""
    return [
        Reply(status=201, body={"account_id": account, "username": "x"}),
        Reply(status=200, body={"access_token": token, "token_type": "bearer"}),
        Reply(status=200, body={"account_id": account, "balance": balance}),
    ]


@pytest.fixture
def recorded() -> Iterator[tuple[list[Exchange], ApiClient]]:
    """A customer opened, signed in, and her account read, as a scenario does it, through
    the framework's client against a local server: the exchanges, and the client."""
    settings = Settings(api_max_attempts=1)
    with LocalServer() as server, ApiClient(settings, base_url=server.url) as client:
        exchanges: list[Exchange] = []
        client.add_listener(exchanges.append)
        client.redactor.learn(PASSWORD)
        client.note_generated(USERNAME)
        server.script(*answers("acc_RUN0000000000000001", TOKEN, 5.0))
        client.request("POST", "/accounts", json={"username": USERNAME, "password": PASSWORD})
        client.request("POST", "/auth/token", json={"username": USERNAME, "password": PASSWORD})
        client.request("GET", "/accounts/acc_RUN0000000000000001", token=TOKEN)
        yield exchanges, client
