"""Fault injection: status, delay, reset and lost responses, scoped to their creator."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
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


# Every exit of the pipeline after the point where faults fire (validation, the idempotency
# key's replay, in-use and reused answers, execution's 2xx, 404, 409 and 422), with every
# fault kind: the fault keeps its promise whatever the request's outcome.


@dataclass(frozen=True)
class State:
    """What a customer can see of their own account: its balance and their orders."""

    balance: Decimal
    orders: tuple[tuple[str, str], ...]


def _state(customer: Customer) -> State:
    balance = customer.get("/account").json(parse_float=Decimal)["balance"]
    orders = customer.get("/orders").json()["items"]
    return State(Decimal(balance), tuple((order["order_id"], order["status"]) for order in orders))


@dataclass
class Reached:
    """A request that lands on one exit, and how to wait for what else it set going."""

    send: Callable[[], requests.Response]
    finish: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Exit:
    """One way out of the pipeline: the request that takes it, its answer, its effect.

    ``answer`` is the status, and for an error its code and field; ``gains`` is what the
    balance gains when the request is not executed, and when it is.
    """

    method: str
    path: str
    answer: tuple[int, str | None, str | None]
    reach: Callable[[Customer], Reached]
    gains: tuple[int, int] = (0, 0)


DEPOSIT = {"amount": 5, "method": "CARD"}


def _deposit(customer: Customer, key: dict[str, str], amount: int = 5) -> requests.Response:
    return customer.post("/payments/deposits", json={**DEPOSIT, "amount": amount}, headers=key)


def _invalid_order(customer: Customer) -> Reached:
    return Reached(lambda: customer.order(**{**BUY, "quantity": 0}))


def _replayed_deposit(customer: Customer) -> Reached:
    key = _idempotency_key()
    assert _deposit(customer, key).status_code == 201
    return Reached(lambda: _deposit(customer, key))


def _deposit_in_flight(customer: Customer) -> Reached:
    """A resend while the first request, slowed by a delay fault, holds the key."""
    key = _idempotency_key()
    _fault(customer, {"kind": "delay", "ms": 2000}, path="/payments/deposits")
    holder = threading.Thread(
        target=requests.post,
        args=(customer.base_url + "/payments/deposits",),
        kwargs={
            "json": DEPOSIT,
            "headers": {**key, "Authorization": f"Bearer {customer.token}"},
            "timeout": REQUEST_TIMEOUT,
        },
    )
    holder.start()
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while time.monotonic() < deadline:  # fired: the holder already holds its key
        if customer.get("/_sandbox/faults").json()["items"][0]["fired"]:
            break
        time.sleep(0.01)
    return Reached(lambda: _deposit(customer, key), lambda: holder.join(REQUEST_TIMEOUT))


def _reused_key(customer: Customer) -> Reached:
    key = _idempotency_key()
    assert _deposit(customer, key).status_code == 201
    return Reached(lambda: _deposit(customer, key, amount=6))


def _new_deposit(customer: Customer) -> Reached:
    return Reached(lambda: _deposit(customer, _idempotency_key()))


def _unknown_symbol(customer: Customer) -> Reached:
    return Reached(lambda: customer.post("/orders", json={**BUY, "symbol": "ZZZZ"}))


def _filled_order_cancelled(customer: Customer) -> Reached:
    customer.deposit("1000")
    order = customer.order(**BUY).json()
    assert order["status"] == "FILLED", order
    return Reached(lambda: customer.delete(f"/orders/{order['order_id']}"))


def _unaffordable_order(customer: Customer) -> Reached:
    return Reached(lambda: customer.order(**BUY))


EXITS = {
    "validation 400": Exit(
        "POST", "/orders", (400, "INVALID_QUANTITY", "quantity"), _invalid_order
    ),
    "idempotent replay": Exit("POST", "/payments/deposits", (201, None, None), _replayed_deposit),
    "key in use 409": Exit(
        "POST",
        "/payments/deposits",
        (409, "IDEMPOTENCY_KEY_IN_USE", None),
        _deposit_in_flight,
        gains=(5, 5),  # the request holding the key executes either way
    ),
    "key reused 422": Exit(
        "POST", "/payments/deposits", (422, "IDEMPOTENCY_KEY_REUSED", None), _reused_key
    ),
    "executed 2xx": Exit(
        "POST", "/payments/deposits", (201, None, None), _new_deposit, gains=(0, 5)
    ),
    "executed 404": Exit("POST", "/orders", (404, "SYMBOL_NOT_FOUND", "symbol"), _unknown_symbol),
    "executed 409": Exit(
        "DELETE", "/orders/*", (409, "ORDER_NOT_CANCELLABLE", None), _filled_order_cancelled
    ),
    "executed 422": Exit(
        "POST", "/orders", (422, "INSUFFICIENT_FUNDS", "quantity"), _unaffordable_order
    ),
}

#: ms a delay fault waits in the pipeline tests
DELAY_MS = 300

#: Each fault kind: the fault, and whether the request is still executed under it.
KINDS: dict[str, tuple[dict[str, Any] | None, bool]] = {
    "no fault": (None, True),
    "drop_response": ({"kind": "drop_response"}, True),
    "delay": ({"kind": "delay", "ms": DELAY_MS}, True),
    "status": ({"kind": "status", "status": 503, "retry_after": "1"}, False),
    "reset": ({"kind": "reset"}, False),
}


def _idempotency_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("exit_name", list(EXITS))
def test_every_fault_kind_on_every_exit_of_the_pipeline(
    customer: Customer, exit_name: str, kind: str
) -> None:
    exit_, (fault, executed) = EXITS[exit_name], KINDS[kind]
    reached = exit_.reach(customer)
    before = _state(customer)
    if fault is not None:
        _fault(customer, fault, method=exit_.method, path=exit_.path)
    started = time.monotonic()
    try:
        answer: requests.Response | None = reached.send()
    except requests.exceptions.ConnectionError:
        answer = None
    elapsed = time.monotonic() - started
    reached.finish()
    if kind in ("drop_response", "reset"):
        assert answer is None, f"{kind} on {exit_name} answered {answer.status_code}"
    elif kind == "status":
        assert answer is not None
        assert_error(answer, 503, "INJECTED_FAULT")
        assert answer.headers["Retry-After"] == "1"
    else:
        assert answer is not None
        status, code, field = exit_.answer
        if code is None:
            assert answer.status_code == status, answer.text
        else:
            assert_error(answer, status, code, field)
        replayed = answer.headers.get("Idempotent-Replayed") == "true"
        assert replayed is (exit_name == "idempotent replay")
    if kind == "delay":
        assert elapsed >= DELAY_MS / 1000  # the server cannot answer before its wait is over
    gain = exit_.gains[executed]
    assert _state(customer) == State(before.balance + gain, before.orders)


def test_a_fault_resent_under_its_key_is_replayed_and_armed_once(customer: Customer) -> None:
    key = _idempotency_key()
    body = {"method": "GET", "path": "/account", "fault": {"kind": "status", "status": 503}}
    first = customer.post("/_sandbox/faults", json=body, headers=key)
    again = customer.post("/_sandbox/faults", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert customer.get("/_sandbox/faults").json()["items"] == [first.json()]
    assert customer.get("/account").status_code == 503
    assert customer.get("/account").status_code == 200


def test_a_fault_key_follows_the_idempotency_rules(customer: Customer) -> None:
    key = _idempotency_key()
    body = {"method": "GET", "path": "/account", "fault": {"kind": "reset"}}
    assert customer.post("/_sandbox/faults", json=body, headers=key).status_code == 201
    other = {**body, "times": 2}
    assert_error(
        customer.post("/_sandbox/faults", json=other, headers=key), 422, "IDEMPOTENCY_KEY_REUSED"
    )
    malformed = {"Idempotency-Key": "é"}
    assert_error(
        customer.post("/_sandbox/faults", json=body, headers=malformed),
        400,
        "INVALID_IDEMPOTENCY_KEY",
    )
    assert customer.post("/_sandbox/faults", json=body).status_code == 201  # no key: armed anew
    assert [fault["times"] for fault in customer.get("/_sandbox/faults").json()["items"]] == [1, 1]
