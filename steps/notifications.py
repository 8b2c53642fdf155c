"""Steps about what a customer is told: notifications of fills, cancellations and payments."""

from __future__ import annotations

from collections.abc import Callable

from pytest_bdd import then

from models.notifications import NotificationType
from steps.domain.customers import Cast, Customer
from steps.vocabulary import phrase

#: The events a customer is told about, and how to find what each is about.
EVENTS: dict[str, tuple[NotificationType, Callable[[Customer], str]]] = {
    "order was filled": (NotificationType.ORDER_FILLED, Customer.latest_order_id),
    "order was cancelled": (NotificationType.ORDER_CANCELLED, Customer.latest_order_id),
    "deposit completed": (NotificationType.DEPOSIT_COMPLETED, Customer.latest_payment_id),
    "withdrawal completed": (NotificationType.WITHDRAWAL_COMPLETED, Customer.latest_payment_id),
}


def _notifications_about(customer: Customer, event: str) -> int:
    """How many notifications of ``event`` the customer has about her latest order or payment."""
    __tracebackhide__ = True
    assert event in EVENTS, f"unknown event {event!r}; known: {', '.join(EVENTS)}"
    kind, subject_of = EVENTS[event]
    subject = subject_of(customer)
    items = customer.notifications.list(limit=100).value.items
    return sum(1 for item in items if item.type is kind and item.reference_id == subject)


@then(phrase("{name:Name} is notified that {pronoun:Pronoun} {event}"))
def is_notified(cast: Cast, name: str, pronoun: str, event: str) -> None:
    """Then Alice is notified that her order was filled

    Events: order was filled, order was cancelled, deposit completed, withdrawal completed;
    the notification must be about her latest order or payment.
    """
    count = _notifications_about(cast[name], event)
    assert count >= 1, f"{name} was not notified that her {event}"


@then(phrase("{name:Name} is notified once that {pronoun:Pronoun} {event}"))
def is_notified_once(cast: Cast, name: str, pronoun: str, event: str) -> None:
    """Then Alice is notified once that her order was cancelled"""
    count = _notifications_about(cast[name], event)
    assert count == 1, f"{name} was notified {count} times that her {event}"
