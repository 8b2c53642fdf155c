"""With SUITE_OPEN_ACCOUNTS=false the smoke set runs as one existing customer; the rest skips."""

from __future__ import annotations

import re
import secrets
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from framework.client import ApiClient
from framework.errors import SuiteDefectError
from framework.settings import Settings
from steps.domain.customers import Cast
from steps.lint import scenarios
from steps.runner import NO_OWN_CUSTOMERS, PROJECT_ROOT
from steps.sandbox_process import SandboxProcess
from tests.acceptance.suite_run import run_suite

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    process = SandboxProcess.start(project_root=PROJECT_ROOT)
    yield process.url
    process.stop()


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The acceptance suite in one fresh process against a URL, with these variables set."""
    return lambda url, **variables: run_suite(url, "-n", "0", artifacts=tmp_path, **variables)


def test_only_the_smoke_set_runs_with_the_existing_customer(sandbox: str, run: Run) -> None:
    username = f"existing_{uuid.uuid4().hex[:16]}"
    password = secrets.token_urlsafe(18)
    opened = requests.post(
        f"{sandbox}/accounts", json={"username": username, "password": password}, timeout=10
    )
    assert opened.status_code == 201, opened.text
    result = run(sandbox, SUITE_OPEN_ACCOUNTS="false", API_USERNAME=username, API_PASSWORD=password)
    every = scenarios()
    smoke = sum(scenario.rows for scenario in every if "smoke" in scenario.tags)
    rest = sum(scenario.rows for scenario in every) - smoke
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(rf"\b{smoke} passed, {rest} skipped\b", summary), result.stdout[-3000:]
    assert "failed" not in summary
    assert "error" not in summary
    assert NO_OWN_CUSTOMERS in result.stdout
    assert password not in result.stdout + result.stderr


def test_without_an_existing_customer_the_run_stops_in_one_line(sandbox: str, run: Run) -> None:
    result = run(sandbox, SUITE_OPEN_ACCOUNTS="false")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout[-2000:]
    assert "SUITE_OPEN_ACCOUNTS=false needs a pre-provisioned customer" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_wrong_setting_stops_the_run_in_one_line(sandbox: str, run: Run) -> None:
    result = run(sandbox, SUITE_OPEN_ACCOUNTS="perhaps")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout[-2000:]
    assert "SUITE_OPEN_ACCOUNTS='perhaps' is invalid: expected true or false" in result.stderr


def test_a_scenario_gets_one_existing_customer_and_no_second() -> None:
    with ApiClient(Settings(api_url=None), base_url="http://127.0.0.1:9") as client:
        cast = Cast(client, controls_allowed=False, provisioned=("existing", SecretStr("pw-x")))
        alice = cast.introduce("Alice")
        assert (alice.session.username, alice.provisioned) == ("existing", True)
        with pytest.raises(SuiteDefectError, match="Bob would be a second customer"):
            cast.introduce("Bob")
