"""Orders: market and limit, reservations, fills, cancellation, validation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Customer, assert_error

MARKET_BUY = {"symbol": "AAPL", "side": "BUY", "order_type": "MARKET"}


def test_market_buy_fills_at_once(customer: Customer) -> None:
    customer.deposit("1000")
    response = customer.order(**MARKET_BUY, quantity=5)
    assert response.status_code == 201
    order = response.json()
    assert order["order_id"].startswith("ord_")
    assert order["status"] == "FILLED"
    assert order["fill_price"] == 190
    assert order["limit_price"] is None
    assert order["filled_at"].endswith("Z")
    account = customer.get("/account").json()
    assert account["balance"] == 50
    assert account["positions"] == [{"symbol": "AAPL", "quantity": 5, "average_price": 190}]
    assert customer.get(f"/orders/{order['order_id']}").json() == order
    notes = customer.get("/notifications").json()["items"]
    assert notes[0]["type"] == "ORDER_FILLED"
    assert notes[0]["reference_id"] == order["order_id"]


def test_average_price_is_rounded_half_even(customer: Customer) -> None:
    customer.deposit("10000")
    customer.put("/_sandbox/market/AAPL", json={"price": 100.01})
    customer.order(**MARKET_BUY, quantity=1)
    customer.put("/_sandbox/market/AAPL", json={"price": 100.02})
    customer.order(**MARKET_BUY, quantity=1)
    # (100.01 + 100.02) / 2 = 100.015 -> 100.02 (half-even: 1 is odd, rounds up)
    assert customer.get("/account").json()["positions"][0]["average_price"] == 100.02
    customer.put("/_sandbox/market/AAPL", json={"price": 100.00})
    customer.order(**MARKET_BUY, quantity=2)
    # (2 * 100.02 + 2 * 100.00) / 4 = 100.01
    assert customer.get("/account").json()["positions"][0]["average_price"] == 100.01
    customer.put("/_sandbox/market/AAPL", json={"price": 100.04})
    customer.order(**MARKET_BUY, quantity=4)
    # (4 * 100.01 + 4 * 100.04) / 8 = 100.025 -> 100.02 (half-even: 2 is even)
    assert customer.get("/account").json()["positions"][0]["average_price"] == 100.02


def test_sell_keeps_average_and_a_sold_out_position_disappears(customer: Customer) -> None:
    customer.deposit("2000")
    customer.order(**MARKET_BUY, quantity=4)
    customer.put("/_sandbox/market/AAPL", json={"price": 200})
    sold = customer.order(symbol="AAPL", side="SELL", quantity=3, order_type="MARKET").json()
    assert sold["status"] == "FILLED"
    assert sold["fill_price"] == 200
    account = customer.get("/account").json()
    assert account["positions"] == [{"symbol": "AAPL", "quantity": 1, "average_price": 190}]
    assert account["balance"] == 2000 - 760 + 600
    customer.order(symbol="AAPL", side="SELL", quantity=1, order_type="MARKET")
    assert customer.get("/account").json()["positions"] == []


def test_insufficient_funds_and_position(customer: Customer) -> None:
    customer.deposit("100")
    response = customer.order(**MARKET_BUY, quantity=1)
    assert_error(response, 422, "INSUFFICIENT_FUNDS", "quantity")
    response = customer.order(symbol="AAPL", side="SELL", quantity=1, order_type="MARKET")
    assert_error(response, 422, "INSUFFICIENT_POSITION", "quantity")
    assert customer.get("/orders").json()["items"] == []
    assert customer.get("/account").json()["balance"] == 100


def test_limit_buy_rests_reserves_and_fills_at_its_limit(customer: Customer) -> None:
    customer.deposit("1000")
    order = customer.order(
        symbol="AAPL", side="BUY", quantity=5, order_type="LIMIT", limit_price=180
    ).json()
    assert order["status"] == "PENDING"
    assert order["limit_price"] == 180
    assert order["fill_price"] is None
    account = customer.get("/account").json()
    assert (account["balance"], account["buying_power"]) == (1000, 100)
    assert_error(customer.order(**MARKET_BUY, quantity=1), 422, "INSUFFICIENT_FUNDS", "quantity")
    pending = customer.get("/orders", params={"status": "PENDING"}).json()["items"]
    assert [item["order_id"] for item in pending] == [order["order_id"]]
    customer.put("/_sandbox/market/AAPL", json={"price": 185})
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "PENDING"
    customer.put("/_sandbox/market/AAPL", json={"price": 175.5})
    filled = customer.get(f"/orders/{order['order_id']}").json()
    assert filled["status"] == "FILLED"
    assert filled["fill_price"] == 180
    account = customer.get("/account").json()
    assert (account["balance"], account["buying_power"]) == (100, 100)
    assert account["positions"] == [{"symbol": "AAPL", "quantity": 5, "average_price": 180}]


def test_limit_orders_that_cross_fill_at_once_at_the_current_price(customer: Customer) -> None:
    customer.deposit("1000")
    buy = customer.order(symbol="AAPL", side="BUY", quantity=2, order_type="LIMIT", limit_price=195)
    assert (buy.json()["status"], buy.json()["fill_price"]) == ("FILLED", 190)
    sell = customer.order(
        symbol="AAPL", side="SELL", quantity=2, order_type="LIMIT", limit_price=185
    )
    assert (sell.json()["status"], sell.json()["fill_price"]) == ("FILLED", 190)


def test_limit_sell_reserves_shares_and_fills_when_price_rises(customer: Customer) -> None:
    customer.deposit("1000")
    customer.order(**MARKET_BUY, quantity=3)
    sell = customer.order(
        symbol="AAPL", side="SELL", quantity=2, order_type="LIMIT", limit_price=210
    ).json()
    assert sell["status"] == "PENDING"
    response = customer.order(symbol="AAPL", side="SELL", quantity=2, order_type="MARKET")
    assert_error(response, 422, "INSUFFICIENT_POSITION", "quantity")
    customer.put("/_sandbox/market/AAPL", json={"price": 215})
    filled = customer.get(f"/orders/{sell['order_id']}").json()
    assert (filled["status"], filled["fill_price"]) == ("FILLED", 210)
    account = customer.get("/account").json()
    assert account["positions"] == [{"symbol": "AAPL", "quantity": 1, "average_price": 190}]
    assert account["balance"] == 1000 - 570 + 420


def test_limit_buy_needs_buying_power_for_its_limit(customer: Customer) -> None:
    customer.deposit("100")
    response = customer.order(
        symbol="AAPL", side="BUY", quantity=1, order_type="LIMIT", limit_price=150
    )
    assert_error(response, 422, "INSUFFICIENT_FUNDS", "quantity")


def test_cancel_releases_the_reservation_and_is_idempotent(customer: Customer) -> None:
    customer.deposit("1000")
    order = customer.order(
        symbol="AAPL", side="BUY", quantity=5, order_type="LIMIT", limit_price=100
    ).json()
    assert customer.get("/account").json()["buying_power"] == 500
    cancelled = customer.delete(f"/orders/{order['order_id']}")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    assert customer.get("/account").json()["buying_power"] == 1000
    again = customer.delete(f"/orders/{order['order_id']}")
    assert again.status_code == 200
    assert again.json() == cancelled.json()
    notes = customer.get("/notifications").json()["items"]
    assert [n["type"] for n in notes].count("ORDER_CANCELLED") == 1
    customer.put("/_sandbox/market/AAPL", json={"price": 50})
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "CANCELLED"


def test_cancelling_a_sell_releases_the_shares(customer: Customer) -> None:
    customer.deposit("1000")
    customer.order(**MARKET_BUY, quantity=2)
    sell = customer.order(
        symbol="AAPL", side="SELL", quantity=2, order_type="LIMIT", limit_price=300
    ).json()
    customer.delete(f"/orders/{sell['order_id']}")
    response = customer.order(symbol="AAPL", side="SELL", quantity=2, order_type="MARKET")
    assert response.json()["status"] == "FILLED"


def test_a_filled_order_cannot_be_cancelled(customer: Customer) -> None:
    customer.deposit("1000")
    order = customer.order(**MARKET_BUY, quantity=1).json()
    response = customer.delete(f"/orders/{order['order_id']}")
    assert_error(response, 409, "ORDER_NOT_CANCELLABLE")


def test_orders_of_others_are_not_found(customer: Customer, other: Customer) -> None:
    other.deposit("1000")
    order = other.order(symbol="AAPL", side="BUY", quantity=1, order_type="LIMIT", limit_price=1)
    order_id = order.json()["order_id"]
    assert_error(customer.get(f"/orders/{order_id}"), 404, "ORDER_NOT_FOUND")
    assert_error(customer.delete(f"/orders/{order_id}"), 404, "ORDER_NOT_FOUND")
    assert other.get(f"/orders/{order_id}").json()["status"] == "PENDING"
    assert customer.get("/orders").json()["items"] == []


def test_a_price_set_by_another_customer_never_fills_my_orders(
    customer: Customer, other: Customer
) -> None:
    customer.deposit("1000")
    order = customer.order(
        symbol="TSLA", side="BUY", quantity=1, order_type="LIMIT", limit_price=200
    ).json()
    other.put("/_sandbox/market/TSLA", json={"price": 150})
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "PENDING"


def test_list_orders_by_status(customer: Customer) -> None:
    customer.deposit("1000")
    filled = customer.order(**MARKET_BUY, quantity=1).json()
    pending = customer.order(
        symbol="AAPL", side="BUY", quantity=1, order_type="LIMIT", limit_price=1
    ).json()
    every = [o["order_id"] for o in customer.get("/orders").json()["items"]]
    assert every == [pending["order_id"], filled["order_id"]]
    only = customer.get("/orders", params={"status": "FILLED"}).json()["items"]
    assert [o["order_id"] for o in only] == [filled["order_id"]]
    assert customer.get("/orders", params={"status": "REJECTED"}).json()["items"] == []
    assert_error(
        customer.get("/orders", params={"status": "DONE"}), 400, "INVALID_STATUS", "status"
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"symbol": "aapl"}, "INVALID_SYMBOL", "symbol"),
        ({"symbol": None}, "INVALID_SYMBOL", "symbol"),
        ({"side": "HOLD"}, "INVALID_SIDE", "side"),
        ({"quantity": 0}, "INVALID_QUANTITY", "quantity"),
        ({"quantity": 100001}, "INVALID_QUANTITY", "quantity"),
        ({"quantity": 1.5}, "INVALID_QUANTITY", "quantity"),
        ({"quantity": "1"}, "INVALID_QUANTITY", "quantity"),
        ({"order_type": "STOP"}, "INVALID_ORDER_TYPE", "order_type"),
        ({"limit_price": 10}, "INVALID_PRICE", "limit_price"),
        ({"order_type": "LIMIT"}, "INVALID_PRICE", "limit_price"),
        ({"order_type": "LIMIT", "limit_price": 0}, "INVALID_PRICE", "limit_price"),
        ({"order_type": "LIMIT", "limit_price": 10.001}, "INVALID_PRICE", "limit_price"),
        ({"order_type": "LIMIT", "limit_price": "10"}, "INVALID_PRICE", "limit_price"),
        ({"fill_price": 1}, "UNKNOWN_FIELD", "fill_price"),
    ],
)
def test_order_validation(
    customer: Customer, change: dict[str, Any], code: str, field: str
) -> None:
    body: dict[str, Any] = {**MARKET_BUY, "quantity": 1, **change}
    assert_error(customer.post("/orders", json=body), 400, code, field)


def test_missing_order_fields_have_their_own_codes(customer: Customer) -> None:
    for field, code in (
        ("symbol", "INVALID_SYMBOL"),
        ("side", "INVALID_SIDE"),
        ("quantity", "INVALID_QUANTITY"),
        ("order_type", "INVALID_ORDER_TYPE"),
    ):
        body = {key: value for key, value in {**MARKET_BUY, "quantity": 1}.items() if key != field}
        assert_error(customer.post("/orders", json=body), 400, code, field)


def test_unlisted_symbol_is_not_found(customer: Customer) -> None:
    response = customer.order(symbol="ZZZZ", side="BUY", quantity=1, order_type="MARKET")
    assert_error(response, 404, "SYMBOL_NOT_FOUND", "symbol")
