"""Fixtures: a sandbox process on a free port, and customers with their own sessions."""

from __future__ import annotations

import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
#: seconds to wait for the sandbox's "listening" line
STARTUP_TIMEOUT = 30
#: seconds before any single test request gives up
REQUEST_TIMEOUT = 10
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Running:
    """A sandbox process and where it listens."""

    url: str
    process: subprocess.Popen[str]


@contextmanager
def run_sandbox(*args: str, log: Path) -> Iterator[Running]:
    """Start `python -m sandbox --port 0 ARGS`, wait for its ready line, stop it after."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        line = ""
        while not line and time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([process.stdout], [], [], 0.2)
            if ready:
                line = process.stdout.readline()
        assert line.startswith("sandbox listening on "), (line, log.read_text())
        yield Running(url=line.split()[-1], process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One sandbox for the session (one per xdist worker)."""
    with run_sandbox(log=tmp_path_factory.mktemp("sandbox") / "stderr.log") as running:
        yield running


@pytest.fixture(scope="session")
def base_url(sandbox: Running) -> str:
    """The sandbox's base URL."""
    return sandbox.url


def unique_username() -> str:
    """A username no other test (or xdist worker) uses."""
    return f"u_{uuid.uuid4().hex[:24]}"


@dataclass
class Customer:
    """A customer with an account and a token, and a session that presents it."""

    base_url: str
    username: str
    password: str
    token: str
    account_id: str
    session: requests.Session

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request as this customer."""
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def deposit(self, amount: str) -> None:
        """Deposit cash (`amount` written as the JSON number to send)."""
        response = self.post("/payments/deposits", data=f'{{"amount": {amount}, "method": "CARD"}}')
        assert response.status_code == 201, response.text

    def order(self, **fields: Any) -> requests.Response:
        """Place an order."""
        return self.post("/orders", json=fields)

    def login(self, **extra: Any) -> requests.Response:
        """A fresh login of this customer."""
        return requests.post(
            self.base_url + "/auth/token",
            json={"username": self.username, "password": self.password, **extra},
            timeout=REQUEST_TIMEOUT,
        )


def open_account(base_url: str, username: str, **extra: Any) -> requests.Response:
    """POST /accounts."""
    return requests.post(
        base_url + "/accounts",
        json={"username": username, "password": PASSWORD, **extra},
        timeout=REQUEST_TIMEOUT,
    )


def new_customer(base_url: str, **extra: Any) -> Customer:
    """Open an account, log in, and return the customer."""
    username = unique_username()
    opened = open_account(base_url, username, **extra)
    assert opened.status_code == 201, opened.text
    login = requests.post(
        base_url + "/auth/token",
        json={"username": username, "password": PASSWORD},
        timeout=REQUEST_TIMEOUT,
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return Customer(
        base_url=base_url,
        username=username,
        password=PASSWORD,
        token=token,
        account_id=opened.json()["account_id"],
        session=session,
    )


@pytest.fixture
def customer(base_url: str) -> Iterator[Customer]:
    """A new customer with balance 0."""
    created = new_customer(base_url)
    yield created
    created.session.close()


@pytest.fixture
def other(base_url: str) -> Iterator[Customer]:
    """A second, unrelated customer."""
    created = new_customer(base_url)
    yield created
    created.session.close()


def assert_error(
    response: requests.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """The response is the contract's error body with this status, code and field."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "field", "request_id"}, body
    assert body["code"] == code, body
    assert body["field"] == field, body
    assert body["message"], body
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body
