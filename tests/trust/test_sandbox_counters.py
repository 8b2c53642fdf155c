"""The sandbox's audit counters and chaos, against a real sandbox process on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.chaos import KINDS, Stats
from steps.sandbox_process import SandboxProcess
from tests.trust.commands import ROOT, python_module

PASSWORD = "correct horse battery"
TIMEOUT = 10  #: seconds per request


@contextmanager
def sandbox(
    tmp_path: Path, *options: str, command: tuple[str, ...] = ("sandbox",)
) -> Iterator[tuple[str, Path]]:
    stats = tmp_path / f"stats-{uuid.uuid4().hex}.json"
    process = SandboxProcess.start(
        project_root=ROOT, command=command, options=[*options, "--stats-file", str(stats)]
    )
    try:
        yield process.url, stats
    finally:
        process.stop()


def read(stats: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stats.read_text())
    return data


def send(url: str, method: str, path: str, *, key: str | None = None, **kw: Any) -> Any:
    """One request; a lost answer comes back as None. The same key and request id on resends."""
    headers = {"X-Request-ID": key or uuid.uuid4().hex, **kw.pop("headers", {})}
    if key:
        headers["Idempotency-Key"] = key
    try:
        return requests.request(method, url + path, headers=headers, timeout=TIMEOUT, **kw)
    except requests.ConnectionError:
        return None


def until_answered(url: str, method: str, path: str, **kw: Any) -> requests.Response:
    """Resend (same key, same request id) until an answer that is not trouble on the way."""
    key = uuid.uuid4().hex
    for _ in range(100):
        response = send(url, method, path, key=key, **kw)
        if response is not None and response.status_code not in TROUBLE:
            return response  # type: ignore[no-any-return]
    raise AssertionError(f"{method} {path} never answered")


#: Statuses of trouble on the way (a gateway's, or an injected fault's).
TROUBLE = {429, 500, 502, 503, 504}


def customer(url: str, username: str | None = None) -> dict[str, str]:
    """Open an account (or, given its username, sign in again): its authorization header."""
    account = {"username": username or f"u{uuid.uuid4().hex[:20]}", "password": PASSWORD}
    if username is None:
        assert until_answered(url, "POST", "/accounts", json=account).status_code == 201
    token = until_answered(url, "POST", "/auth/token", json=account).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "X-Username": account["username"]}


def test_a_lost_answer_resent_under_its_key_executes_once(tmp_path: Path) -> None:
    with sandbox(tmp_path) as (url, stats):
        auth = customer(url)
        fault = {"method": "POST", "path": "/payments/*", "fault": {"kind": "drop_response"}}
        send(url, "POST", "/_sandbox/faults", headers=auth, json=fault)
        key = uuid.uuid4().hex
        body = {"amount": 10, "method": "CARD"}
        assert send(url, "POST", "/payments/deposits", key=key, headers=auth, json=body) is None
        again = send(url, "POST", "/payments/deposits", key=key, headers=auth, json=body)
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
    counters = read(stats)
    assert counters["faults"] == {"customer:drop_response": 1}
    assert counters["delay_seconds"] == 0
    assert counters["duplicates"] == []
    assert counters["executions"] == 3  # the account, the token, the deposit once
    assert counters["resent_attempts"] == 1


def test_the_seconds_delay_faults_held_requests_are_counted(tmp_path: Path) -> None:
    with sandbox(tmp_path) as (url, stats):
        auth = customer(url)
        fault = {"method": "GET", "path": "/account", "fault": {"kind": "delay", "ms": 40}}
        send(url, "POST", "/_sandbox/faults", headers=auth, json={**fault, "times": 2})
        for _ in range(3):
            assert send(url, "GET", "/account", headers=auth).status_code == 200
    counters = read(stats)
    assert counters["faults"] == {"customer:delay": 2}
    assert counters["delay_seconds"] == 0.08


def test_a_resend_that_executes_again_is_counted_as_a_duplicate(tmp_path: Path) -> None:
    seeded = ("trust", "sandbox", "--defect", "idempotency_ignored")
    with sandbox(tmp_path, command=seeded) as (url, stats):
        auth = customer(url)
        key = uuid.uuid4().hex
        body = {"amount": 10, "method": "CARD"}
        for _ in range(2):
            answer = send(url, "POST", "/payments/deposits", key=key, headers=auth, json=body)
            assert answer.status_code == 201
    assert read(stats)["duplicates"] == [
        {"request_id": key, "operation": "POST /payments/deposits", "executions": 2}
    ]


def test_chaos_meets_every_operation_of_every_customer_but_the_controls(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--chaos", "1", "--seed", "4") as (url, stats):
        health = [send(url, "GET", "/health") for _ in range(16)]
        auth = customer(url)
        clock = {"offset_seconds": 0}
        answers = [send(url, "PUT", "/_sandbox/clock", headers=auth, json=clock) for _ in range(5)]
        assert [answer.status_code for answer in answers] == [200] * 5
        send(url, "PUT", "/_sandbox/rate-limit", headers=auth, json={"limit": 1000})
        watched = [send(url, "GET", "/account", headers=auth) for _ in range(16)]
        staged = {"method": "GET", "path": "/nowhere", "fault": {"kind": "reset"}}
        send(url, "POST", "/_sandbox/faults", headers=auth, json=staged)
        staging = [send(url, "GET", "/account", headers=auth) for _ in range(16)]
        account = {"username": auth["X-Username"], "password": PASSWORD}
        signing_in = [send(url, "POST", "/auth/token", json=account) for _ in range(16)]
    for answers in (health, watched, staging, signing_in):
        # Every request meets trouble; only a delay (one kind in eight) still answers 200.
        troubled = [a for a in answers if a is None or a.status_code in TROUBLE]
        assert len(troubled) >= 10
    assert any(a is not None and a.status_code == 429 for a in signing_in)
    counters = read(stats)
    assert {name.split(":")[1] for name in counters["faults"]} == set(KINDS)
    assert all(name.startswith("chaos:") for name in counters["faults"])


def test_trouble_the_gateway_answers_never_reaches_the_rate_limit(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--chaos", "1", "--seed", "11") as (url, _):
        auth = customer(url)
        send(url, "PUT", "/_sandbox/rate-limit", headers=auth, json={"limit": 1000})
        views = [send(url, "GET", "/account", headers=auth) for _ in range(40)]
        # A control does not count and meets no chaos: it shows the window as the API kept it.
        peek = send(url, "PUT", "/_sandbox/clock", headers=auth, json={"offset_seconds": 0})
        used = 1000 - int(peek.headers["X-RateLimit-Remaining"])
    statuses = [view.status_code if view is not None else None for view in views]
    # A 429, 502 or 503 is always the gateway's own answer, the request never forwarded; a
    # 200 came from the API. (A lost connection or a 504 may be either.)
    turned_away = sum(status in (429, 502, 503) for status in statuses)
    assert turned_away > 0
    assert statuses.count(200) <= used <= len(views) - turned_away


def test_stats_count_attempts_per_logical_request() -> None:
    stats = Stats()
    for request_id in ("a", "a", "a", "b"):
        stats.request(request_id)
    stats.fault("chaos", "reset")
    stats.fault("chaos", "delay", delay=0.25)
    stats.fault("customer", "delay", delay=3.0)
    stats.executed("a", "POST /orders")
    assert stats.as_json() == {
        "requests": 4,
        "logical_requests": 2,
        "resent_attempts": 2,
        "faults": {"chaos:delay": 1, "chaos:reset": 1, "customer:delay": 1},
        "delay_seconds": 3.25,
        "executions": 1,
        "duplicates": [],
    }
    stats.executed("a", "POST /orders")
    assert stats.duplicates() == [{"request_id": "a", "operation": "POST /orders", "executions": 2}]


@pytest.mark.parametrize("rate", ["2", "-1", "ten"])
def test_a_bad_chaos_rate_at_start_is_one_clear_line(rate: str) -> None:
    done = python_module("sandbox", "--port", "0", "--chaos", rate)
    assert done.returncode == 2
    assert done.stderr.startswith("sandbox: argument --chaos: must be a share from 0 to 1")
    assert done.stderr.count("\n") == 1
