"""With SUITE_OPEN_ACCOUNTS=false the smoke set runs as one existing customer; the rest skips."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import requests
from pydantic import SecretStr

from framework.client import ApiClient
from framework.settings import Settings
from steps.domain.customers import Cast
from steps.lint import scenarios
from steps.runner import NO_OWN_CUSTOMERS, PROJECT_ROOT
from steps.sandbox_process import SandboxProcess

#: Seconds the inner run may take before the test fails instead of hanging.
RUN_TIMEOUT = 240


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    process = SandboxProcess.start(project_root=PROJECT_ROOT)
    yield process.url
    process.stop()


def _run(url: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """The acceptance suite in a fresh process, against ``url``, with ``variables`` set."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("API_", "SUITE_", "PYTEST_"))
    }
    env.update(API_URL=url, **variables)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/acceptance",
            "-m",
            "acceptance",
            "-q",
            "-rs",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_only_the_smoke_set_runs_with_the_existing_customer(sandbox: str) -> None:
    username = f"existing_{uuid.uuid4().hex[:16]}"
    password = secrets.token_urlsafe(18)
    opened = requests.post(
        f"{sandbox}/accounts", json={"username": username, "password": password}, timeout=10
    )
    assert opened.status_code == 201, opened.text
    result = _run(
        sandbox, SUITE_OPEN_ACCOUNTS="false", API_USERNAME=username, API_PASSWORD=password
    )
    every = scenarios()
    smoke = sum(scenario.rows for scenario in every if "smoke" in scenario.tags)
    rest = sum(scenario.rows for scenario in every) - smoke
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(rf"\b{smoke} passed, {rest} skipped\b", summary), result.stdout[-3000:]
    assert "failed" not in summary
    assert "error" not in summary
    assert NO_OWN_CUSTOMERS in result.stdout
    assert password not in result.stdout + result.stderr


def test_without_an_existing_customer_the_run_stops_in_one_line(sandbox: str) -> None:
    result = _run(sandbox, SUITE_OPEN_ACCOUNTS="false")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout[-2000:]
    assert "SUITE_OPEN_ACCOUNTS=false needs a pre-provisioned customer" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_wrong_setting_stops_the_run_in_one_line(sandbox: str) -> None:
    result = _run(sandbox, SUITE_OPEN_ACCOUNTS="perhaps")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout[-2000:]
    assert "SUITE_OPEN_ACCOUNTS='perhaps' is invalid: expected true or false" in result.stdout


def test_a_scenario_gets_one_existing_customer_and_no_second() -> None:
    with ApiClient(Settings(api_url=None), base_url="http://127.0.0.1:9") as client:
        cast = Cast(client, controls_allowed=False, provisioned=("existing", SecretStr("pw-x")))
        alice = cast.introduce("Alice")
        assert (alice.session.username, alice.provisioned) == ("existing", True)
        with pytest.raises(AssertionError, match="Bob would be a second customer"):
            cast.introduce("Bob")
