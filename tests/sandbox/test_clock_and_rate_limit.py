"""The caller's clock and the per-token rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from tests.sandbox.conftest import (
    REQUEST_TIMEOUT,
    Customer,
    assert_error,
    new_customer,
    run_sandbox,
)


def _relogin(customer: Customer) -> None:
    customer.session.headers["Authorization"] = f"Bearer {customer.login().json()['access_token']}"


def test_set_clock(customer: Customer) -> None:
    response = customer.put("/_sandbox/clock", json={"offset_seconds": 86400 * 3})
    assert response.status_code == 200
    now = datetime.fromisoformat(response.json()["now"].replace("Z", "+00:00"))
    assert abs(now - datetime.now(UTC) - timedelta(days=3)) < timedelta(seconds=60)
    _relogin(customer)
    customer.deposit("1")
    created = customer.get("/payments").json()["items"][0]["created_at"]
    assert datetime.fromisoformat(created.replace("Z", "+00:00")) - now < timedelta(seconds=60)


def test_clock_errors(customer: Customer) -> None:
    for offset in (1.5, "10", None, True, 10**12):
        response = customer.put("/_sandbox/clock", json={"offset_seconds": offset})
        assert_error(response, 400, "INVALID_OFFSET", "offset_seconds")
    assert_error(customer.put("/_sandbox/clock", json={}), 400, "INVALID_OFFSET", "offset_seconds")
    response = customer.put("/_sandbox/clock", json={"offset_seconds": 1, "x": 1})
    assert_error(response, 400, "UNKNOWN_FIELD", "x")


def test_the_clock_expires_tokens(customer: Customer) -> None:
    short = customer.login(expires_in=60).json()["access_token"]
    headers = {"Authorization": f"Bearer {short}"}
    url = customer.base_url + "/account"
    assert requests.get(url, headers=headers, timeout=REQUEST_TIMEOUT).status_code == 200
    customer.put("/_sandbox/clock", json={"offset_seconds": 61})
    assert_error(
        requests.get(url, headers=headers, timeout=REQUEST_TIMEOUT), 401, "UNAUTHENTICATED"
    )
    assert customer.get("/account").status_code == 200


def test_the_withdrawal_day_follows_the_clock(customer: Customer) -> None:
    customer.deposit("100000")
    assert (
        customer.post("/payments/withdrawals", json={"amount": 50000, "method": "CARD"}).status_code
        == 201
    )
    over = customer.post("/payments/withdrawals", json={"amount": 1, "method": "CARD"})
    assert_error(over, 422, "LIMIT_EXCEEDED", "amount")
    customer.put("/_sandbox/clock", json={"offset_seconds": 86400})
    _relogin(customer)
    next_day = customer.post("/payments/withdrawals", json={"amount": 50000, "method": "CARD"})
    assert next_day.status_code == 201


def test_the_login_window_follows_the_clock(customer: Customer) -> None:
    wrong = {"username": customer.username, "password": "not the password"}
    for _ in range(5):
        requests.post(customer.base_url + "/auth/token", json=wrong, timeout=REQUEST_TIMEOUT)
    assert_error(customer.login(), 429, "TOO_MANY_ATTEMPTS", "username")
    customer.put("/_sandbox/clock", json={"offset_seconds": 60})
    assert customer.login().status_code == 200


def test_rate_limit_headers_and_429(customer: Customer) -> None:
    first = customer.get("/account")
    limit = int(first.headers["X-RateLimit-Limit"])
    assert limit == 600
    assert int(first.headers["X-RateLimit-Remaining"]) == limit - 1
    assert customer.put("/_sandbox/rate-limit", json={"limit": 3}).json() == {"limit": 3}
    second = customer.get("/account")
    assert (second.headers["X-RateLimit-Limit"], second.headers["X-RateLimit-Remaining"]) == (
        "3",
        "1",
    )
    assert customer.get("/account").headers["X-RateLimit-Remaining"] == "0"
    limited = customer.get("/account")
    assert_error(limited, 429, "RATE_LIMITED")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    # Controls do not count and still answer.
    for _ in range(5):
        assert customer.get("/_sandbox/faults").status_code == 200
    # Another token of the same customer has its own window.
    other_token = customer.login().json()["access_token"]
    response = requests.get(
        customer.base_url + "/account",
        headers={"Authorization": f"Bearer {other_token}"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 200
    # The window reads the caller's clock.
    customer.put("/_sandbox/clock", json={"offset_seconds": 60})
    assert customer.get("/account").status_code == 200


def test_rate_limit_comes_before_faults(customer: Customer) -> None:
    customer.put("/_sandbox/rate-limit", json={"limit": 1})
    customer.get("/account")
    fault = {"method": "*", "path": "*", "fault": {"kind": "status", "status": 500}}
    customer.post("/_sandbox/faults", json=fault)
    assert_error(customer.get("/account"), 429, "RATE_LIMITED")
    assert customer.get("/_sandbox/faults").json()["items"][0]["fired"] == 0


def test_rate_limit_errors(customer: Customer) -> None:
    for limit in (0, 100001, 1.5, "5", None):
        response = customer.put("/_sandbox/rate-limit", json={"limit": limit})
        assert_error(response, 400, "INVALID_LIMIT", "limit")


def test_rate_limit_option(tmp_path: Path) -> None:
    with run_sandbox("--rate-limit", "2", log=tmp_path / "stderr.log") as running:
        customer = new_customer(running.url)
        assert customer.get("/account").headers["X-RateLimit-Limit"] == "2"
        assert customer.get("/account").status_code == 200
        assert_error(customer.get("/account"), 429, "RATE_LIMITED")
