"""The defect proxy: what it rewrites, and, in front of a real sandbox, what it passes through."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, MutableMapping
from decimal import Decimal
from typing import Any

import pytest
import requests

from sandbox import jsonio, openapi
from sandbox.api import OPERATIONS
from steps.sandbox_process import SandboxProcess
from tests.trust.commands import ROOT, python_module
from trust.defects import CATALOGUE, Wire, find
from trust.drift import compare, explained
from trust.proxy import DOCUMENT_PATH, Proxy, failure_answer, rewrite, status_of

PASSWORD = "correct horse battery"
TIMEOUT = 10  #: seconds per request
WIRE = [defect for defect in CATALOGUE if isinstance(defect.made_by, Wire)]


def wire(name: str) -> Wire:
    made_by = find(name).made_by
    assert isinstance(made_by, Wire)
    return made_by


def body(value: Any) -> bytes:
    return jsonio.dumps(value)


ACCOUNT = {
    "account_id": "acc_1",
    "username": "alice",
    "currency": "USD",
    "balance": Decimal("190.00"),
    "buying_power": Decimal("0.10"),
    "positions": [{"symbol": "AAPL", "quantity": 1, "average_price": Decimal("190.00")}],
    "created_at": "2026-11-27T10:00:00.000Z",
}


def test_an_account_gets_its_extra_field_and_every_number_stays_as_written() -> None:
    changed = rewrite(wire("account_extra_field"), "/account", "application/json", body(ACCOUNT))
    assert changed is not None
    assert changed.startswith(body(ACCOUNT)[:-1])  # the same bytes, then the field
    assert changed.endswith(b',"risk_score":3}')


def test_a_balance_becomes_text_with_its_two_decimals() -> None:
    changed = rewrite(wire("balance_as_string"), "/account", "application/json", body(ACCOUNT))
    assert changed is not None
    assert json.loads(changed)["balance"] == "190.00"
    assert b'"buying_power":0.10' in changed


def test_objects_are_found_wherever_they_are_nested() -> None:
    order = {"order_id": "ord_1", "status": "FILLED", "quantity": 1}
    page = {"items": [order, {**order, "order_id": "ord_2", "status": "PENDING"}], "next": None}
    changed = rewrite(wire("order_status_lowercase"), "/orders", "application/json", body(page))
    assert changed is not None
    assert [item["status"] for item in json.loads(changed)["items"]] == ["filled", "pending"]


@pytest.mark.parametrize(
    ("name", "path", "value", "expected"),
    [
        (
            "quote_without_volume",
            "/market/AAPL",
            {"symbol": "AAPL", "price": Decimal("190.00"), "volume": 5, "timestamp": "t"},
            {"symbol": "AAPL", "price": "190.00", "timestamp": "t"},
        ),
        (
            "payment_time_offset",
            "/payments/pay_1",
            {"payment_id": "pay_1", "created_at": "2026-11-27T10:00:00.000Z"},
            {"payment_id": "pay_1", "created_at": "2026-11-27T10:00:00.000+00:00"},
        ),
        (
            "error_without_field",
            "/orders",
            {"code": "INVALID_SIDE", "message": "m", "field": "side", "request_id": "r"},
            {"code": "INVALID_SIDE", "message": "m", "request_id": "r"},
        ),
    ],
)
def test_each_object_change(name: str, path: str, value: Any, expected: Any) -> None:
    changed = rewrite(wire(name), path, "application/json", body(value))
    assert changed is not None
    assert json.loads(changed, parse_float=str) == expected


@pytest.mark.parametrize("name", [defect.name for defect in WIRE])
def test_what_a_defect_does_not_name_is_left_alone(name: str) -> None:
    health = body({"status": "ok", "version": "1.0.0"})
    assert rewrite(wire(name), "/health", "application/json", health) is None
    assert rewrite(wire(name), "/docs", "text/html", b"<html>{}</html>") is None
    assert rewrite(wire(name), "/account", "application/json", b"{not json") is None


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(openapi.build(OPERATIONS)))
    return document


@pytest.mark.parametrize("name", [d.name for d in WIRE if wire(d.name).schemas is not None])
def test_a_drift_defect_changes_the_document_so_that_the_drift_check_sees_it(name: str) -> None:
    raw = json.dumps(_document()).encode()
    changed = rewrite(wire(name), DOCUMENT_PATH, "application/json", raw)
    assert changed is not None
    document = json.loads(changed)
    assert document["paths"] == _document()["paths"]
    assert [d for d in compare(document) if explained(d) is None] != []
    # The change of the answers' objects is not made inside the document, whose schemas list
    # the same field names: every property there is still a schema, never a bare value.
    schemas = document["components"]["schemas"].values()
    assert all(isinstance(p, dict) for s in schemas for p in s.get("properties", {}).values())


def test_a_document_without_the_schema_a_defect_changes_is_passed_on_as_it_is() -> None:
    other = json.dumps({"openapi": "3.1.0", "components": {"schemas": {"Thing": {}}}}).encode()
    assert rewrite(wire("balance_as_string"), DOCUMENT_PATH, "application/json", other) is None


def test_a_defect_without_a_document_change_leaves_the_document_alone() -> None:
    raw = json.dumps(_document()).encode()
    assert rewrite(wire("payment_time_offset"), DOCUMENT_PATH, "application/json", raw) is None


def test_a_refusal_is_sent_with_another_status_only_where_the_defect_says() -> None:
    restatused = wire("insufficient_funds_as_bad_request")
    funds = body({"code": "INSUFFICIENT_FUNDS", "message": "m", "field": "quantity"})
    other = body({"code": "INSUFFICIENT_POSITION", "message": "m", "field": "quantity"})
    assert status_of(restatused, "POST /orders", 422, "application/json", funds) == 400
    assert status_of(restatused, "POST /orders", 422, "application/json", other) == 422
    assert (
        status_of(restatused, "POST /payments/withdrawals", 422, "application/json", funds) == 422
    )
    assert status_of(restatused, "POST /orders", 422, "text/plain", funds) == 422
    assert status_of(wire("outage"), "POST /orders", 422, "application/json", funds) == 422


def test_a_failure_answers_with_the_contracts_error_body() -> None:
    failure = wire("outage").failure
    assert failure is not None
    status, headers, content = failure_answer(failure, "req-1")
    assert status == 503
    assert (b"retry-after", b"1") in headers
    assert (b"x-request-id", b"req-1") in headers
    assert json.loads(content) == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "the service is unavailable",
        "field": None,
        "request_id": "req-1",
    }


# --- in front of a real sandbox --------------------------------------------------------


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    process = SandboxProcess.start(project_root=ROOT)
    try:
        yield process.url
    finally:
        process.stop()


def _proxy(defect: str, upstream: str) -> SandboxProcess:
    command = ("trust", "proxy", "--defect", defect, "--upstream", upstream)
    return SandboxProcess.start(project_root=ROOT, command=command)


@pytest.fixture(scope="module")
def proxied(upstream: str) -> Iterator[str]:
    """A proxy seeding `account_extra_field` in front of the sandbox."""
    process = _proxy("account_extra_field", upstream)
    try:
        yield process.url
    finally:
        process.stop()


def _customer(url: str) -> dict[str, str]:
    account = {"username": f"u{uuid.uuid4().hex[:20]}", "password": PASSWORD}
    assert requests.post(f"{url}/accounts", json=account, timeout=TIMEOUT).status_code == 201
    answer = requests.post(f"{url}/auth/token", json=account, timeout=TIMEOUT)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _stage(url: str, auth: dict[str, str], kind: str, path: str) -> None:
    fault = {"method": "POST", "path": path, "fault": {"kind": kind}}
    staged = requests.post(f"{url}/_sandbox/faults", headers=auth, json=fault, timeout=TIMEOUT)
    assert staged.status_code == 201


@pytest.mark.parametrize("kind", ["reset", "drop_response"])
def test_a_broken_upstream_connection_is_a_broken_connection_through_the_proxy(
    proxied: str, kind: str
) -> None:
    auth = _customer(proxied)
    _stage(proxied, auth, kind, "/payments/deposits")
    key = {"Idempotency-Key": uuid.uuid4().hex, **auth}
    deposit = {"amount": 10, "method": "CARD"}
    with requests.Session() as session, pytest.raises(requests.ConnectionError):
        session.post(f"{proxied}/payments/deposits", headers=key, json=deposit, timeout=TIMEOUT)
    again = requests.post(
        f"{proxied}/payments/deposits", headers=key, json=deposit, timeout=TIMEOUT
    )
    assert again.status_code == 201
    # A reset is not executed; a lost answer was, and its resend is answered by the replay.
    assert again.headers.get("Idempotent-Replayed") == ("true" if kind == "drop_response" else None)
    account = requests.get(f"{proxied}/account", headers=auth, timeout=TIMEOUT).json()
    assert account["balance"] == 10


def test_everything_else_passes_through_as_the_upstream_sent_it(
    upstream: str, proxied: str
) -> None:
    headers = {"X-Request-ID": "same-id"}
    direct = requests.get(f"{upstream}/health", headers=headers, timeout=TIMEOUT)
    through = requests.get(f"{proxied}/health", headers=headers, timeout=TIMEOUT)
    assert (through.status_code, through.content) == (direct.status_code, direct.content)
    assert through.headers["X-Request-ID"] == "same-id"
    assert through.headers["Cache-Control"] == direct.headers["Cache-Control"]
    unknown = requests.delete(f"{proxied}/nowhere?x=1", timeout=TIMEOUT)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "NOT_FOUND"
    # A header value that is not ASCII reaches the API as it was sent.
    accented: dict[str, str | bytes] = {"Idempotency-Key": "clé".encode(), **_customer(proxied)}
    order = {"symbol": "AAPL", "side": "BUY", "quantity": 1, "order_type": "MARKET"}
    refused = requests.post(f"{proxied}/orders", headers=accented, json=order, timeout=TIMEOUT)
    assert (refused.status_code, refused.json()["code"]) == (400, "INVALID_IDEMPOTENCY_KEY")


def test_the_defect_is_in_the_answers_and_in_the_document(proxied: str) -> None:
    auth = _customer(proxied)
    account = requests.get(f"{proxied}/account", headers=auth, timeout=TIMEOUT).json()
    assert account["risk_score"] == 3
    document = requests.get(f"{proxied}{DOCUMENT_PATH}", timeout=TIMEOUT).json()
    assert "risk_score" in document["components"]["schemas"]["Account"]["required"]
    drift = python_module("trust", "drift", "--url", proxied)
    assert drift.returncode == 1
    assert "Account.risk_score: field differs" in drift.stdout


def test_an_outage_answers_every_request_and_forwards_none(upstream: str) -> None:
    process = _proxy("outage", upstream)
    try:
        answer = requests.get(f"{process.url}/health", timeout=TIMEOUT)
        created = requests.post(f"{process.url}/accounts", json={}, timeout=TIMEOUT)
    finally:
        process.stop()
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "1")
    assert answer.json()["code"] == "SERVICE_UNAVAILABLE"
    assert created.status_code == 503  # not 400: the request never reached the sandbox


PARENT = """
import sys, time
from pathlib import Path
from steps.sandbox_process import SandboxProcess
command = ("trust", "proxy", "--defect", "outage", "--upstream", "http://127.0.0.1:9")
proxy = SandboxProcess.start(project_root=Path(sys.argv[1]), command=command)
print(proxy.url, flush=True)
time.sleep(60)
"""
#: seconds the proxy may take to notice its parent has gone and stop
GONE_WITHIN = 10


def _listening(url: str) -> bool:
    try:
        requests.get(f"{url}/health", timeout=1)
    except requests.ConnectionError:
        return False
    return True


def test_the_proxy_exits_by_itself_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(ROOT)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        url = parent.stdout.readline().strip()
        assert _listening(url)
        parent.kill()
        parent.wait(GONE_WITHIN)
        deadline = time.monotonic() + GONE_WITHIN
        while _listening(url) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        parent.kill()
    assert not _listening(url)


def test_a_port_in_use_is_one_clear_line(upstream: str) -> None:
    port = upstream.rsplit(":", 1)[1]
    done = python_module(
        "trust", "proxy", "--defect", "outage", "--upstream", upstream, "--port", port
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"trust: cannot listen on 127.0.0.1:{port}: the port is already in use: choose another"
        " with --port (--port 0 picks a free one)\n"
    )


def test_a_failure_of_the_proxy_itself_is_a_502_that_says_so(upstream: str) -> None:
    def broken(item: dict[str, Any]) -> None:
        raise ZeroDivisionError("a bug in a rewrite")

    proxy = Proxy(upstream=upstream, wire=Wire(objects=frozenset({"status"}), change=broken))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/health",
        "raw_path": b"/health",
        "query_string": b"",
        "headers": [],
        "state": {},
    }
    asyncio.run(proxy(scope, receive, send))
    assert sent[0]["status"] == 502
    body = json.loads(sent[1]["body"])
    assert body["code"] == "PROXY_ERROR"
    assert "a bug in a rewrite" in body["message"]
