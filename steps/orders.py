"""Steps about orders: placing, following, listing and cancelling them."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from pytest_bdd import given, then, when

from models.orders import Order, OrderPage, OrderStatus
from steps import vocabulary
from steps.domain.customers import Cast
from steps.domain.outcome import Outcome
from steps.domain.pages import follow
from steps.vocabulary import listing, money, phrase, written

#: What a customer may try to set on an order herself, and the field and value she sends.
SELF_SET_DETAILS: dict[str, tuple[str, Any]] = {
    "status": ("status", "FILLED"),
    "fill price": ("fill_price", 1.00),
    "account": ("account_id", f"acc_{secrets.token_hex(12)}"),
    "order number": ("order_id", f"ord_{secrets.token_hex(12)}"),
    "creation time": ("created_at", "2020-01-01T00:00:00Z"),
}


@when(
    phrase("{name:Name} places a market order to {side:Side} {quantity:Quantity} {symbol:Symbol}"),
    target_fixture="outcome",
)
def places_market_order(
    cast: Cast, name: str, side: str, quantity: int | Decimal, symbol: str
) -> Outcome[Order]:
    """When Alice places a market order to buy 10 AAPL"""
    return cast[name].orders.place(symbol=symbol, side=side, quantity=quantity, order_type="MARKET")


@when(
    phrase(
        "{name:Name} places a limit order to {side:Side} {quantity:Quantity} {symbol:Symbol} "
        "at {price:Money}"
    ),
    target_fixture="outcome",
)
def places_limit_order(
    cast: Cast, name: str, side: str, quantity: int | Decimal, symbol: str, price: Decimal
) -> Outcome[Order]:
    """When Alice places a limit order to buy 10 AAPL at 150.00"""
    return cast[name].orders.place(
        symbol=symbol, side=side, quantity=quantity, order_type="LIMIT", limit_price=price
    )


@given(
    phrase(
        "{name:Name} has placed a limit order to {side:Side} {quantity:d} {symbol:Symbol} "
        "at {price:Money}"
    ),
    target_fixture="order",
)
def has_placed_limit_order(
    cast: Cast, name: str, side: str, quantity: int, symbol: str, price: Decimal
) -> Order:
    """Given Alice has placed a limit order to buy 10 AAPL at 150.00

    Later steps speak of it as "the order".
    """
    return places_limit_order(cast, name, side, quantity, symbol, price).check()


@given(
    phrase("{name:Name} holds {quantity:d} {symbol:Symbol} shares bought at {price:Money}"),
    target_fixture="order",
)
def holds_shares(cast: Cast, name: str, quantity: int, symbol: str, price: Decimal) -> Order:
    """Given Alice holds 10 AAPL shares bought at 150.00

    Alice becomes a customer, pays in exactly their cost and buys them at that market price
    (sandbox), so she is left with no cash; "the order" is that filled buy.
    """
    customer = cast.introduce(name)
    customer.join()
    return customer.buy_at(quantity, symbol, price)


@when(
    phrase("{name:Name} places a market order to buy {symbol:Symbol} without saying how many"),
    target_fixture="outcome",
)
def places_order_without_quantity(cast: Cast, name: str, symbol: str) -> Outcome[Order]:
    """When Alice places a market order to buy AAPL without saying how many"""
    return cast[name].orders.place(symbol=symbol, side="BUY", quantity=None, order_type="MARKET")


@when(
    phrase(
        '{name:Name} places a market order with the side "{side}" for {quantity:d} {symbol:Symbol}'
    ),
    target_fixture="outcome",
)
def places_order_with_side(
    cast: Cast, name: str, side: str, quantity: int, symbol: str
) -> Outcome[Order]:
    """When Alice places a market order with the side "SHORT" for 1 AAPL"""
    return cast[name].orders.place(symbol=symbol, side=side, quantity=quantity, order_type="MARKET")


@when(
    phrase(
        '{name:Name} places an order of type "{order_type}" to buy {quantity:d} {symbol:Symbol}'
    ),
    target_fixture="outcome",
)
def places_order_of_type(
    cast: Cast, name: str, order_type: str, quantity: int, symbol: str
) -> Outcome[Order]:
    """When Alice places an order of type "STOP" to buy 1 AAPL"""
    return cast[name].orders.place(
        symbol=symbol, side="BUY", quantity=quantity, order_type=order_type
    )


@when(
    phrase(
        "{name:Name} places a limit order to buy {quantity:d} {symbol:Symbol} without a limit price"
    ),
    target_fixture="outcome",
)
def places_limit_order_without_price(
    cast: Cast, name: str, quantity: int, symbol: str
) -> Outcome[Order]:
    """When Alice places a limit order to buy 1 AAPL without a limit price"""
    return cast[name].orders.place(symbol=symbol, side="BUY", quantity=quantity, order_type="LIMIT")


@when(
    phrase(
        "{name:Name} places a market order to buy {quantity:d} {symbol:Symbol} "
        "with a limit of {price:Money}"
    ),
    target_fixture="outcome",
)
def places_market_order_with_limit(
    cast: Cast, name: str, quantity: int, symbol: str, price: Decimal
) -> Outcome[Order]:
    """When Alice places a market order to buy 1 AAPL with a limit of 150.00"""
    return cast[name].orders.place(
        symbol=symbol, side="BUY", quantity=quantity, order_type="MARKET", limit_price=price
    )


@when(
    phrase(
        "{name:Name} places a market order to buy {quantity:d} {symbol:Symbol} "
        "that sets its own {detail}"
    ),
    target_fixture="outcome",
)
def places_order_setting_detail(
    cast: Cast, name: str, quantity: int, symbol: str, detail: str
) -> Outcome[Order]:
    """When Alice places a market order to buy 1 AAPL that sets its own fill price

    Details a customer may try to set: status, fill price, account.
    """
    field, value = SELF_SET_DETAILS[detail]
    return cast[name].orders.place(
        symbol=symbol, side="BUY", quantity=quantity, order_type="MARKET", extra={field: value}
    )


@when(phrase("{name:Name} sends an order form that is not an order"), target_fixture="outcome")
def sends_garbled_order(cast: Cast, name: str) -> Outcome[Order]:
    """When Alice sends an order form that is not an order

    The form is a list of words instead of an order's named details.
    """
    return cast[name].orders.send(["BUY", 10, "AAPL"])


@then(phrase("the order is filled at {price:Money}"))
def order_filled_at(outcome: Outcome[Order], price: Decimal) -> None:
    """Then the order is filled at 150.00"""
    _assert_filled(outcome, price)


@then(phrase("the order is filled"))
def order_filled(outcome: Outcome[Order]) -> None:
    """Then the order is filled

    At whatever the market price was (for scenarios that cannot set it).
    """
    order = outcome.value
    outcome.expect("status", OrderStatus.FILLED, f"the order is {order.status}, not FILLED")
    assert order.fill_price is not None, "a filled order has no fill price"
    assert order.filled_at is not None, "a filled order has no fill time"


@then(phrase("the order is pending"))
def order_pending(outcome: Outcome[Order]) -> None:
    """Then the order is pending"""
    _assert_pending(outcome)


@then(phrase("the order is cancelled"))
def order_cancelled(outcome: Outcome[Order]) -> None:
    """Then the order is cancelled"""
    status = outcome.value.status
    outcome.expect("status", OrderStatus.CANCELLED, f"the order is {status}, not CANCELLED")


@then(phrase("{name:Name}'s order is filled at {price:Money}"))
def named_order_filled(cast: Cast, order: Order, name: str, price: Decimal) -> None:
    """Then Alice's order is filled at 150.00

    "Alice's order" is the order placed in an earlier step, as Alice sees it now.
    """
    _assert_filled(cast[name].orders.get(order.order_id), price)


@then(phrase("{name:Name}'s order is still pending"))
def named_order_pending(cast: Cast, order: Order, name: str) -> None:
    """Then Bob's order is still pending"""
    _assert_pending(cast[name].orders.get(order.order_id))


@then(phrase("{name:Name}'s order is cancelled"))
def named_order_cancelled(cast: Cast, order: Order, name: str) -> None:
    """Then Alice's order is cancelled"""
    answer = cast[name].orders.get(order.order_id)
    status = answer.value.status
    answer.expect("status", OrderStatus.CANCELLED, f"{name}'s order is {status}, not CANCELLED")


@then(phrase("{name:Name} has no orders"))
def has_no_orders(cast: Cast, name: str) -> None:
    """Then Alice has no orders"""
    answer = cast[name].orders.list()
    answer.expect_count("items", 0, f"{name} has {answer.count('items')} orders, not none")


@when(phrase("{name:Name} looks up the order"), target_fixture="outcome")
def looks_up_order(cast: Cast, order: Order, name: str) -> Outcome[Order]:
    """When Alice looks up the order"""
    return cast[name].orders.get(order.order_id)


@when(phrase("{name:Name} looks up an order that does not exist"), target_fixture="outcome")
def looks_up_missing_order(cast: Cast, name: str) -> Outcome[Order]:
    """When Alice looks up an order that does not exist"""
    return cast[name].orders.get(f"ord_{secrets.token_hex(12)}")


@then(phrase("the order shown is the one {name:Name} placed"))
def order_shown_is_placed(outcome: Outcome[Order], order: Order, name: str) -> None:
    """Then the order shown is the one Alice placed"""
    assert outcome.value == order, f"shown {outcome.value!r}, placed {order!r}"


@given(
    phrase(
        "{name:Name} has placed limit orders to buy {symbol:Symbol} at {price:Money} "
        "for {quantities} shares"
    ),
    target_fixture="placed_orders",
)
def has_placed_orders(
    cast: Cast, name: str, symbol: str, price: Decimal, quantities: str
) -> list[Order]:
    """Given Alice has placed limit orders to buy AAPL at 1.00 for 1, 2 and 3 shares

    One order per quantity, in that order.
    """
    return [
        has_placed_limit_order(cast, name, "BUY", int(quantity), symbol, price)
        for quantity in listing(quantities)
    ]


@when(
    phrase("{name:Name} lists {pronoun:Pronoun} {status:Status} orders"), target_fixture="outcome"
)
def lists_orders_of_status(cast: Cast, name: str, pronoun: str, status: str) -> Outcome[OrderPage]:
    """When Alice lists her PENDING orders"""
    return cast[name].orders.list(status=status)


@then(phrase("the orders listed are for {quantities} shares"))
def orders_listed(outcome: Outcome[OrderPage], quantities: str) -> None:
    """Then the orders listed are for 3, 2 and 1 shares"""
    listed = ", ".join(str(order.quantity) for order in outcome.value.items)
    expected = [int(quantity) for quantity in listing(quantities)]
    message = f"the orders listed are for {listed or 'no'} shares, not {quantities}"
    outcome.expect("items.*.quantity", expected, message)


@then(phrase("following the pages, {name:Name} sees orders for {pages} shares"))
def pages_hold_orders(cast: Cast, outcome: Outcome[OrderPage], name: str, pages: str) -> None:
    """Then following the pages, Alice sees orders for 5 and 4, then 3 and 2, then 1 shares

    Follows the pages to the last; each ", then" starts the next page.
    """
    seen = [[order.quantity for order in page] for page in follow(outcome.value, cast[name].orders)]
    expected = [[int(quantity) for quantity in page] for page in vocabulary.pages(pages)]
    assert seen == expected, f"pages held {seen}, expected {expected}"


@given(
    phrase("{name:Name} has a filled, a pending and a cancelled order"),
    target_fixture="orders_by_status",
)
def has_one_order_of_each_status(cast: Cast, name: str) -> dict[str, Order]:
    """Given Alice has a filled, a pending and a cancelled order"""
    customer = cast.introduce(name)
    customer.join()
    filled = customer.buy_at(1, "AAPL", money("100.00"))
    customer.fund(money("2.00"))
    pending = has_placed_limit_order(cast, name, "BUY", 1, "AAPL", money("1.00"))
    cancelled = has_placed_limit_order(cast, name, "BUY", 1, "AAPL", money("1.00"))
    customer.orders.cancel(cancelled.order_id).check()
    return {"FILLED": filled, "PENDING": pending, "CANCELLED": cancelled}


@then(phrase("only {pronoun:Pronoun} {status:Status} order is listed"))
def only_order_of_status(
    outcome: Outcome[OrderPage], orders_by_status: dict[str, Order], pronoun: str, status: str
) -> None:
    """Then only her PENDING order is listed"""
    listed = ", ".join(f"a {order.status} order" for order in outcome.value.items) or "nothing"
    message = f"listed: {listed}; expected only her {status} order"
    outcome.expect("items.*.order_id", [orders_by_status[status].order_id], message)


@when(phrase("{name:Name} cancels the order"), target_fixture="outcome")
def cancels_order(cast: Cast, order: Order, name: str) -> Outcome[Order]:
    """When Alice cancels the order"""
    return cast[name].orders.cancel(order.order_id)


@given(phrase("{name:Name} has cancelled the order"))
def has_cancelled_order(cast: Cast, order: Order, name: str) -> None:
    """Given Alice has cancelled the order"""
    cast[name].orders.cancel(order.order_id).check()


def _assert_filled(answer: Outcome[Order], price: Decimal) -> None:
    __tracebackhide__ = True
    order = answer.value
    answer.expect("status", OrderStatus.FILLED, f"the order is {order.status}, not FILLED")
    filled_at = written(order.fill_price) if order.fill_price is not None else "no price"
    answer.expect("fill_price", price, f"filled at {filled_at}, expected {written(price)}")
    assert order.filled_at is not None, "a filled order has no fill time"


def _assert_pending(answer: Outcome[Order]) -> None:
    __tracebackhide__ = True
    order = answer.value
    answer.expect("status", OrderStatus.PENDING, f"the order is {order.status}, not PENDING")
    answer.expect("fill_price", None, f"a pending order has a fill price: {order.fill_price}")
    answer.expect("filled_at", None, f"a pending order has a fill time: {order.filled_at}")
