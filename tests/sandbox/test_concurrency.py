"""Concurrent requests never overdraw cash nor sell shares twice, nor open one username twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier, Lock
from typing import TypeVar

import requests

from tests.sandbox.conftest import PASSWORD, REQUEST_TIMEOUT, Customer, unique_username

#: simultaneous requests per test
PARALLEL = 20
T = TypeVar("T")


def _simultaneously(customer: Customer, send: Callable[[requests.Session], T]) -> Counter[T]:
    """Send PARALLEL requests at once, each on its own connection; count what each returns."""
    barrier = Barrier(PARALLEL)

    def one(_: int) -> T:
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


def test_simultaneous_openings_of_one_username_open_one_account(customer: Customer) -> None:
    # Passwords are hashed before the transaction: the username is still taken only once.
    url, username = customer.base_url + "/accounts", unique_username()
    opening = {"username": username, "password": PASSWORD}
    statuses = _simultaneously(
        customer, lambda s: s.post(url, json=opening, timeout=30).status_code
    )
    assert statuses == Counter({201: 1, 409: PARALLEL - 1})
    login = requests.post(customer.base_url + "/auth/token", json=opening, timeout=REQUEST_TIMEOUT)
    assert login.status_code == 200, login.text


def test_simultaneous_sign_ins_each_get_their_own_check(customer: Customer) -> None:
    # Passwords are checked on worker threads: each request gets its own answer back.
    url, wrong = customer.base_url + "/auth/token", 4  # below the 5 failures that throttle
    attempts = iter([customer.password] * (PARALLEL - wrong) + ["not the password"] * wrong)
    lock = Lock()

    def sign_in(session: requests.Session) -> tuple[bool, int]:
        with lock:
            password = next(attempts)
        body = {"username": customer.username, "password": password}
        return password == customer.password, session.post(url, json=body, timeout=30).status_code

    statuses = _simultaneously(customer, sign_in)
    assert statuses == Counter({(True, 200): PARALLEL - wrong, (False, 401): wrong})
