"""Concurrent requests never overdraw cash nor sell shares twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import requests

from tests.sandbox.conftest import REQUEST_TIMEOUT, Customer

#: simultaneous requests per test
PARALLEL = 20


def _simultaneously(customer: Customer, send: Callable[[requests.Session], int]) -> Counter[int]:
    """Send PARALLEL requests at once, each on its own connection; count the statuses."""
    barrier = Barrier(PARALLEL)

    def one(_: int) -> int:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {customer.token}"
            barrier.wait(timeout=REQUEST_TIMEOUT)
            return send(session)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return Counter(pool.map(one, range(PARALLEL)))


def test_simultaneous_withdrawals_never_overdraw(customer: Customer) -> None:
    customer.deposit("50.00")
    url = customer.base_url + "/payments/withdrawals"
    statuses = _simultaneously(
        customer,
        lambda s: s.post(url, json={"amount": 10, "method": "CARD"}, timeout=30).status_code,
    )
    assert statuses == Counter({201: 5, 422: 15})
    assert customer.get("/account").json()["balance"] == 0


def test_simultaneous_buys_never_overdraw(customer: Customer) -> None:
    customer.deposit("1000.00")  # enough for 5 AAPL at 190.00
    url = customer.base_url + "/orders"
    order = {"symbol": "AAPL", "side": "BUY", "quantity": 1, "order_type": "MARKET"}
    statuses = _simultaneously(customer, lambda s: s.post(url, json=order, timeout=30).status_code)
    assert statuses == Counter({201: 5, 422: 15})
    account = customer.get("/account").json()
    assert account["balance"] == 50
    assert account["positions"] == [{"symbol": "AAPL", "quantity": 5, "average_price": 190}]


def test_simultaneous_sells_never_sell_shares_twice(customer: Customer) -> None:
    customer.deposit("1000.00")
    customer.order(symbol="AAPL", side="BUY", quantity=3, order_type="MARKET")
    url = customer.base_url + "/orders"
    order = {"symbol": "AAPL", "side": "SELL", "quantity": 1, "order_type": "MARKET"}
    statuses = _simultaneously(customer, lambda s: s.post(url, json=order, timeout=30).status_code)
    assert statuses == Counter({201: 3, 422: 17})
    account = customer.get("/account").json()
    assert account["positions"] == []
    assert account["balance"] == 1000
