"""Idempotency keys: what a key stores, replays, reuse, keys in flight, retention."""

from __future__ import annotations

import threading
import time
import uuid

import requests

from tests.sandbox.conftest import (
    PASSWORD,
    REQUEST_TIMEOUT,
    Customer,
    assert_error,
    new_customer,
    unique_username,
)

BUY = {"symbol": "AAPL", "side": "BUY", "quantity": 1, "order_type": "MARKET"}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_same_key_same_body_replays_without_executing_again(customer: Customer) -> None:
    customer.deposit("1000")
    key = _key()
    first = customer.post("/orders", json=BUY, headers=key)
    second = customer.post("/orders", json=BUY, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(customer.get("/orders").json()["items"]) == 1
    assert customer.get("/account").json()["balance"] == 810


def test_numbers_compare_by_value_and_key_order_does_not_matter(customer: Customer) -> None:
    key = _key()
    first = customer.post(
        "/payments/deposits", data='{"amount": 100, "method": "CARD"}', headers=key
    )
    again = customer.post(
        "/payments/deposits", data='{"method": "CARD", "amount": 100.00}', headers=key
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert customer.get("/account").json()["balance"] == 100


def test_same_key_other_body_is_reused(customer: Customer) -> None:
    key = _key()
    customer.post("/payments/deposits", json={"amount": 100, "method": "CARD"}, headers=key)
    other = customer.post("/payments/deposits", json={"amount": 101, "method": "CARD"}, headers=key)
    assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")
    elsewhere = customer.post(
        "/payments/withdrawals", json={"amount": 100, "method": "CARD"}, headers=key
    )
    assert_error(elsewhere, 422, "IDEMPOTENCY_KEY_REUSED")
    assert customer.get("/account").json()["balance"] == 100


def test_keys_are_scoped_to_the_user(customer: Customer, other: Customer) -> None:
    key = _key()
    body = {"amount": 5, "method": "CARD"}
    assert customer.post("/payments/deposits", json=body, headers=key).status_code == 201
    theirs = other.post("/payments/deposits", json=body, headers=key)
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert other.get("/account").json()["balance"] == 5


def test_anonymous_keys_are_scoped_to_the_key(base_url: str) -> None:
    key = _key()
    body = {"username": unique_username(), "password": PASSWORD}
    first = requests.post(base_url + "/accounts", json=body, headers=key, timeout=REQUEST_TIMEOUT)
    again = requests.post(base_url + "/accounts", json=body, headers=key, timeout=REQUEST_TIMEOUT)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    fresh = requests.post(base_url + "/accounts", json=body, timeout=REQUEST_TIMEOUT)
    assert_error(fresh, 409, "USERNAME_TAKEN", "username")


def test_a_400_is_not_stored(customer: Customer) -> None:
    key = _key()
    bad = customer.post("/payments/deposits", json={"amount": -1, "method": "CARD"}, headers=key)
    assert_error(bad, 400, "INVALID_AMOUNT", "amount")
    good = customer.post("/payments/deposits", json={"amount": 1, "method": "CARD"}, headers=key)
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good.headers


def test_404_and_422_are_stored(customer: Customer) -> None:
    key = _key()
    body = {"amount": 10, "method": "CARD"}
    refused = customer.post("/payments/withdrawals", json=body, headers=key)
    assert_error(refused, 422, "INSUFFICIENT_FUNDS", "amount")
    customer.deposit("100")
    replayed = customer.post("/payments/withdrawals", json=body, headers=key)
    assert replayed.status_code == 422
    assert replayed.json() == refused.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    missing_key = _key()
    order = {**BUY, "symbol": "ZZZZ"}
    first = customer.post("/orders", json=order, headers=missing_key)
    assert_error(first, 404, "SYMBOL_NOT_FOUND", "symbol")
    assert customer.post("/orders", json=order, headers=missing_key).json() == first.json()


def test_401_unauthenticated_is_not_stored(customer: Customer) -> None:
    key = _key()
    body = {"amount": 1, "method": "CARD"}
    anonymous = requests.post(
        customer.base_url + "/payments/deposits", json=body, headers=key, timeout=REQUEST_TIMEOUT
    )
    assert_error(anonymous, 401, "UNAUTHENTICATED")
    assert customer.post("/payments/deposits", json=body, headers=key).status_code == 201


def test_replayed_failed_login_is_stored_and_not_counted(customer: Customer) -> None:
    key = _key()
    wrong = {"username": customer.username, "password": "not the password"}
    url = customer.base_url + "/auth/token"
    first = requests.post(url, json=wrong, headers=key, timeout=REQUEST_TIMEOUT)
    assert_error(first, 401, "INVALID_CREDENTIALS")
    for _ in range(7):
        response = requests.post(url, json=wrong, headers=key, timeout=REQUEST_TIMEOUT)
        assert response.status_code == 401
        assert response.headers["Idempotent-Replayed"] == "true"
        # A replay's body is the stored one, request_id included.
        assert response.json() == first.json()
    assert customer.login().status_code == 200


def test_too_many_attempts_is_not_stored(customer: Customer) -> None:
    wrong = {"username": customer.username, "password": "not the password"}
    url = customer.base_url + "/auth/token"
    for _ in range(5):
        requests.post(url, json=wrong, timeout=REQUEST_TIMEOUT)
    key = _key()
    right = {"username": customer.username, "password": customer.password}
    throttled = requests.post(url, json=right, headers=key, timeout=REQUEST_TIMEOUT)
    assert_error(throttled, 429, "TOO_MANY_ATTEMPTS", "username")
    customer.put("/_sandbox/clock", json={"offset_seconds": 61})
    after = requests.post(url, json=right, headers=key, timeout=REQUEST_TIMEOUT)
    assert after.status_code == 200
    assert "Idempotent-Replayed" not in after.headers


def test_malformed_keys(customer: Customer) -> None:
    for key in ("x" * 256, "caf\xe9", "a\x01b"):
        response = customer.post(
            "/payments/deposits",
            json={"amount": 1, "method": "CARD"},
            headers={"Idempotency-Key": key},
        )
        assert_error(response, 400, "INVALID_IDEMPOTENCY_KEY")
    ok = customer.post(
        "/payments/deposits",
        json={"amount": 1, "method": "CARD"},
        headers={"Idempotency-Key": "k" * 255},
    )
    assert ok.status_code == 201
    assert customer.get("/account").json()["balance"] == 1


def test_a_key_in_flight_is_in_use(customer: Customer) -> None:
    customer.deposit("1000")
    fault = {"method": "POST", "path": "/orders", "fault": {"kind": "delay", "ms": 1500}}
    assert customer.post("/_sandbox/faults", json=fault).status_code == 201
    key = _key()
    results: list[requests.Response] = []
    slow = threading.Thread(
        target=lambda: results.append(customer.post("/orders", json=BUY, headers=key))
    )
    slow.start()
    deadline = time.monotonic() + REQUEST_TIMEOUT
    fired = 0
    while not fired and time.monotonic() < deadline:
        fired = customer.get("/_sandbox/faults").json()["items"][0]["fired"]
    busy = customer.post("/orders", json=BUY, headers=key)
    slow.join(timeout=REQUEST_TIMEOUT)
    assert_error(busy, 409, "IDEMPOTENCY_KEY_IN_USE")
    assert busy.headers["Retry-After"] == "1"
    assert results[0].status_code == 201
    replay = customer.post("/orders", json=BUY, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == results[0].json()
    assert len(customer.get("/orders").json()["items"]) == 1


def test_keys_are_kept_24_hours_by_the_callers_clock(base_url: str) -> None:
    customer = new_customer(base_url)
    key = _key()
    body = {"amount": 1, "method": "CARD"}
    customer.post("/payments/deposits", json=body, headers=key)
    customer.put("/_sandbox/clock", json={"offset_seconds": 86_000})
    customer.session.headers["Authorization"] = f"Bearer {customer.login().json()['access_token']}"
    still = customer.post("/payments/deposits", json=body, headers=key)
    assert still.headers["Idempotent-Replayed"] == "true"
    customer.put("/_sandbox/clock", json={"offset_seconds": 86_401})
    expired = customer.post("/payments/deposits", json=body, headers=key)
    assert expired.status_code == 201
    assert "Idempotent-Replayed" not in expired.headers
    assert customer.get("/account").json()["balance"] == 2


def test_an_injected_failure_does_not_consume_the_key(customer: Customer) -> None:
    fault = {"method": "POST", "path": "/payments/*", "fault": {"kind": "status", "status": 503}}
    customer.post("/_sandbox/faults", json=fault)
    key = _key()
    body = {"amount": 7, "method": "CARD"}
    assert_error(customer.post("/payments/deposits", json=body, headers=key), 503, "INJECTED_FAULT")
    executed = customer.post("/payments/deposits", json=body, headers=key)
    assert executed.status_code == 201
    assert "Idempotent-Replayed" not in executed.headers
    assert customer.get("/account").json()["balance"] == 7


def test_a_rate_limited_request_does_not_consume_the_key(customer: Customer) -> None:
    customer.put("/_sandbox/rate-limit", json={"limit": 1})
    customer.get("/account")
    key = _key()
    body = {"amount": 3, "method": "CARD"}
    limited = customer.post("/payments/deposits", json=body, headers=key)
    assert_error(limited, 429, "RATE_LIMITED")
    customer.put("/_sandbox/rate-limit", json={"limit": 100})
    executed = customer.post("/payments/deposits", json=body, headers=key)
    assert executed.status_code == 201
    assert "Idempotent-Replayed" not in executed.headers
