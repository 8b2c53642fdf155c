"""Accounts by id and market data."""

from __future__ import annotations

from tests.sandbox.conftest import Customer, assert_error

STARTING = {
    "AAPL": 190,
    "MSFT": 420,
    "GOOGL": 170,
    "AMZN": 185,
    "TSLA": 250,
    "NVDA": 120,
}


def test_own_account_by_id_and_nobody_elses(customer: Customer, other: Customer) -> None:
    own = customer.get(f"/accounts/{customer.account_id}")
    assert own.status_code == 200
    assert own.json() == customer.get("/account").json()
    assert_error(customer.get(f"/accounts/{other.account_id}"), 404, "ACCOUNT_NOT_FOUND")
    assert_error(customer.get("/accounts/acc_nope"), 404, "ACCOUNT_NOT_FOUND")


def test_quotes_of_the_listed_symbols(customer: Customer) -> None:
    for symbol, price in STARTING.items():
        quote = customer.get(f"/market/{symbol}").json()
        assert quote["symbol"] == symbol
        assert quote["price"] == price
        assert quote["volume"] >= 0
        assert quote["timestamp"].endswith("Z")


def test_quote_errors(customer: Customer) -> None:
    for symbol in ("aapl", "TOOLONG", "A1"):
        assert_error(customer.get(f"/market/{symbol}"), 400, "INVALID_SYMBOL", "symbol")
    assert_error(customer.get("/market/ZZZZ"), 404, "SYMBOL_NOT_FOUND", "symbol")


def test_several_quotes_in_the_order_asked(customer: Customer) -> None:
    response = customer.get("/market", params={"symbols": "TSLA,AAPL,TSLA"})
    assert [quote["symbol"] for quote in response.json()["quotes"]] == ["TSLA", "AAPL", "TSLA"]


def test_several_quotes_errors(customer: Customer) -> None:
    assert_error(customer.get("/market"), 400, "MISSING_FIELD", "symbols")
    assert_error(customer.get("/market", params={"symbols": ""}), 400, "MISSING_FIELD", "symbols")
    response = customer.get("/market", params={"symbols": "AAPL,bad,x1"})
    assert_error(response, 400, "INVALID_SYMBOL", "symbols")
    assert "bad" in response.json()["message"]
    many = ",".join(["AAPL"] * 21)
    assert_error(
        customer.get("/market", params={"symbols": many}), 400, "TOO_MANY_SYMBOLS", "symbols"
    )
    assert customer.get("/market", params={"symbols": ",".join(["AAPL"] * 20)}).status_code == 200
    response = customer.get("/market", params={"symbols": "AAPL,ZZZZ,YYYY"})
    assert_error(response, 404, "SYMBOL_NOT_FOUND", "symbols")
    assert "ZZZZ" in response.json()["message"]


def test_volume_counts_every_customer(customer: Customer, other: Customer) -> None:
    before = customer.get("/market/NVDA").json()["volume"]
    other.deposit("1200")
    assert (
        other.order(symbol="NVDA", side="BUY", quantity=7, order_type="MARKET").status_code == 201
    )
    assert customer.get("/market/NVDA").json()["volume"] >= before + 7


def test_a_price_set_by_one_customer_is_seen_only_by_them(
    customer: Customer, other: Customer
) -> None:
    response = customer.put("/_sandbox/market/MSFT", json={"price": 401.25})
    assert response.status_code == 200
    assert response.json()["price"] == 401.25
    assert customer.get("/market/MSFT").json()["price"] == 401.25
    assert other.get("/market/MSFT").json()["price"] == 420
    other.deposit("500")
    filled = other.order(symbol="MSFT", side="BUY", quantity=1, order_type="MARKET").json()
    assert filled["fill_price"] == 420


def test_set_price_errors(customer: Customer) -> None:
    for price in (0, -1, 1.001, "10", None, 1000000.01):
        response = customer.put("/_sandbox/market/AAPL", json={"price": price})
        assert_error(response, 400, "INVALID_PRICE", "price")
    assert_error(customer.put("/_sandbox/market/AAPL", json={}), 400, "INVALID_PRICE", "price")
    response = customer.put("/_sandbox/market/aapl", json={"price": 10})
    assert_error(response, 400, "INVALID_SYMBOL", "symbol")
    response = customer.put("/_sandbox/market/ZZZZ", json={"price": 10})
    assert_error(response, 404, "SYMBOL_NOT_FOUND", "symbol")
