"""Seeded defects: named ways to make the API wrong on purpose, each made from outside the product.

A defect is made in one of three ways, none of which `sandbox/` knows about:

- **other rules** (`Rules`): the sandbox is built with a limit or a constant other than the
  contract's (`python -m trust sandbox --defect NAME`);
- **a seam** (`Seam`): one narrow, named function the sandbox itself calls is replaced when
  the sandbox starts (the same command);
- **the wire** (`Wire`): a reverse proxy changes what the API sends
  (`python -m trust proxy --defect NAME --upstream URL`), so it can stand in front of any
  deployment of the API, a team's staging API included. A drift defect changes the OpenAPI
  document the proxy passes on the same way, as a server whose document is generated from
  its code would publish its drift.

Each defect declares the contract section it breaks and the failure category the acceptance
suite must give it: `python -m trust defects` runs the suite once per defect and checks both.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox import service
from sandbox.errors import ApiError
from sandbox.rules import CONTRACT, Rules


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


JsonObject = dict[str, Any]
#: a change made in place to one JSON object (of an answer, or the document's schemas)
Change = Callable[[JsonObject], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class Seam:
    """A function of the sandbox, replaced at start by what `replace` makes of the original.

    `name` is looked up in `module` (`Sandbox._key`: an attribute of a class there). The
    sandbox must call the function through that name, so that the replacement is what runs.
    """

    module: str
    name: str
    replace: Callable[[Callable[..., Any]], Callable[..., Any]]

    def _owner(self) -> tuple[Any, str]:
        owner: Any = importlib.import_module(self.module)
        *path, attribute = self.name.split(".")
        for part in path:
            owner = getattr(owner, part)
        return owner, attribute

    def original(self) -> Callable[..., Any]:
        """The function the sandbox calls through this seam (unwrapped from `staticmethod`)."""
        owner, attribute = self._owner()
        found = inspect.getattr_static(owner, attribute)
        function: Callable[..., Any] = getattr(found, "__func__", found)
        return function

    def apply(self) -> None:
        """Replace the function for the life of this process."""
        owner, attribute = self._owner()
        replacement = self.replace(self.original())
        if isinstance(inspect.getattr_static(owner, attribute), staticmethod):
            replacement = staticmethod(replacement)
        setattr(owner, attribute, replacement)


@dataclass(frozen=True, kw_only=True, slots=True)
class Failure:
    """An error answer the proxy gives instead of forwarding the request (a failing server)."""

    status: int
    code: str
    message: str
    #: requests it answers: `METHOD /path` matched in full (`.*` for every request)
    requests: re.Pattern[str] = re.compile(".*")
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Restatus:
    """Error answers that carry `code`, to the requests `requests` matches, get `status`."""

    code: str
    status: int
    #: requests it applies to: `METHOD /path` matched in full
    requests: re.Pattern[str] = re.compile(".*")


@dataclass(frozen=True, kw_only=True, slots=True)
class Wire:
    """What a defect changes in what the API sends; `trust/proxy.py` applies it.

    `change` is applied to every JSON object in an answer's body that has all the fields of
    `objects` (how the contract's resources are told apart, wherever they are nested);
    `schemas` to the `components/schemas` of the OpenAPI document; `restatus` changes the
    status of the error answers it names; `failure` answers the requests it matches instead
    of the API.
    """

    objects: frozenset[str] = frozenset()
    change: Change | None = None
    schemas: Change | None = None
    restatus: Restatus | None = None
    failure: Failure | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Defect:
    """One way the API can be wrong, and how it is made."""

    name: str
    section: Section
    kind: Kind
    description: str
    made_by: Rules | Seam | Wire

    @property
    def how(self) -> str:
        """`rules`, `seam sandbox.service._notify` or `wire`: how the defect is made."""
        if isinstance(self.made_by, Seam):
            return f"seam {self.made_by.module}.{self.made_by.name}"
        return "rules" if isinstance(self.made_by, Rules) else "wire"


# --- seams ----------------------------------------------------------------------------


def _calls_with(**forced: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A replacement that calls the original with some arguments forced to other values."""

    def replace(original: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(original)

        def replacement(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.arguments.update(forced)
            return original(*bound.args, **bound.kwargs)

        return replacement

    return replace


def _skipped_when(
    skip: Callable[[inspect.BoundArguments], bool],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A replacement that does nothing for the calls `skip` picks, and the original otherwise."""

    def replace(original: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(original)

        def replacement(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            return None if skip(bound) else original(*args, **kwargs)

        return replacement

    return replace


def _any_account(original: Callable[..., Any]) -> Callable[..., Any]:
    def account_by_id(db: sqlite3.Connection, caller: Any, account_id: str) -> Any:
        row = db.execute("SELECT seq FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return original(db, caller, account_id) if row is None else service.account(db, row[0])

    return account_by_id


def _sorted_symbols(original: Callable[..., Any]) -> Callable[..., Any]:
    def quotes(db: sqlite3.Connection, caller: Any, symbols: list[str], now: float) -> Any:
        return original(db, caller, sorted(symbols), now)

    return quotes


def _forbidden_when_it_exists(original: Callable[..., Any]) -> Callable[..., Any]:
    def owned_order(db: sqlite3.Connection, caller: Any, order_id: str) -> Any:
        try:
            return original(db, caller, order_id)
        except ApiError:
            if db.execute("SELECT 1 FROM orders WHERE id = ?", (order_id,)).fetchone():
                raise ApiError(
                    403, "ORDER_NOT_FOUND", "this order belongs to another customer"
                ) from None
            raise

    return owned_order


def _key_read_then_dropped(original: Callable[..., Any]) -> Callable[..., Any]:
    def key(request: Any, operation: Any) -> None:
        original(request, operation)  # the key's format is still checked

    return key


def _accepts_anything(original: Callable[..., Any]) -> Callable[..., Any]:
    def known_fields(body: Any, allowed: tuple[str, ...]) -> None:
        """Any field is accepted."""

    return known_fields


# --- the wire -------------------------------------------------------------------------

_ACCOUNT = frozenset({"account_id", "balance"})


def _set(name: str, value: Any) -> Change:
    def change(item: JsonObject) -> None:
        item[name] = value

    return change


def _drop(name: str) -> Change:
    def change(item: JsonObject) -> None:
        item.pop(name, None)

    return change


def _as_text(name: str) -> Change:
    def change(item: JsonObject) -> None:
        item[name] = str(item[name])

    return change


def _lower(name: str) -> Change:
    def change(item: JsonObject) -> None:
        item[name] = str(item[name]).lower()

    return change


def _offset_not_z(name: str) -> Change:
    def change(item: JsonObject) -> None:
        item[name] = re.sub("Z$", "+00:00", str(item[name]))

    return change


def _schema(schema: str, name: str, value: dict[str, Any] | None, *, required: bool) -> Change:
    """A change of the document's schemas: property `name` of `schema` set (None: removed)."""

    def change(schemas: JsonObject) -> None:
        target = schemas[schema]
        if value is None:
            del target["properties"][name]
        else:
            target["properties"][name] = value
        names = [each for each in target.get("required", []) if each != name]
        target["required"] = [*names, name] if required else names

    return change


def changed_schemas(wire: Wire, schemas: JsonObject) -> JsonObject:
    """A copy of the document's schemas with the defect's change made."""
    changed = copy.deepcopy(schemas)
    if wire.schemas is not None:
        wire.schemas(changed)
    return changed


_D, _P, _E = Kind.CONTRACT_DRIFT, Kind.PRODUCT_DEFECT, Kind.ENVIRONMENT

CATALOGUE: tuple[Defect, ...] = (
    # authentication
    Defect(
        name="expires_in_ignored",
        section=Section.AUTHENTICATION,
        kind=_P,
        description="a token always lasts 3600 seconds, whatever expires_in asked for",
        made_by=Seam(
            module="sandbox.service",
            name="_grant",
            replace=_calls_with(expires_in=CONTRACT.token_lifetime),
        ),
    ),
    Defect(
        name="lockout_disabled",
        section=Section.AUTHENTICATION,
        kind=_P,
        description="failed sign-ins never lock the username",
        made_by=Rules(login_failures_allowed=10**9),
    ),
    Defect(
        name="revoke_ignored",
        section=Section.AUTHENTICATION,
        kind=_P,
        description="signing out answers 204 but the token keeps working",
        made_by=Seam(
            module="sandbox.service", name="revoke_token", replace=_skipped_when(lambda _: True)
        ),
    ),
    # accounts
    Defect(
        name="account_extra_field",
        section=Section.ACCOUNTS,
        kind=_D,
        description="Account carries an undocumented field, risk_score",
        made_by=Wire(
            objects=_ACCOUNT,
            change=_set("risk_score", 3),
            schemas=_schema("Account", "risk_score", {"type": "integer"}, required=True),
        ),
    ),
    Defect(
        name="other_account_readable",
        section=Section.ACCOUNTS,
        kind=_P,
        description="GET /accounts/{id} shows another customer's account",
        made_by=Seam(module="sandbox.service", name="account_by_id", replace=_any_account),
    ),
    Defect(
        name="balance_as_string",
        section=Section.ACCOUNTS,
        kind=_D,
        description='Account.balance is a JSON string ("100.00"), not a number',
        made_by=Wire(
            objects=_ACCOUNT,
            change=_as_text("balance"),
            schemas=_schema("Account", "balance", {"type": "string"}, required=True),
        ),
    ),
    # market data
    Defect(
        name="quote_without_volume",
        section=Section.MARKET_DATA,
        kind=_D,
        description="Quote lacks its volume field",
        made_by=Wire(
            objects=frozenset({"symbol", "price", "volume", "timestamp"}),
            change=_drop("volume"),
            schemas=_schema("Quote", "volume", None, required=False),
        ),
    ),
    Defect(
        name="quotes_sorted",
        section=Section.MARKET_DATA,
        kind=_P,
        description="GET /market?symbols= answers alphabetically, not in the order asked",
        made_by=Seam(module="sandbox.service", name="quotes", replace=_sorted_symbols),
    ),
    Defect(
        name="quote_server_error",
        section=Section.MARKET_DATA,
        kind=_P,
        description="GET /market/{symbol} always fails with 500 INTERNAL_ERROR",
        made_by=Wire(
            failure=Failure(
                status=500,
                code="INTERNAL_ERROR",
                message="the quote cache is unavailable",
                requests=re.compile("GET /market/[^/?]+"),
            )
        ),
    ),
    # orders
    Defect(
        name="buy_not_debited",
        section=Section.ORDERS,
        kind=_P,
        description="a filled buy adds the shares but does not take the cash",
        made_by=Seam(
            module="sandbox.service",
            name="_settle_cash",
            replace=_skipped_when(lambda call: call.arguments["order"].side == "BUY"),
        ),
    ),
    Defect(
        name="quantity_unbounded",
        section=Section.ORDERS,
        kind=_P,
        description="a quantity above 100,000 passes validation",
        made_by=Rules(max_quantity=10**9),
    ),
    Defect(
        name="filled_order_cancellable",
        section=Section.ORDERS,
        kind=_P,
        description="cancelling a FILLED order answers 200 and marks it CANCELLED",
        made_by=Seam(
            module="sandbox.service",
            name="_check_cancellable",
            replace=_skipped_when(lambda call: call.arguments["order"].status == "FILLED"),
        ),
    ),
    Defect(
        name="order_status_lowercase",
        section=Section.ORDERS,
        kind=_D,
        description='Order.status is lower case ("filled"), outside the enum',
        made_by=Wire(
            objects=frozenset({"order_id", "status"}),
            change=_lower("status"),
            schemas=_schema(
                "Order",
                "status",
                {"type": "string", "enum": ["pending", "filled", "cancelled", "rejected"]},
                required=True,
            ),
        ),
    ),
    Defect(
        name="order_lookup_forbidden",
        section=Section.ORDERS,
        kind=_D,
        description="another customer's order is 403 instead of 404 (existence leaks)",
        made_by=Seam(
            module="sandbox.service", name="_owned_order", replace=_forbidden_when_it_exists
        ),
    ),
    Defect(
        name="insufficient_funds_as_bad_request",
        section=Section.ORDERS,
        kind=_D,
        description="a buy beyond the buying power is refused with INSUFFICIENT_FUNDS as 400, "
        "not 422",
        made_by=Wire(
            restatus=Restatus(
                code="INSUFFICIENT_FUNDS", status=400, requests=re.compile("POST /orders")
            )
        ),
    ),
    # payments
    Defect(
        name="withdrawal_limit_ignored",
        section=Section.PAYMENTS,
        kind=_P,
        description="the 50,000.00 daily withdrawal limit is not enforced",
        made_by=Rules(daily_withdrawal_limit=10**15),
    ),
    Defect(
        name="amount_error_code",
        section=Section.PAYMENTS,
        kind=_P,
        description="an invalid payment amount is refused with INVALID_PRICE, not INVALID_AMOUNT",
        made_by=Rules(amount_error_code="INVALID_PRICE"),
    ),
    Defect(
        name="payment_time_offset",
        section=Section.PAYMENTS,
        kind=_D,
        description="Payment.created_at ends in +00:00 instead of Z",
        made_by=Wire(
            objects=frozenset({"payment_id", "created_at"}), change=_offset_not_z("created_at")
        ),
    ),
    # notifications
    Defect(
        name="fill_not_notified",
        section=Section.NOTIFICATIONS,
        kind=_P,
        description="a fill creates no ORDER_FILLED notification",
        made_by=Seam(
            module="sandbox.service",
            name="_notify",
            replace=_skipped_when(lambda call: call.arguments["kind"] == "ORDER_FILLED"),
        ),
    ),
    # idempotency
    Defect(
        name="idempotency_ignored",
        section=Section.IDEMPOTENCY,
        kind=_P,
        description="Idempotency-Key is ignored: a resend executes again",
        made_by=Seam(module="sandbox.app", name="Sandbox._key", replace=_key_read_then_dropped),
    ),
    # rate limiting
    Defect(
        name="rate_limit_ignored",
        section=Section.RATE_LIMITING,
        kind=_P,
        description="a token's rate limit is never enforced (its window lasts no time)",
        made_by=Rules(rate_window=0),
    ),
    # conventions
    Defect(
        name="error_without_field",
        section=Section.CONVENTIONS,
        kind=_D,
        description="error bodies lack their field member",
        made_by=Wire(
            objects=frozenset({"code", "message", "request_id"}),
            change=_drop("field"),
            schemas=_schema("Error", "field", None, required=False),
        ),
    ),
    Defect(
        name="unknown_field_accepted",
        section=Section.CONVENTIONS,
        kind=_P,
        description="unknown request fields are ignored (no mass-assignment guard)",
        made_by=Seam(module="sandbox.api", name="known_fields", replace=_accepts_anything),
    ),
    Defect(
        name="outage",
        section=Section.CONVENTIONS,
        kind=_E,
        description="every request, the health check included, is 503 (a permanent outage)",
        made_by=Wire(
            failure=Failure(
                status=503,
                code="SERVICE_UNAVAILABLE",
                message="the service is unavailable",
                headers=(("Retry-After", "1"),),
            )
        ),
    ),
)

_BY_NAME = {defect.name: defect for defect in CATALOGUE}


class UnknownDefectError(ValueError):
    """A defect name that is not in the catalogue."""


class WrongToolError(ValueError):
    """A defect asked of the tool that cannot make it (the message names the one that can)."""


def find(name: str) -> Defect:
    """The defect of this name; `UnknownDefectError` says where the names are listed."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownDefectError(
            f"no defect named {name!r}: `python -m trust defects --list` shows the catalogue"
        ) from None


def catalogue_text() -> str:
    """The catalogue as `defects --list` prints it: name, section, kind, how, what goes wrong."""
    width = max(len(defect.name) for defect in CATALOGUE)
    how = max(len(defect.how) for defect in CATALOGUE)
    lines = [
        f"{defect.name:<{width}}  {defect.section:<14}  {defect.kind:<15}  "
        f"{defect.how:<{how}}  {defect.description}"
        for defect in CATALOGUE
    ]
    return "\n".join(lines)


def seed(defect: Defect) -> Rules:
    """Make `defect` in this process, which is about to serve the sandbox: the rules to serve.

    A seam is replaced now; other rules are returned. A wire defect cannot be made here: the
    message says to use the proxy.
    """
    made_by = defect.made_by
    if isinstance(made_by, Wire):
        raise WrongToolError(
            f"{defect.name} changes what goes over the wire, not the sandbox: put "
            f"`python -m trust proxy --defect {defect.name} --upstream URL` in front of a sandbox"
        )
    if isinstance(made_by, Seam):
        made_by.apply()
        return CONTRACT
    return made_by
