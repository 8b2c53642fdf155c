"""The API's operations: for each, its validation and the execution it leads to.

An operation's `prepare` runs the validation step (400s) and returns the execution, a
function of the open transaction that runs after the idempotency key is claimed and
raises `ApiError` for 404, 409 and 422 (or, when it first needs a password hashed or
checked, an `Offloaded` execution). The route table also carries what the OpenAPI
document says about each operation.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import Any, Generic, TypeVar

from sandbox import __version__, service
from sandbox.controls import Fault, Faults, RateLimiter
from sandbox.errors import invalid
from sandbox.rules import Rules
from sandbox.service import Caller
from sandbox.validation import (
    amount,
    as_integer,
    choice,
    integer,
    known_fields,
    page_request,
    symbol,
)

Execute = Callable[[sqlite3.Connection], Any]
T = TypeVar("T")

#: money bounds of a payment
PAYMENT_MIN, PAYMENT_MAX = Decimal("0.01"), Decimal("1000000.00")
#: bounds of a price (a limit price or a sandbox price)
PRICE_MIN, PRICE_MAX = Decimal("0.01"), Decimal("1000000.00")
#: seconds: how far the sandbox clock may move either way (about 10 years)
OFFSET_MAX = 315_360_000
#: most symbols one `GET /market` may ask for
SYMBOLS_MAX = 20
#: bytes: the largest request body the API reads (1 MiB); a larger one is 413 PAYLOAD_TOO_LARGE
BODY_LIMIT = 1 << 20
#: bytes: the most of a refused body the server reads and discards after its answer (256 MiB):
#: any client that is not sending without end sees the answer, for at most about a quarter of
#: a second of one core
DISCARD_LIMIT = 256 << 20
CURRENCIES = ("USD", "EUR", "GBP")
USERNAME = re.compile(r"[a-z0-9_]{3,32}")
ORDER_STATUSES = ("PENDING", "FILLED", "CANCELLED", "REJECTED")
FAULT_METHODS = ("*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
FAULT_STATUSES = (429, 500, 502, 503, 504)
#: seconds: the longest Retry-After a status fault may carry as a number
RETRY_AFTER_MAX = 86_400
#: whole seconds, or an IMF-fixdate HTTP-date (RFC 9110)
RETRY_AFTER = re.compile(
    r"[0-9]{1,5}|(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (0[1-9]|[12][0-9]|3[01])"
    r" (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4}"
    r" ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] GMT"
)


#: each query parameter's error code (a bad value, or the parameter given twice) and how to
#: give it once
QUERY_PARAMETERS: dict[str, tuple[str, str]] = {
    "symbols": ("INVALID_SYMBOL", "name every symbol in one, comma-separated: ?symbols=AAPL,MSFT"),
    "status": ("INVALID_STATUS", "ask for one status at a time"),
    "limit": ("INVALID_PAGINATION", "give one page size"),
    "cursor": ("INVALID_PAGINATION", "give the next_cursor of the previous page"),
    "after": ("INVALID_PAGINATION", "give the newest notification_id already seen"),
}


class Auth(Enum):
    """How an operation is authenticated."""

    NONE = "none"
    BEARER = "bearer"
    #: `DELETE /auth/token`: a bearer token must be presented, valid or not
    REVOKE = "revoke"


@dataclass(frozen=True, kw_only=True, slots=True)
class Incoming:
    """A request as an operation's validation sees it."""

    path_params: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any]
    caller: Caller | None
    token: str | None
    real_now: float

    @property
    def now(self) -> float:
        """The caller's clock (real time for an anonymous request)."""
        return self.caller.now(self.real_now) if self.caller else self.real_now

    @property
    def customer(self) -> Caller:
        """The authenticated caller (operations with `Auth.BEARER` always have one)."""
        assert self.caller is not None
        return self.caller


@dataclass(frozen=True, kw_only=True, slots=True)
class Controls:
    """What an operation reads besides the request: the rules, and the state controls change.

    `rules` are the limits the sandbox was built with; `faults` and `rates` are the
    in-memory state the sandbox controls change.
    """

    rules: Rules
    faults: Faults
    rates: RateLimiter


@dataclass(frozen=True, kw_only=True, slots=True)
class Offloaded(Generic[T]):
    """An execution that first needs CPU-bound work done: hashing or checking a password.

    `work` runs on the event loop's thread, outside any transaction, and returns the
    CPU-bound part, which runs on a worker thread while the loop serves other requests;
    `execute` is then the execution, given that part's result. The pipeline awaits it after
    the idempotency key's claim and before the transaction, so that nothing awaits between a
    fault firing and the claim, nor inside the transaction.
    """

    work: Callable[[sqlite3.Connection], Callable[[], T]]
    execute: Callable[[sqlite3.Connection, T], Any]

    async def ready(self, db: sqlite3.Connection) -> Execute:
        """Do the work; the execution given its result."""
        result = await asyncio.to_thread(self.work(db))
        return lambda transaction: self.execute(transaction, result)


Prepare = Callable[[Incoming, Controls], Execute | Offloaded[Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Operation:
    """One route: its handling and what the OpenAPI document says about it."""

    method: str
    path: str
    name: str
    summary: str
    prepare: Prepare
    auth: Auth = Auth.BEARER
    control: bool = False
    status: int = 200
    response: str | None = None
    request: str | None = None
    query: tuple[str, ...] = ()
    errors: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""

    @property
    def idempotent(self) -> bool:
        """Every POST accepts an Idempotency-Key, `POST /_sandbox/faults` included.

        A resent request to arm a fault (the client resends a POST after a read error) is
        then replayed: it never arms the fault twice.
        """
        return self.method == "POST"


OPERATIONS: list[Operation] = []


def operation(method: str, path: str, **details: Any) -> Callable[[Prepare], Prepare]:
    """Register an operation's `prepare` function in the route table."""

    def register(prepare: Prepare) -> Prepare:
        OPERATIONS.append(
            Operation(method=method, path=path, name=prepare.__name__, prepare=prepare, **details)
        )
        return prepare

    return register


def single_values(pairs: Iterable[tuple[str, str]], names: tuple[str, ...]) -> dict[str, str]:
    """The query, one value per name; a parameter of `names` given twice is 400 with its code.

    A repeated parameter is ambiguous (which value counts?), so it is refused rather than
    read as its last value. Parameters the operation does not read are passed on unchecked.
    """
    query: dict[str, str] = {}
    for name, value in pairs:
        if name in query and name in names:
            code, fix = QUERY_PARAMETERS[name]
            raise invalid(code, name, f"{name} is given more than once: {fix}")
        query[name] = value
    return query


def _required_string(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise invalid("MISSING_FIELD", name, f"{name} is required and must be a string")
    return value


def _payment_currency(body: Mapping[str, Any], caller: Caller) -> None:
    if "currency" in body and body["currency"] != caller.currency:
        raise invalid(
            "CURRENCY_MISMATCH",
            "currency",
            f"currency must be the account's currency, {caller.currency}, or left out",
        )


# --- health ---------------------------------------------------------------------------


@operation("GET", "/health", summary="Liveness", auth=Auth.NONE, response="Health")
def health(request: Incoming, controls: Controls) -> Execute:
    return lambda db: {"status": "ok", "version": __version__}


# --- authentication -------------------------------------------------------------------


@operation(
    "POST",
    "/accounts",
    summary="Open an account",
    auth=Auth.NONE,
    status=201,
    request="NewAccount",
    response="Account",
    errors={
        400: ("INVALID_USERNAME", "WEAK_PASSWORD", "INVALID_CURRENCY"),
        409: ("USERNAME_TAKEN",),
    },
    description="A new account starts with balance 0.",
)
def open_account(request: Incoming, controls: Controls) -> Offloaded[str]:
    body = request.body
    known_fields(body, ("username", "password", "currency"))
    username = body.get("username")
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise invalid("INVALID_USERNAME", "username", "username must be 3 to 32 of a-z, 0-9 and _")
    password = body.get("password")
    if not isinstance(password, str) or len(password) < 12:
        raise invalid("WEAK_PASSWORD", "password", "password must be at least 12 characters")
    currency = choice(
        body.get("currency", "USD"), field="currency", code="INVALID_CURRENCY", choices=CURRENCIES
    )
    return Offloaded(
        work=lambda db: partial(service.hash_password, password),
        execute=lambda db, hashed: service.open_account(
            db, username, hashed, currency, request.real_now
        ),
    )


@operation(
    "POST",
    "/auth/token",
    summary="Log in: exchange a username and password for a bearer token",
    auth=Auth.NONE,
    request="Credentials",
    response="Token",
    errors={
        400: ("MISSING_FIELD", "INVALID_EXPIRES_IN"),
        401: ("INVALID_CREDENTIALS",),
        429: ("TOO_MANY_ATTEMPTS",),
    },
    description=(
        "After 5 failed attempts for one username within 60 seconds every attempt for it"
        " is 429 TOO_MANY_ATTEMPTS with Retry-After until 60 seconds after the first of"
        " them, by the clock of the customer the username belongs to. A successful login"
        " does not clear earlier failures. An unknown username is throttled the same way."
    ),
)
def issue_token(request: Incoming, controls: Controls) -> Offloaded[service.PasswordCheck]:
    body = request.body
    known_fields(body, ("username", "password", "expires_in"))
    username = _required_string(body, "username")
    password = _required_string(body, "password")
    lifetime = controls.rules.token_lifetime
    expires_in = integer(
        body.get("expires_in", lifetime),
        field="expires_in",
        code="INVALID_EXPIRES_IN",
        minimum=1,
        maximum=lifetime,
    )
    return Offloaded(
        work=lambda db: partial(
            service.check_password, password, service.stored_password(db, username)
        ),
        execute=lambda db, checked: service.issue_token(
            db, username, checked, expires_in, request.real_now, controls.rules
        ),
    )


@operation(
    "DELETE",
    "/auth/token",
    summary="Revoke the presented token",
    auth=Auth.REVOKE,
    status=204,
    description=(
        "204 also when the token is already revoked, expired or unknown (RFC 7009), so"
        " that a resend is harmless; 401 only when no bearer token is presented."
    ),
)
def revoke_token(request: Incoming, controls: Controls) -> Execute:
    assert request.token is not None
    token = request.token
    return lambda db: service.revoke_token(db, token)


# --- accounts -------------------------------------------------------------------------


@operation("GET", "/account", summary="The caller's own account", response="Account")
def own_account(request: Incoming, controls: Controls) -> Execute:
    return lambda db: service.account(db, request.customer.seq)


@operation(
    "GET",
    "/accounts/{account_id}",
    summary="An account by id (only the caller's own)",
    response="Account",
    errors={404: ("ACCOUNT_NOT_FOUND",)},
    description="Anybody else's account is 404, never 403: existence does not leak.",
)
def account_by_id(request: Incoming, controls: Controls) -> Execute:
    account_id = request.path_params["account_id"]
    return lambda db: service.account_by_id(db, request.customer, account_id)


# --- market data ----------------------------------------------------------------------


@operation(
    "GET",
    "/market/{symbol}",
    summary="The quote of one symbol",
    response="Quote",
    errors={400: ("INVALID_SYMBOL",), 404: ("SYMBOL_NOT_FOUND",)},
    description=(
        "The price is the caller's own when they set one with PUT /_sandbox/market/{symbol};"
        " volume counts the shares traded by every customer."
    ),
)
def get_quote(request: Incoming, controls: Controls) -> Execute:
    wanted = symbol(request.path_params["symbol"])
    return lambda db: service.quote(db, request.customer, wanted, request.now)


@operation(
    "GET",
    "/market",
    summary="Quotes of several symbols, in the order asked",
    response="Quotes",
    query=("symbols",),
    errors={
        400: ("MISSING_FIELD", "INVALID_SYMBOL", "TOO_MANY_SYMBOLS"),
        404: ("SYMBOL_NOT_FOUND",),
    },
)
def get_quotes(request: Incoming, controls: Controls) -> Execute:
    raw = request.query.get("symbols")
    if not raw:
        raise invalid("MISSING_FIELD", "symbols", "symbols is required: ?symbols=AAPL,MSFT")
    wanted = raw.split(",")
    if len(wanted) > SYMBOLS_MAX:
        raise invalid(
            "TOO_MANY_SYMBOLS", "symbols", f"symbols may name at most {SYMBOLS_MAX} symbols"
        )
    for each in wanted:
        symbol(each, field="symbols")
    return lambda db: service.quotes(db, request.customer, wanted, request.now)


# --- orders ---------------------------------------------------------------------------


@operation(
    "POST",
    "/orders",
    summary="Place an order",
    status=201,
    request="NewOrder",
    response="Order",
    errors={
        400: (
            "INVALID_SYMBOL",
            "INVALID_SIDE",
            "INVALID_QUANTITY",
            "INVALID_ORDER_TYPE",
            "INVALID_PRICE",
        ),
        404: ("SYMBOL_NOT_FOUND",),
        422: ("INSUFFICIENT_FUNDS", "INSUFFICIENT_POSITION"),
    },
    description=(
        "Fields are checked in the order symbol, side, quantity, order_type, limit_price."
        " For a MARKET order limit_price must be absent or null. A MARKET order fills at"
        " once at the caller's current price; a LIMIT order fills at once when the price"
        " allows, else rests PENDING and reserves buying power (BUY) or shares (SELL)."
    ),
)
def place_order(request: Incoming, controls: Controls) -> Execute:
    body = request.body
    known_fields(body, ("symbol", "side", "quantity", "order_type", "limit_price"))
    wanted = symbol(body.get("symbol"))
    side = choice(body.get("side"), field="side", code="INVALID_SIDE", choices=("BUY", "SELL"))
    quantity = integer(
        body.get("quantity"),
        field="quantity",
        code="INVALID_QUANTITY",
        minimum=1,
        maximum=controls.rules.max_quantity,
    )
    order_type = choice(
        body.get("order_type"),
        field="order_type",
        code="INVALID_ORDER_TYPE",
        choices=("MARKET", "LIMIT"),
    )
    limit_price: int | None = None
    if order_type == "LIMIT":
        limit_price = service.cents(
            amount(
                body.get("limit_price"),
                field="limit_price",
                code="INVALID_PRICE",
                minimum=PRICE_MIN,
                maximum=PRICE_MAX,
            )
        )
    elif body.get("limit_price") is not None:
        raise invalid("INVALID_PRICE", "limit_price", "limit_price must be absent for MARKET")
    return lambda db: service.place_order(
        db,
        request.customer,
        symbol=wanted,
        side=side,
        quantity=quantity,
        order_type=order_type,
        limit_price=limit_price,
        now=request.now,
    )


@operation(
    "GET",
    "/orders/{order_id}",
    summary="One of the caller's orders",
    response="Order",
    errors={404: ("ORDER_NOT_FOUND",)},
)
def get_order(request: Incoming, controls: Controls) -> Execute:
    order_id = request.path_params["order_id"]
    return lambda db: service.get_order(db, request.customer, order_id)


@operation(
    "GET",
    "/orders",
    summary="The caller's orders, newest first",
    response="OrderPage",
    query=("status", "limit", "cursor"),
    errors={400: ("INVALID_STATUS", "INVALID_PAGINATION")},
)
def list_orders(request: Incoming, controls: Controls) -> Execute:
    status = request.query.get("status")
    if status is not None:
        choice(status, field="status", code="INVALID_STATUS", choices=ORDER_STATUSES)
    page = page_request(request.query, "orders")
    return lambda db: service.list_orders(db, request.customer, status, page)


@operation(
    "DELETE",
    "/orders/{order_id}",
    summary="Cancel an order",
    response="Order",
    errors={404: ("ORDER_NOT_FOUND",), 409: ("ORDER_NOT_CANCELLABLE",)},
    description=(
        "Releases the reservation and creates an ORDER_CANCELLED notification. Cancelling"
        " an order that is already CANCELLED answers 200 with it unchanged."
    ),
)
def cancel_order(request: Incoming, controls: Controls) -> Execute:
    order_id = request.path_params["order_id"]
    return lambda db: service.cancel_order(db, request.customer, order_id, request.now)


# --- payments -------------------------------------------------------------------------


def _payment(request: Incoming, rules: Rules, kind: str) -> Execute:
    body = request.body
    known_fields(body, ("amount", "method", "currency"))
    value = amount(
        body.get("amount"),
        field="amount",
        code=rules.amount_error_code,
        minimum=PAYMENT_MIN,
        maximum=PAYMENT_MAX,
    )
    method = choice(
        body.get("method"),
        field="method",
        code="INVALID_METHOD",
        choices=("CARD", "BANK_TRANSFER"),
    )
    _payment_currency(body, request.customer)
    return lambda db: service.pay(
        db,
        request.customer,
        kind=kind,
        amount=service.cents(value),
        method=method,
        now=request.now,
        rules=rules,
    )


_PAYMENT_400 = ("INVALID_AMOUNT", "INVALID_METHOD", "CURRENCY_MISMATCH")


@operation(
    "POST",
    "/payments/deposits",
    summary="Deposit cash",
    status=201,
    request="NewPayment",
    response="Payment",
    errors={400: _PAYMENT_400},
)
def deposit(request: Incoming, controls: Controls) -> Execute:
    return _payment(request, controls.rules, "DEPOSIT")


@operation(
    "POST",
    "/payments/withdrawals",
    summary="Withdraw cash",
    status=201,
    request="NewPayment",
    response="Payment",
    errors={400: _PAYMENT_400, 422: ("LIMIT_EXCEEDED", "INSUFFICIENT_FUNDS")},
    description=(
        "At most 50,000.00 a UTC day of the caller's clock (reaching it exactly is allowed);"
        " checked against buying power. When both apply, LIMIT_EXCEEDED answers."
    ),
)
def withdraw(request: Incoming, controls: Controls) -> Execute:
    return _payment(request, controls.rules, "WITHDRAWAL")


@operation(
    "GET",
    "/payments/{payment_id}",
    summary="One of the caller's payments",
    response="Payment",
    errors={404: ("PAYMENT_NOT_FOUND",)},
)
def get_payment(request: Incoming, controls: Controls) -> Execute:
    payment_id = request.path_params["payment_id"]
    return lambda db: service.get_payment(db, request.customer, payment_id)


@operation(
    "GET",
    "/payments",
    summary="The caller's payments, newest first",
    response="PaymentPage",
    query=("limit", "cursor"),
    errors={400: ("INVALID_PAGINATION",)},
)
def list_payments(request: Incoming, controls: Controls) -> Execute:
    page = page_request(request.query, "payments")
    return lambda db: service.list_payments(db, request.customer, page)


# --- notifications --------------------------------------------------------------------


@operation(
    "GET",
    "/notifications",
    summary="The caller's notifications, newest first",
    response="NotificationPage",
    query=("after", "limit", "cursor"),
    errors={400: ("INVALID_PAGINATION",)},
    description=(
        "With ?after= only those created after that notification; an id that is not one"
        " of the caller's notifications is 400 INVALID_PAGINATION."
    ),
)
def list_notifications(request: Incoming, controls: Controls) -> Execute:
    after = request.query.get("after")
    page = page_request(request.query, "notifications")
    return lambda db: service.list_notifications(db, request.customer, after, page)


# --- sandbox controls -----------------------------------------------------------------


@operation(
    "PUT",
    "/_sandbox/market/{symbol}",
    summary="Set the caller's own price of a symbol",
    control=True,
    request="PriceChange",
    response="Quote",
    errors={400: ("INVALID_SYMBOL", "INVALID_PRICE"), 404: ("SYMBOL_NOT_FOUND",)},
    description=(
        "Only the caller sees this price. Their pending orders that it crosses fill at"
        " once at their limit price."
    ),
)
def set_price(request: Incoming, controls: Controls) -> Execute:
    wanted = symbol(request.path_params["symbol"])
    known_fields(request.body, ("price",))
    price = amount(
        request.body.get("price"),
        field="price",
        code="INVALID_PRICE",
        minimum=PRICE_MIN,
        maximum=PRICE_MAX,
    )
    return lambda db: service.set_price(
        db, request.customer, wanted, service.cents(price), request.now
    )


def _fault_spec(value: Any) -> dict[str, Any]:
    def bad(message: str) -> Exception:
        return invalid("INVALID_FAULT", "fault", message)

    if not isinstance(value, dict):
        raise bad("fault must be an object with a kind")
    kind = value.get("kind")
    known: tuple[str, ...]
    if kind == "status":
        known = ("kind", "status", "retry_after")
        status = as_integer(value.get("status"), 429, 504)
        if status not in FAULT_STATUSES:
            raise bad("fault.status must be one of 429, 500, 502, 503, 504")
        spec = {
            "kind": kind,
            "status": status,
            "retry_after": _retry_after(value.get("retry_after")),
        }
    elif kind == "delay":
        known = ("kind", "ms")
        ms = as_integer(value.get("ms"), 1, 30_000)
        if ms is None:
            raise bad("fault.ms must be an integer from 1 to 30000")
        spec = {"kind": kind, "ms": ms}
    elif kind in ("reset", "drop_response"):
        known = ("kind",)
        spec = {"kind": kind}
    else:
        raise bad("fault.kind must be one of status, delay, reset, drop_response")
    for name in value:
        if name not in known:
            raise bad(f"fault.{name} is not a field of a {kind} fault")
    return spec


def _retry_after(value: Any) -> str | None:
    """`Retry-After` as the fault will send it: whole seconds or an HTTP-date."""
    seconds = as_integer(value, 0, RETRY_AFTER_MAX)
    if value is None or (isinstance(value, str) and RETRY_AFTER.fullmatch(value)):
        return value
    if seconds is not None:
        return str(seconds)
    raise invalid(
        "INVALID_FAULT",
        "fault",
        "fault.retry_after must be whole seconds, an HTTP-date"
        " (Wed, 21 Oct 2026 07:28:00 GMT) or null",
    )


@operation(
    "POST",
    "/_sandbox/faults",
    summary="Inject a fault into the caller's own next matching requests",
    control=True,
    status=201,
    request="NewFault",
    response="Fault",
    errors={400: ("INVALID_FAULT",)},
    description=(
        "A fault matches only requests authenticated as its creator, never a sandbox"
        " control. When several match, the oldest fires; at most one fires per request."
        " path is an fnmatch glob over the path (query excluded). A delay fault waits"
        " just before execution, while the request holds its idempotency key; a request"
        " answered without execution (a 400, a replay, a reused or busy key) waits before"
        " its answer. A drop_response fault loses the answer whatever it is. A resend"
        " under the same Idempotency-Key is replayed: it never arms a fault twice."
    ),
)
def add_fault(request: Incoming, controls: Controls) -> Execute:
    body = request.body
    known_fields(body, ("method", "path", "fault", "times"))
    method = body.get("method")
    if method not in FAULT_METHODS or not isinstance(method, str):
        raise invalid(
            "INVALID_FAULT", "method", f"method must be one of {', '.join(FAULT_METHODS)}"
        )
    path = body.get("path")
    if not isinstance(path, str) or not 1 <= len(path) <= 500:
        raise invalid(
            "INVALID_FAULT", "path", "path must be a glob of 1 to 500 characters, e.g. /orders/*"
        )
    spec = _fault_spec(body.get("fault"))
    times = as_integer(body.get("times", 1), 1, 100)
    if times is None:
        raise invalid("INVALID_FAULT", "times", "times must be an integer from 1 to 100")
    fault = Fault(fault_id=service.new_id("flt"), method=method, path=path, spec=spec, times=times)

    def execute(db: sqlite3.Connection) -> Any:
        controls.faults.add(request.customer.seq, fault)
        return fault.view()

    return execute


@operation(
    "GET",
    "/_sandbox/faults",
    summary="The caller's faults (not paginated)",
    control=True,
    response="FaultList",
    description="Used-up faults stay listed with remaining 0 until cleared.",
)
def list_faults(request: Incoming, controls: Controls) -> Execute:
    return lambda db: {
        "items": [fault.view() for fault in controls.faults.listed(request.customer.seq)]
    }


@operation(
    "DELETE",
    "/_sandbox/faults",
    summary="Clear the caller's faults",
    control=True,
    status=204,
)
def clear_faults(request: Incoming, controls: Controls) -> Execute:
    return lambda db: controls.faults.clear(request.customer.seq)


@operation(
    "PUT",
    "/_sandbox/clock",
    summary="Run the caller's clock ahead of (or behind) real time",
    control=True,
    request="ClockChange",
    response="Clock",
    errors={400: ("INVALID_OFFSET",)},
    description=(
        "Token expiry, the login window, the withdrawal day, idempotency-key retention,"
        " the rate window and the timestamps of the caller's new resources read it."
        f" offset_seconds is from -{OFFSET_MAX} to {OFFSET_MAX} (about 10 years)."
    ),
)
def set_clock(request: Incoming, controls: Controls) -> Execute:
    known_fields(request.body, ("offset_seconds",))
    offset = integer(
        request.body.get("offset_seconds"),
        field="offset_seconds",
        code="INVALID_OFFSET",
        minimum=-OFFSET_MAX,
        maximum=OFFSET_MAX,
    )
    return lambda db: service.set_clock(db, request.customer, offset, request.real_now)


@operation(
    "PUT",
    "/_sandbox/rate-limit",
    summary="Set the calling token's rate limit",
    control=True,
    request="RateLimitChange",
    response="RateLimit",
    errors={400: ("INVALID_LIMIT",)},
    description="The window size for the calling token from now on, the current window included.",
)
def set_rate_limit(request: Incoming, controls: Controls) -> Execute:
    known_fields(request.body, ("limit",))
    limit = integer(
        request.body.get("limit"), field="limit", code="INVALID_LIMIT", minimum=1, maximum=100_000
    )

    def execute(db: sqlite3.Connection) -> Any:
        controls.rates.set_limit(request.customer.token_hash, limit)
        return {"limit": limit}

    return execute
