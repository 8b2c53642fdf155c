"""The client's own record of what the API acknowledged, customer by customer, for a load run.

A load run checks money afterwards (`trust.conservation`) against this record, not against
what the API says at the end: every deposit, withdrawal and order the API answered with a
success is written down as the answer said it (ids, amounts, fill prices), under the
idempotency key it was sent with. A keyed request whose outcome is unknown — no answer, a
429 or a 5xx once the retries ran out, or a request still on its way when the run stopped —
is kept with its key and body, to be resolved after the run by resending it under the same
key and reading the replay (`RecordingClient.resolve`), never guessed.

`RecordingClient` is the framework's client with that record attached: it notes every POST
before sending it (so that a request cut off mid-flight is known) and reads every answer
through a listener. The record is plain data (`Ledger.to_json`), so that the workers of a
distributed run can send theirs to the master.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from framework.client import UNSET, ApiClient, ApiResponse, Exchange, encode_json
from framework.errors import FrameworkError
from framework.retry import IDEMPOTENT_METHODS
from framework.settings import Settings
from models.common import error_code

#: The POSTs whose outcome the record keeps: they open accounts or move money or shares.
RECORDED = frozenset({"/accounts", "/orders", "/payments/deposits", "/payments/withdrawals"})

#: The statuses a resend after the run accepts, whatever its body: any final answer.
FINAL_STATUSES = (200, 201, 400, 401, 404, 409, 422)


def cents(amount: object) -> int:
    """An amount of money from a JSON answer (2 decimal places at most) as integer cents."""
    return int(Decimal(str(amount)).scaleb(2))


@dataclass(frozen=True, kw_only=True, slots=True)
class Sent:
    """A keyed POST as it went out: enough to send it again under the same key."""

    method: str
    path: str
    body: str
    key: str

    def to_json(self) -> dict[str, str]:
        """Plain data."""
        return {"method": self.method, "path": self.path, "body": self.body, "key": self.key}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Sent:
        """The inverse of `to_json`."""
        return cls(method=data["method"], path=data["path"], body=data["body"], key=data["key"])


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderSeen:
    """An order as the API last answered it to the client."""

    side: str
    symbol: str
    quantity: int
    status: str
    fill_price: int | None  #: cents a share

    def to_json(self) -> list[Any]:
        """Plain data."""
        return [self.side, self.symbol, self.quantity, self.status, self.fill_price]

    @classmethod
    def from_json(cls, data: list[Any]) -> OrderSeen:
        """The inverse of `to_json`."""
        side, symbol, quantity, status, fill_price = data
        return cls(
            side=side, symbol=symbol, quantity=quantity, status=status, fill_price=fill_price
        )

    @classmethod
    def read(cls, order: Mapping[str, Any]) -> OrderSeen:
        """From an Order as the API's JSON gives it."""
        price = order.get("fill_price")
        return cls(
            side=str(order["side"]),
            symbol=str(order["symbol"]),
            quantity=int(order["quantity"]),
            status=str(order["status"]),
            fill_price=None if price is None else cents(price),
        )


PaymentType = Literal["DEPOSIT", "WITHDRAWAL"]


@dataclass(kw_only=True)
class Book:
    """What the API acknowledged to the client for one customer (by username).

    ``password`` is kept only for a customer the run opened during the load, whom the check
    afterwards must sign in as; it never appears in the repr.
    """

    username: str
    password: str | None = None
    #: the account id, when the run saw the account opened
    opened: str | None = None
    #: payment id -> (type, amount in cents)
    payments: dict[str, tuple[str, int]] = field(default_factory=dict)
    orders: dict[str, OrderSeen] = field(default_factory=dict)
    #: idempotency key -> the ids of the resources acknowledged under it (one, unless the
    #: API executed one request twice)
    keys: dict[str, list[str]] = field(default_factory=dict)
    #: keyed requests whose outcome is not known (no final answer), by key
    unknown: dict[str, Sent] = field(default_factory=dict)
    #: keyed requests sent and not yet answered, by key
    in_flight: dict[str, Sent] = field(default_factory=dict)
    #: keys resolved after the run, and how: "replayed" or "executed now" or "refused"
    resolved: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Book({self.username!r}, {len(self.orders)} orders, {len(self.payments)} payments,"
            f" {len(self.unknown) + len(self.in_flight)} unknown)"
        )

    def sending(self, sent: Sent) -> None:
        """A keyed request is about to go out."""
        self.in_flight[sent.key] = sent

    def answered(self, sent: Sent, status: int | None, body: bytes, *, code: str | None) -> None:
        """The final answer to a keyed request (``None``: none came)."""
        self.in_flight.pop(sent.key, None)
        if not known_outcome(status, code):
            self.unknown[sent.key] = sent
            return
        self.unknown.pop(sent.key, None)
        if status is None or not 200 <= status < 300:
            return
        document = json.loads(body, parse_float=Decimal)
        self.acknowledge(sent.path, sent.key, document)

    def acknowledge(self, path: str, key: str | None, document: Mapping[str, Any]) -> None:
        """Write down a success the API answered: an account, a payment or an order."""
        resource: str | None = None
        if path == "/accounts":
            self.opened = resource = str(document["account_id"])
        elif path in ("/payments/deposits", "/payments/withdrawals"):
            resource = str(document["payment_id"])
            self.payments[resource] = (str(document["type"]), cents(document["amount"]))
        elif path == "/orders" or path.startswith("/orders/"):
            resource = str(document["order_id"])
            self.orders[resource] = OrderSeen.read(document)
        if key is not None and resource is not None:
            ids = self.keys.setdefault(key, [])
            if resource not in ids:
                ids.append(resource)

    def unresolved(self) -> list[Sent]:
        """Every keyed request whose outcome is not known: unanswered, or cut off."""
        return [*self.unknown.values(), *self.in_flight.values()]

    def to_json(self) -> dict[str, Any]:
        """Plain data (the password included: the record travels between the run's processes)."""
        return {
            "username": self.username,
            "password": self.password,
            "opened": self.opened,
            "payments": {pid: list(each) for pid, each in self.payments.items()},
            "orders": {oid: order.to_json() for oid, order in self.orders.items()},
            "keys": self.keys,
            "unknown": [sent.to_json() for sent in self.unresolved()],
            "resolved": self.resolved,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Book:
        """The inverse of `to_json` (requests in flight come back as unknown)."""
        return cls(
            username=data["username"],
            password=data["password"],
            opened=data["opened"],
            payments={pid: (kind, amount) for pid, (kind, amount) in data["payments"].items()},
            orders={oid: OrderSeen.from_json(each) for oid, each in data["orders"].items()},
            keys={key: list(ids) for key, ids in data["keys"].items()},
            unknown={each["key"]: Sent.from_json(each) for each in data["unknown"]},
            resolved=dict(data["resolved"]),
        )

    def merge(self, other: Book) -> None:
        """Add what another user or process recorded for the same customer."""
        self.password = self.password or other.password
        self.opened = self.opened or other.opened
        self.payments.update(other.payments)
        for order_id, order in other.orders.items():
            mine = self.orders.get(order_id)
            # The later word on an order wins: a fill or a cancellation over "pending".
            if mine is None or mine.status == "PENDING":
                self.orders[order_id] = order
        for key, ids in other.keys.items():
            mine_ids = self.keys.setdefault(key, [])
            mine_ids.extend(each for each in ids if each not in mine_ids)
        for sent in other.unresolved():
            if sent.key not in self.keys:
                self.unknown[sent.key] = sent
        self.resolved.update(other.resolved)


def known_outcome(status: int | None, code: str | None) -> bool:
    """Whether an answer tells what became of a request.

    A success, or a refusal that reached execution or was refused before it (4xx), does;
    no answer, a 429 (never executed, but retries ran out), a 5xx, or the key still held by
    an earlier send (409 IDEMPOTENCY_KEY_IN_USE) do not: only a resend can tell.
    """
    if status is None or status == 429 or status >= 500:
        return False
    return not (status == 409 and code == "IDEMPOTENCY_KEY_IN_USE")


@dataclass(kw_only=True)
class Ledger:
    """Every customer's book, by username."""

    books: dict[str, Book] = field(default_factory=dict)

    def book(self, username: str, *, password: str | None = None) -> Book:
        """The book of this customer (a new one the first time)."""
        found = self.books.get(username)
        if found is None:
            found = self.books[username] = Book(username=username, password=password)
        return found

    def merge(self, other: Ledger) -> None:
        """Add another ledger's books (another worker's)."""
        for username, book in other.books.items():
            self.book(username).merge(book)

    def to_json(self) -> list[dict[str, Any]]:
        """Plain data."""
        return [book.to_json() for book in self.books.values()]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Ledger:
        """The inverse of `to_json`."""
        ledger = cls()
        for each in data:
            ledger.book(each["username"]).merge(Book.from_json(each))
        return ledger


class RecordingClient(ApiClient):
    """The framework's client, writing what the API acknowledged into one customer's book.

    Every POST it sends carries an idempotency key (the client's rule); the ones in
    `RECORDED` are noted before they go out and settled by the answer, so that a request
    cut off mid-flight (a load run stopping) is still known to have been sent.
    """

    def __init__(self, settings: Settings, *, base_url: str, book: Book) -> None:
        super().__init__(settings, base_url=base_url)
        self.book = book
        self._sending: Sent | None = None
        self.add_listener(self._settle)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = UNSET,
        content: bytes | None = None,
        idempotency_key: str | Literal[False] | None = None,
        **rest: Any,
    ) -> ApiResponse:
        """`ApiClient.request`, the request noted in the book first when it is recorded."""
        __tracebackhide__ = True
        method = method.upper()
        self._sending = None
        if method == "POST" and path in RECORDED and idempotency_key is not False:
            key = idempotency_key or str(uuid.uuid4())
            idempotency_key = key
            body = content if json is UNSET else encode_json(json)
            sent = Sent(method=method, path=path, body=(body or b"").decode(), key=key)
            self.book.sending(sent)
            self._sending = sent
        elif method not in IDEMPOTENT_METHODS and idempotency_key is None:
            idempotency_key = str(uuid.uuid4())
        return super().request(
            method, path, json=json, content=content, idempotency_key=idempotency_key, **rest
        )

    def _settle(self, exchange: Exchange) -> None:
        """Read an answer into the book: a recorded POST's outcome, or a cancellation."""
        sent, self._sending = self._sending, None
        received = exchange.received
        status = exchange.status
        body = received.content if received is not None else b""
        if sent is not None:
            self.book.answered(sent, status, body, code=error_code(body) if body else None)
        elif exchange.method == "DELETE" and status == 200 and body:
            # A cancellation answers the whole order: its new status is the API's word.
            document = json.loads(body, parse_float=Decimal)
            if isinstance(document, dict) and "order_id" in document:
                self.book.acknowledge("/orders/", None, document)

    def resolve(self, sent: Sent, token: str | None) -> str:
        """Send a request of unknown outcome again under its key; how it turned out.

        The API replays the stored answer of a request it executed (``replayed``), executes
        one it never did (``executed now``), or refuses it as it would have (``refused``).
        ``unknown`` means the resend got no final answer either.
        """
        try:
            response = self.request(
                sent.method,
                sent.path,
                content=sent.body.encode() or None,
                token=token,
                expect={status: None for status in FINAL_STATUSES},
                idempotency_key=sent.key,
            )
        except FrameworkError:
            response = None
        if response is None or sent.key in self.book.unknown or sent.key in self.book.in_flight:
            outcome = "unknown"
        elif response.headers.get("Idempotent-Replayed") == "true":
            outcome = "replayed"
        elif 200 <= response.status < 300:
            outcome = "executed now"
        else:
            outcome = "refused"
        self.book.resolved[sent.key] = outcome
        return outcome
