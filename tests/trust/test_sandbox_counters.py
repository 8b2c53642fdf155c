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

from sandbox.chaos import Stats
from sandbox.controls import Fault
from steps.sandbox_process import SandboxProcess
from tests.trust.commands import ROOT, python_module

PASSWORD = "correct horse battery"
TIMEOUT = 10  #: seconds per request


@contextmanager
def sandbox(tmp_path: Path, *options: str) -> Iterator[tuple[str, Path]]:
    stats = tmp_path / f"stats-{uuid.uuid4().hex}.json"
    process = SandboxProcess.start(
        project_root=ROOT, options=[*options, "--stats-file", str(stats)]
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
    """Resend (same key, same request id) until an answer that is not an injected fault."""
    key = uuid.uuid4().hex
    for _ in range(60):
        response = send(url, method, path, key=key, **kw)
        if response is not None and response.status_code < 500:
            return response  # type: ignore[no-any-return]
    raise AssertionError(f"{method} {path} never answered")


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
    assert counters["duplicates"] == []
    assert counters["executions"] == 3  # the account, the token, the deposit once
    assert counters["resent_attempts"] == 1


def test_a_resend_that_executes_again_is_counted_as_a_duplicate(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--defect", "idempotency_ignored") as (url, stats):
        auth = customer(url)
        key = uuid.uuid4().hex
        body = {"amount": 10, "method": "CARD"}
        for _ in range(2):
            answer = send(url, "POST", "/payments/deposits", key=key, headers=auth, json=body)
            assert answer.status_code == 201
    assert read(stats)["duplicates"] == [
        {"request_id": key, "operation": "POST /payments/deposits", "executions": 2}
    ]


def test_chaos_spares_health_controls_and_staged_customers(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--chaos", "1", "--seed", "4") as (url, stats):
        assert [send(url, "GET", "/health").status_code for _ in range(5)] == [200] * 5
        auth = customer(url)
        clock = {"offset_seconds": 0}
        answers = [send(url, "PUT", "/_sandbox/clock", headers=auth, json=clock) for _ in range(5)]
        assert [answer.status_code for answer in answers] == [200] * 5
        faulted = [send(url, "GET", "/account", headers=auth) for _ in range(20)]
        hit = [a for a in faulted if a is None or a.status_code in (429, 502, 503, 504)]
        assert len(hit) >= 15  # every request gets a fault; a delay still answers 200
        send(url, "PUT", "/_sandbox/rate-limit", headers=auth, json={"limit": 1000})
        spared = [send(url, "GET", "/account", headers=auth) for _ in range(10)]
        assert [answer.status_code for answer in spared] == [200] * 10
        again = customer(url, auth["X-Username"])  # a new token of the same customer
        spared = [send(url, "GET", "/account", headers=again) for _ in range(10)]
        assert [answer.status_code for answer in spared] == [200] * 10
        staging = customer(url)
        elsewhere = {"method": "GET", "path": "/nowhere", "fault": {"kind": "reset"}}
        send(url, "POST", "/_sandbox/faults", headers=staging, json=elsewhere)
        staged = [send(url, "GET", "/account", headers=staging) for _ in range(10)]
        assert [answer.status_code for answer in staged] == [200] * 10
    counters = read(stats)
    assert sum(counters["faults"].values()) >= 15
    assert all(name.startswith("chaos:") for name in counters["faults"])


def test_stats_count_attempts_per_logical_request() -> None:
    stats = Stats()
    for request_id in ("a", "a", "a", "b"):
        stats.request(request_id)
    stats.fault(
        "chaos", Fault(fault_id="chaos", method="*", path="*", spec={"kind": "reset"}, times=1)
    )
    stats.executed("a", "POST /orders")
    assert stats.as_json() == {
        "requests": 4,
        "logical_requests": 2,
        "resent_attempts": 2,
        "faults": {"chaos:reset": 1},
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
