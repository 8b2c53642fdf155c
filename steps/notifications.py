"""Steps about what a customer is told: notifications of fills, cancellations and payments."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from pytest_bdd import then, when

from framework.errors import SuiteDefectError
from models.notifications import Notification, NotificationPage, NotificationType
from models.orders import Order
from models.payments import Payment
from steps import vocabulary
from steps.domain.customers import Cast, Customer
from steps.domain.outcome import Outcome
from steps.domain.pages import follow
from steps.vocabulary import listing, money, phrase

#: The events a customer is told about: their notification type, what they are about (an order
#: or a payment), and how to find her latest one of those.
EVENTS: dict[str, tuple[NotificationType, type[Order | Payment], Callable[[Customer], str]]] = {
    "order was filled": (NotificationType.ORDER_FILLED, Order, Customer.latest_order_id),
    "order was cancelled": (NotificationType.ORDER_CANCELLED, Order, Customer.latest_order_id),
    "deposit completed": (NotificationType.DEPOSIT_COMPLETED, Payment, Customer.latest_payment_id),
    "withdrawal completed": (
        NotificationType.WITHDRAWAL_COMPLETED,
        Payment,
        Customer.latest_payment_id,
    ),
}


def _notifications_about(
    request: pytest.FixtureRequest, customer: Customer, event: str
) -> tuple[Outcome[NotificationPage], dict[str, object], int]:
    """The customer's notifications, which of them are of ``event`` about its subject (fields
    and values), and how many those are.

    The subject is the order or payment the last action answered with, when it answered with
    one of the event's kind, so that the step holds while other sessions of the same customer
    act at the same time; otherwise it is her latest order or payment.
    """
    __tracebackhide__ = True
    if event not in EVENTS:
        raise SuiteDefectError(f"unknown event {event!r}; known: {', '.join(EVENTS)}")
    kind, about_what, latest = EVENTS[event]
    try:
        last: Outcome[Any] | None = request.getfixturevalue("outcome")
    except pytest.FixtureLookupError:
        last = None
    answered = last.value if last is not None and last.accepted else None
    if isinstance(answered, Order) and about_what is Order:
        subject = answered.order_id
    elif isinstance(answered, Payment) and about_what is Payment:
        subject = answered.payment_id
    else:
        subject = latest(customer)
    about: dict[str, object] = {"type": kind, "reference_id": subject}
    answer = customer.notifications.list(limit=100)
    return answer, about, answer.count("items", about)


@then(phrase("{name:Name} is notified that {pronoun:Pronoun} {event}"))
def is_notified(
    request: pytest.FixtureRequest, cast: Cast, name: str, pronoun: str, event: str
) -> None:
    """Then Alice is notified that her order was filled

    Exactly once. Events: order was filled, order was cancelled, deposit completed, withdrawal
    completed; about the order or payment the last action answered with, else her latest.
    """
    answer, about, count = _notifications_about(request, cast[name], event)
    answer.expect_count("items", 1, f"{name} was notified {count} times that her {event}", about)


@then(phrase("{name:Name}'s notification of the fill names {quantity:d} {symbol:Symbol}"))
def fill_notification_names(cast: Cast, name: str, quantity: int, symbol: str) -> None:
    """Then Alice's notification of the fill names 2 AAPL

    The message is for people: whatever its wording, it names the shares and the symbol
    of her latest order.
    """
    customer = cast[name]
    order_id = customer.latest_order_id()
    items = customer.notifications.list(limit=100).value.items
    messages = [
        item.message
        for item in items
        if item.type is NotificationType.ORDER_FILLED and item.reference_id == order_id
    ]
    assert messages, f"{name} was not notified that her order was filled"
    wanted = re.compile(rf"\b{quantity}\b.*\b{symbol}\b")
    assert all(wanted.search(message) for message in messages), (
        f"{name}'s notification of the fill says {messages[0]!r}: no {quantity} {symbol} in it"
    )


@then(phrase("{name:Name} is not notified that {pronoun:Pronoun} {event}"))
def is_not_notified(
    request: pytest.FixtureRequest, cast: Cast, name: str, pronoun: str, event: str
) -> None:
    """Then Alice is not notified that her order was filled"""
    answer, about, count = _notifications_about(request, cast[name], event)
    answer.expect_count("items", 0, f"{name} was notified {count} times that her {event}", about)


@then(phrase("{name:Name} has no notifications"))
def has_no_notifications(cast: Cast, name: str) -> None:
    """Then Alice has no notifications"""
    answer = cast[name].notifications.list()
    has = answer.count("items")
    answer.expect_count("items", 0, f"{name} has {has} notifications, not none")


@when(
    phrase("{name:Name} lists {pronoun:Pronoun} notifications after {which:Which} one"),
    target_fixture="outcome",
)
def lists_notifications_after(
    cast: Cast, name: str, pronoun: str, which: str
) -> Outcome[NotificationPage]:
    """When Alice lists her notifications after her oldest one

    Which: her oldest, her newest, a made-up.
    """
    return cast[name].notifications.list(after=_notification_id(cast, name, which))


@when(
    phrase("{name:Name} lists {pronoun:Pronoun} notifications after one of {other:Name}'s"),
    target_fixture="outcome",
)
def lists_notifications_after_others(
    cast: Cast, name: str, pronoun: str, other: str
) -> Outcome[NotificationPage]:
    """When Alice lists her notifications after one of Bob's"""
    return cast[name].notifications.list(after=_notification_id(cast, other, "his newest"))


@when(
    phrase(
        "{name:Name} lists {pronoun:Pronoun} notifications after {which:Which} one, "
        "{size:d} at a time"
    ),
    target_fixture="outcome",
)
def lists_notifications_after_by_page(
    cast: Cast, name: str, pronoun: str, which: str, size: int
) -> Outcome[NotificationPage]:
    """When Alice lists her notifications after her oldest one, 2 at a time"""
    return cast[name].notifications.list(after=_notification_id(cast, name, which), limit=size)


@then(phrase("the notifications listed tell {name:Name} of {description}"))
def notifications_listed(
    cast: Cast, outcome: Outcome[NotificationPage], name: str, description: str
) -> None:
    """Then the notifications listed tell Alice of a withdrawal of 5.00, then deposits of 2.00

    Newest first. Parts: "a deposit of 5.00", "deposits of 1.00 and 2.00", "a withdrawal of
    5.00", "a fill of 10 AAPL", "a cancellation of 10 AAPL", separated by ", then".
    """
    expected = _described(description)
    told = [_describe(cast[name], item) for item in outcome.value.items]
    assert told == expected, f"{name} was told of {told}, expected {expected}"


@then(phrase("following the pages, {name:Name} is told of deposits of {pages}"))
def pages_tell_deposits(
    cast: Cast, outcome: Outcome[NotificationPage], name: str, pages: str
) -> None:
    """Then following the pages, Alice is told of deposits of 5.00 and 4.00, then 3.00

    Follows the pages to the last; each ", then" starts the next page.
    """
    customer = cast[name]
    seen = [
        [_describe(customer, item) for item in page]
        for page in follow(outcome.value, customer.notifications)
    ]
    expected = [[("deposit", money(amount)) for amount in page] for page in vocabulary.pages(pages)]
    assert seen == expected, f"pages held {seen}, expected {expected}"


@then(phrase("more are listed on the next page"))
def more_on_next_page(outcome: Outcome[Any]) -> None:
    """And more are listed on the next page"""
    assert outcome.value.next_cursor is not None, "the page listed is the last one"


@then(phrase("nothing is listed"))
def nothing_listed(outcome: Outcome[Any]) -> None:
    """Then nothing is listed"""
    page = outcome.value
    assert (page.items, page.next_cursor) == ([], None), f"listed {page.items}"


#: How a description names each kind of notification.
_KINDS: dict[str, NotificationType] = {
    "deposit": NotificationType.DEPOSIT_COMPLETED,
    "withdrawal": NotificationType.WITHDRAWAL_COMPLETED,
    "fill": NotificationType.ORDER_FILLED,
    "cancellation": NotificationType.ORDER_CANCELLED,
}


def _notification_id(cast: Cast, name: str, which: str) -> str:
    """The id of the notification a step names: her oldest, her newest, a made-up one."""
    if which == "a made-up":
        return f"ntf_{secrets.token_hex(12)}"
    owner = cast[name]
    first = owner.notifications.list(limit=100).check()
    items: list[Notification] = [
        item for page in follow(first, owner.notifications) for item in page
    ]
    assert items, f"{owner.name} has no notifications"
    return items[-1].notification_id if which.endswith("oldest") else items[0].notification_id


def _described(description: str) -> list[tuple[str, Any]]:
    """``"a withdrawal of 5.00, then deposits of 2.00 and 1.00"`` as (kind, amount) pairs."""
    expected: list[tuple[str, Any]] = []
    for part in re.split(r",\s+then\s+", description):
        match = re.fullmatch(r"(?:an? )?(deposit|withdrawal|fill|cancellation)s? of (.+)", part)
        assert match, f"cannot read {part!r}: write 'a deposit of 5.00' or 'a fill of 10 AAPL'"
        kind, what = match.groups()
        for item in listing(what):
            expected.append((kind, money(item) if kind in ("deposit", "withdrawal") else item))
    return expected


def _describe(customer: Customer, item: Notification) -> tuple[str, Any]:
    """A notification as (kind, amount) or (kind, "10 AAPL"), read from what it is about."""
    kind = next(word for word, kind in _KINDS.items() if kind is item.type)
    if kind in ("deposit", "withdrawal"):
        return kind, customer.payments.get(item.reference_id).value.amount
    order = customer.orders.get(item.reference_id).value
    return kind, f"{order.quantity} {order.symbol}"
