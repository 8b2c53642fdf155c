"""Seeded defects: named switches that make the sandbox wrong on purpose, one at a time.

`python -m sandbox --defect NAME` turns one defect on for the life of the process; the code
that serves the affected behaviour asks `defects.active(NAME)` at the one place it goes
wrong, so that a defect is a flag, never a copy of the code. Each defect declares the
contract section it breaks and the failure category the acceptance suite must give it:
`python -m trust defects` runs the suite once per defect and checks both.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Section(StrEnum):
    """The sections of the contract (docs: the trading API contract)."""

    AUTHENTICATION = "authentication"
    ACCOUNTS = "accounts"
    MARKET_DATA = "market data"
    ORDERS = "orders"
    PAYMENTS = "payments"
    NOTIFICATIONS = "notifications"
    IDEMPOTENCY = "idempotency"
    RATE_LIMITING = "rate limiting"
    CONVENTIONS = "conventions"


class Kind(StrEnum):
    """The failure category the suite must report (the values of the framework's categories)."""

    CONTRACT_DRIFT = "contract drift"
    PRODUCT_DEFECT = "product defect"
    ENVIRONMENT = "environment"


#: Changes a defect makes to the OpenAPI document's schemas, so that a server whose
#: document is generated from its code publishes its drift the way a real one would.
SchemaChange = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class Defect:
    """One way the sandbox can be wrong."""

    name: str
    section: Section
    kind: Kind
    description: str
    schema_change: SchemaChange | None = None


def _add_property(schema: str, name: str, value: dict[str, Any]) -> SchemaChange:
    def change(schemas: dict[str, Any]) -> None:
        schemas[schema]["properties"][name] = value
        schemas[schema]["required"].append(name)

    return change


def _drop_property(schema: str, name: str) -> SchemaChange:
    def change(schemas: dict[str, Any]) -> None:
        del schemas[schema]["properties"][name]
        schemas[schema]["required"].remove(name)

    return change


def _set_property(schema: str, name: str, value: dict[str, Any]) -> SchemaChange:
    def change(schemas: dict[str, Any]) -> None:
        schemas[schema]["properties"][name] = value

    return change


_D, _P, _E = Kind.CONTRACT_DRIFT, Kind.PRODUCT_DEFECT, Kind.ENVIRONMENT

CATALOGUE: tuple[Defect, ...] = (
    # authentication
    Defect(
        name="expires_in_ignored",
        section=Section.AUTHENTICATION,
        kind=_P,
        description="a token always lasts 3600 seconds, whatever expires_in asked for",
    ),
    Defect(
        name="lockout_disabled",
        section=Section.AUTHENTICATION,
        kind=_P,
        description="failed sign-ins never lock the username",
    ),
    Defect(
        name="revoke_ignored",
        section=Section.AUTHENTICATION,
        kind=_P,
        description="signing out answers 204 but the token keeps working",
    ),
    # accounts
    Defect(
        name="account_extra_field",
        section=Section.ACCOUNTS,
        kind=_D,
        description="Account carries an undocumented field, risk_score",
        schema_change=_add_property("Account", "risk_score", {"type": "integer"}),
    ),
    Defect(
        name="other_account_readable",
        section=Section.ACCOUNTS,
        kind=_P,
        description="GET /accounts/{id} shows another customer's account",
    ),
    Defect(
        name="balance_as_string",
        section=Section.ACCOUNTS,
        kind=_D,
        description='Account.balance is a JSON string ("100.00"), not a number',
        schema_change=_set_property("Account", "balance", {"type": "string"}),
    ),
    # market data
    Defect(
        name="quote_without_volume",
        section=Section.MARKET_DATA,
        kind=_D,
        description="Quote lacks its volume field",
        schema_change=_drop_property("Quote", "volume"),
    ),
    Defect(
        name="quotes_sorted",
        section=Section.MARKET_DATA,
        kind=_P,
        description="GET /market?symbols= answers alphabetically, not in the order asked",
    ),
    Defect(
        name="quote_server_error",
        section=Section.MARKET_DATA,
        kind=_P,
        description="GET /market/{symbol} always fails with 500 INTERNAL_ERROR",
    ),
    # orders
    Defect(
        name="buy_not_debited",
        section=Section.ORDERS,
        kind=_P,
        description="a filled buy adds the shares but does not take the cash",
    ),
    Defect(
        name="quantity_unbounded",
        section=Section.ORDERS,
        kind=_P,
        description="a quantity above 100,000 passes validation",
    ),
    Defect(
        name="filled_order_cancellable",
        section=Section.ORDERS,
        kind=_P,
        description="cancelling a FILLED order answers 200 and marks it CANCELLED",
    ),
    Defect(
        name="order_status_lowercase",
        section=Section.ORDERS,
        kind=_D,
        description='Order.status is lower case ("filled"), outside the enum',
        schema_change=_set_property(
            "Order",
            "status",
            {"type": "string", "enum": ["pending", "filled", "cancelled", "rejected"]},
        ),
    ),
    Defect(
        name="order_lookup_forbidden",
        section=Section.ORDERS,
        kind=_D,
        description="another customer's order is 403 instead of 404 (existence leaks)",
    ),
    Defect(
        name="insufficient_funds_as_bad_request",
        section=Section.ORDERS,
        kind=_D,
        description="a buy beyond the buying power is refused with INSUFFICIENT_FUNDS as 400, "
        "not 422",
    ),
    # payments
    Defect(
        name="withdrawal_limit_ignored",
        section=Section.PAYMENTS,
        kind=_P,
        description="the 50,000.00 daily withdrawal limit is not enforced",
    ),
    Defect(
        name="amount_error_code",
        section=Section.PAYMENTS,
        kind=_P,
        description="an invalid payment amount is refused with INVALID_PRICE, not INVALID_AMOUNT",
    ),
    Defect(
        name="payment_time_offset",
        section=Section.PAYMENTS,
        kind=_D,
        description="Payment.created_at ends in +00:00 instead of Z",
    ),
    # notifications
    Defect(
        name="fill_not_notified",
        section=Section.NOTIFICATIONS,
        kind=_P,
        description="a fill creates no ORDER_FILLED notification",
    ),
    # idempotency
    Defect(
        name="idempotency_ignored",
        section=Section.IDEMPOTENCY,
        kind=_P,
        description="Idempotency-Key is ignored: a resend executes again",
    ),
    # rate limiting
    Defect(
        name="rate_limit_ignored",
        section=Section.RATE_LIMITING,
        kind=_P,
        description="a token's rate limit is never enforced",
    ),
    # conventions
    Defect(
        name="error_without_field",
        section=Section.CONVENTIONS,
        kind=_D,
        description="error bodies lack their field member",
        schema_change=_drop_property("Error", "field"),
    ),
    Defect(
        name="unknown_field_accepted",
        section=Section.CONVENTIONS,
        kind=_P,
        description="unknown request fields are ignored (no mass-assignment guard)",
    ),
    Defect(
        name="outage",
        section=Section.CONVENTIONS,
        kind=_E,
        description="every request, the health check included, is 503 (a permanent outage)",
    ),
)

_BY_NAME = {defect.name: defect for defect in CATALOGUE}
_active: Defect | None = None


class UnknownDefectError(ValueError):
    """A defect name that is not in the catalogue."""


def find(name: str) -> Defect:
    """The defect of this name; `UnknownDefectError` says which names exist."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownDefectError(
            f"no defect named {name!r}: `python -m sandbox --defect list` shows the catalogue"
        ) from None


def enable(name: str | None) -> None:
    """Turn on this defect (None: none) for the life of the process."""
    # One switch per process, set once at start by the command line.
    global _active
    _active = None if name is None else find(name)


def active(name: str) -> bool:
    """Whether the named defect is on; asked at the one place each defect goes wrong."""
    assert name in _BY_NAME, f"unknown defect {name!r}"
    return _active is not None and _active.name == name


def schemas(document_schemas: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schemas as the active defect changes them (a copy when it does)."""
    if _active is None or _active.schema_change is None:
        return document_schemas
    changed = copy.deepcopy(document_schemas)
    _active.schema_change(changed)
    return changed


def catalogue_text() -> str:
    """The catalogue as `--defect list` prints it: name, section, kind, what goes wrong."""
    width = max(len(defect.name) for defect in CATALOGUE)
    lines = [
        f"{defect.name:<{width}}  {defect.section:<14}  {defect.kind:<15}  {defect.description}"
        for defect in CATALOGUE
    ]
    return "\n".join(lines)
