"""Steps about lists of a customer's things: orders, payments, notifications, a page at a time."""

from __future__ import annotations

import secrets
from typing import Any

from pytest_bdd import when

from steps.domain.customers import Cast
from steps.domain.outcome import Outcome
from steps.vocabulary import phrase


@when(phrase("{name:Name} lists {pronoun:Pronoun} {things:Listable}"), target_fixture="outcome")
def lists_things(cast: Cast, name: str, pronoun: str, things: str) -> Outcome[Any]:
    """When Alice lists her orders

    Lists: orders, payments, notifications; the first page, newest first.
    """
    return cast[name].listing(things).list()


@when(
    phrase("{name:Name} lists {pronoun:Pronoun} {things:Listable} {size:d} at a time"),
    target_fixture="outcome",
)
def lists_things_by_page(
    cast: Cast, name: str, pronoun: str, things: str, size: int
) -> Outcome[Any]:
    """When Alice lists her payments 2 at a time"""
    return cast[name].listing(things).list(limit=size)


@when(
    phrase(
        "{name:Name} lists {pronoun:Pronoun} {things:Listable} {size:d} and {other:d} at a time"
    ),
    target_fixture="outcome",
)
def lists_things_by_two_sizes(
    cast: Cast, name: str, pronoun: str, things: str, size: int, other: int
) -> Outcome[Any]:
    """When Alice lists her payments 2 and 3 at a time

    Both page sizes are sent in one request: a service cannot tell which one is meant.
    """
    return cast[name].listing(things).list(limit=(size, other))


@when(
    phrase("{name:Name} lists {pronoun:Pronoun} {things:Listable} from a made-up page marker"),
    target_fixture="outcome",
)
def lists_things_from_made_up_cursor(
    cast: Cast, name: str, pronoun: str, things: str
) -> Outcome[Any]:
    """When Alice lists her orders from a made-up page marker"""
    return cast[name].listing(things).list(cursor=secrets.token_urlsafe(16))


@when(
    phrase(
        "{name:Name} lists {pronoun:Pronoun} {things:Listable} from a page marker of"
        " {their:Pronoun} {other:Listable}"
    ),
    target_fixture="outcome",
)
def lists_things_from_another_lists_cursor(
    cast: Cast, name: str, pronoun: str, things: str, their: str, other: str
) -> Outcome[Any]:
    """When Alice lists her orders from a page marker of her notifications

    The marker is a real one, to the second page of the other list (which must hold at
    least two things), so that only what it belongs to can make it wrong here.
    """
    customer = cast[name]
    marker = customer.listing(other).list(limit=1).value.next_cursor
    assert marker is not None, f"{name}'s {other} fit on one page: there is no marker to use"
    return customer.listing(things).list(cursor=marker)
