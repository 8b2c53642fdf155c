"""Fault injection: status, delay, reset and lost responses, scoped to their creator."""

from __future__ import annotations

import socket
import time
import uuid
from typing import Any

import pytest
import requests

from tests.sandbox.conftest import (
    REQUEST_TIMEOUT,
    Customer,
    assert_error,
    open_account,
    unique_username,
)

BUY = {"symbol": "AAPL", "side": "BUY", "quantity": 1, "order_type": "MARKET"}


def _fault(customer: Customer, fault: dict[str, Any], **rule: Any) -> dict[str, Any]:
    body = {"method": "POST", "path": "/orders", "fault": fault, **rule}
    response = customer.post("/_sandbox/faults", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_list_and_clear_faults(customer: Customer) -> None:
    created = _fault(customer, {"kind": "status", "status": 503, "retry_after": "2"}, times=2)
    assert created["fault_id"].startswith("flt_")
    assert (created["method"], created["path"]) == ("POST", "/orders")
    assert created["fault"] == {"kind": "status", "status": 503, "retry_after": "2"}
    assert (created["times"], created["fired"], created["remaining"]) == (2, 0, 2)
    assert customer.get("/_sandbox/faults").json() == {"items": [created]}
    assert customer.delete("/_sandbox/faults").status_code == 204
    assert customer.get("/_sandbox/faults").json() == {"items": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "FETCH", "path": "/orders", "fault": {"kind": "reset"}}, "method"),
        ({"path": "/orders", "fault": {"kind": "reset"}}, "method"),
        ({"method": "GET", "path": "", "fault": {"kind": "reset"}}, "path"),
        ({"method": "GET", "path": 5, "fault": {"kind": "reset"}}, "path"),
        ({"method": "GET", "fault": {"kind": "reset"}}, "path"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "boom"}}, "fault"),
        ({"method": "GET", "path": "/x"}, "fault"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "status", "status": 404}}, "fault"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "status"}}, "fault"),
        (
            {
                "method": "GET",
                "path": "/x",
                "fault": {"kind": "status", "status": 503, "retry_after": "soon"},
            },
            "fault",
        ),
        ({"method": "GET", "path": "/x", "fault": {"kind": "delay", "ms": 0}}, "fault"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "delay", "ms": 30001}}, "fault"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "reset", "ms": 5}}, "fault"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "reset"}, "times": 0}, "times"),
        ({"method": "GET", "path": "/x", "fault": {"kind": "reset"}, "times": 101}, "times"),
    ],
)
def test_invalid_faults(customer: Customer, body: dict[str, Any], field: str) -> None:
    assert_error(customer.post("/_sandbox/faults", json=body), 400, "INVALID_FAULT", field)


def test_unknown_fault_fields(customer: Customer) -> None:
    body = {"method": "GET", "path": "/x", "fault": {"kind": "reset"}, "fired": 3}
    assert_error(customer.post("/_sandbox/faults", json=body), 400, "UNKNOWN_FIELD", "fired")


def test_status_fault_answers_without_executing(customer: Customer) -> None:
    customer.deposit("1000")
    _fault(customer, {"kind": "status", "status": 503, "retry_after": "2"}, times=2)
    for _ in range(2):
        response = customer.order(**BUY)
        assert_error(response, 503, "INJECTED_FAULT")
        assert response.headers["Retry-After"] == "2"
    assert customer.order(**BUY).status_code == 201
    assert len(customer.get("/orders").json()["items"]) == 1
    listed = customer.get("/_sandbox/faults").json()["items"]
    assert (listed[0]["fired"], listed[0]["remaining"]) == (2, 0)


@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_every_fault_status(customer: Customer, status: int) -> None:
    date = "Wed, 21 Oct 2026 07:28:00 GMT"
    _fault(
        customer,
        {"kind": "status", "status": status, "retry_after": date},
        method="GET",
        path="/account",
    )
    response = customer.get("/account")
    assert_error(response, status, "INJECTED_FAULT")
    assert response.headers["Retry-After"] == date


def test_oldest_matching_fault_fires_and_only_one(customer: Customer) -> None:
    _fault(customer, {"kind": "status", "status": 502}, method="*", path="/acc*")
    _fault(customer, {"kind": "status", "status": 504}, method="GET", path="/account")
    assert customer.get("/account").status_code == 502
    assert customer.get("/account").status_code == 504
    assert customer.get("/account").status_code == 200
    assert [f["fired"] for f in customer.get("/_sandbox/faults").json()["items"]] == [1, 1]


def test_path_is_a_glob_over_the_path_only(customer: Customer) -> None:
    _fault(customer, {"kind": "status", "status": 500}, method="GET", path="/orders/*")
    assert customer.get("/orders", params={"limit": 5}).status_code == 200
    assert customer.get("/orders/ord_x", params={"limit": 5}).status_code == 500


def test_faults_are_scoped_to_their_creator(customer: Customer, other: Customer) -> None:
    _fault(customer, {"kind": "status", "status": 500}, method="*", path="*", times=100)
    assert other.get("/account").status_code == 200
    assert requests.get(customer.base_url + "/health", timeout=REQUEST_TIMEOUT).status_code == 200
    assert open_account(customer.base_url, unique_username()).status_code == 201
    assert customer.login().status_code == 200
    # ... and never fire on the sandbox controls.
    assert customer.get("/_sandbox/faults").status_code == 200
    assert customer.put("/_sandbox/clock", json={"offset_seconds": 0}).status_code == 200
    assert customer.get("/account").status_code == 500


def test_delay_waits_then_executes(customer: Customer) -> None:
    _fault(customer, {"kind": "delay", "ms": 1000}, path="/payments/deposits")
    with pytest.raises(requests.exceptions.ReadTimeout):
        customer.post("/payments/deposits", json={"amount": 4, "method": "CARD"}, timeout=0.3)
    deadline = time.monotonic() + REQUEST_TIMEOUT
    balance = 0
    while balance == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
        balance = customer.get("/account").json()["balance"]
    assert balance == 4


def test_reset_breaks_the_connection_without_executing(customer: Customer) -> None:
    customer.deposit("1000")
    _fault(customer, {"kind": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        customer.order(**BUY)
    assert customer.get("/orders").json()["items"] == []
    assert customer.get("/account").json()["balance"] == 1000


def test_drop_response_executes_then_breaks_the_connection(customer: Customer) -> None:
    customer.deposit("1000")
    _fault(customer, {"kind": "drop_response"})
    key = {"Idempotency-Key": str(uuid.uuid4())}
    with pytest.raises(requests.exceptions.ConnectionError):
        customer.post("/orders", json=BUY, headers=key)
    retried = customer.post("/orders", json=BUY, headers=key)
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert len(customer.get("/orders").json()["items"]) == 1


def test_without_a_key_a_resend_after_a_lost_response_executes_twice(customer: Customer) -> None:
    customer.deposit("1000")
    _fault(customer, {"kind": "drop_response"})
    with pytest.raises(requests.exceptions.ConnectionError):
        customer.order(**BUY)
    assert customer.order(**BUY).status_code == 201
    assert len(customer.get("/orders").json()["items"]) == 2


def test_a_lost_response_is_lost_whatever_the_outcome(customer: Customer) -> None:
    _fault(customer, {"kind": "drop_response"})
    with pytest.raises(requests.exceptions.ConnectionError):
        customer.order(**BUY)  # 422 INSUFFICIENT_FUNDS, never seen
    assert customer.get("/orders").json()["items"] == []


@pytest.mark.parametrize("kind", ["reset", "drop_response"])
def test_not_one_byte_of_a_response_is_written(customer: Customer, kind: str) -> None:
    _fault(customer, {"kind": kind}, method="GET", path="/account")
    host, port = customer.base_url.removeprefix("http://").rsplit(":", 1)
    request = (
        f"GET /account HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {customer.token}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(request)
        try:
            received = sock.recv(65536)
        except ConnectionResetError:
            received = b""
    assert received == b""
