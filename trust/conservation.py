"""Money conservation after a load run: each account against its snapshot and the client's record.

Before the load, every account the run will use is read (`Holdings`: cash, buying power,
positions, the ids of its orders and payments). After it, requests whose outcome was
unknown are resolved by sending them again under their idempotency key (the API replays
what it executed, executes what it never did), the account is read again, and `check`
holds the two readings and the client's record (`trust.ledger.Book`) to the conservation
rules:

- cash = snapshot + deposits − withdrawals − cost of buys + proceeds of sells, every amount
  as the API acknowledged it (an order acknowledged pending counts at the fill price its
  history shows, if it filled later);
- positions = snapshot + shares bought − shares sold, per symbol;
- no order or payment executed twice: each idempotency key acknowledged one resource, and
  the account's history holds exactly the orders and payments acknowledged (plus those of
  the snapshot);
- no negative cash or buying power.

A failure is a product defect: the API lost or made money, or did something twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from framework.errors import FrameworkError
from steps.domain.customers import Customer
from steps.domain.pages import follow
from trust.ledger import Book, OrderSeen, RecordingClient, cents

#: The page size the readings ask for (the contract's largest).
PAGE = 100


def money(amount: int) -> str:
    """Cents as an amount, e.g. ``-1,234.50``."""
    return f"{Decimal(amount).scaleb(-2):,.2f}"


@dataclass(frozen=True, kw_only=True)
class Holdings:
    """What an account holds at one moment, as the API shows it."""

    cash: int  #: cents
    buying_power: int  #: cents
    positions: Mapping[str, int] = field(default_factory=dict)
    #: every order of its history, by id
    orders: Mapping[str, OrderSeen] = field(default_factory=dict)
    #: every payment of its history: id -> (type, cents)
    payments: Mapping[str, tuple[str, int]] = field(default_factory=dict)


#: A new account, as the contract opens it: no cash, nothing held, no history.
OPENED = Holdings(cash=0, buying_power=0)


def read_holdings(customer: Customer) -> Holdings:
    """The account as it is now: its own figures and its whole history of orders and payments.

    Raises the framework's error when the API does not answer as the contract says.
    """
    account = customer.account()
    orders = follow(customer.orders.list(limit=PAGE).value, customer.orders)
    payments = follow(customer.payments.list(limit=PAGE).value, customer.payments)
    return Holdings(
        cash=cents(account.balance),
        buying_power=cents(account.buying_power),
        positions={position.symbol: position.quantity for position in account.positions},
        orders={
            order.order_id: OrderSeen.read(order.model_dump(mode="json"))
            for page in orders
            for order in page
        },
        payments={
            payment.payment_id: (str(payment.type), cents(payment.amount))
            for page in payments
            for payment in page
        },
    )


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """One account's conservation check: what is wrong (nothing, when it holds)."""

    username: str
    problems: tuple[str, ...]
    #: how the requests of unknown outcome turned out, by key
    resolved: Mapping[str, str] = field(default_factory=dict)

    @property
    def held(self) -> bool:
        """Whether money was conserved on this account."""
        return not self.problems


def resolve(client: RecordingClient, customer: Customer) -> dict[str, str]:
    """Send every request of unknown outcome again under its key; how each turned out.

    An account opening goes first (it needs no token); the customer then signs in for the
    rest. A resend is recorded like any answer, so the book then holds what it found.
    """
    unknown = client.book.unresolved()
    outcomes = {}
    for sent in sorted(unknown, key=lambda each: each.path != "/accounts"):
        if sent.path != "/accounts" and customer.session.token is None:
            customer.auth.sign_in().check()
        token = customer.session.token
        secret = None if token is None or sent.path == "/accounts" else token.get_secret_value()
        outcomes[sent.key] = client.resolve(sent, secret)
    return outcomes


def _fills(before: Holdings, book: Book, after: Holdings) -> tuple[list[OrderSeen], list[str]]:
    """The fills that moved money, as acknowledged (or as the history shows for an order the
    client last saw waiting), and the orders whose history contradicts what was acknowledged."""
    fills, problems = [], []
    for order_id, seen in sorted(book.orders.items()):
        final = after.orders.get(order_id)
        if seen.status == "FILLED":
            fills.append(seen)
            if final is not None and (final.status, final.fill_price) != (
                "FILLED",
                seen.fill_price,
            ):
                problems.append(
                    f"order {order_id} was acknowledged FILLED at {money(seen.fill_price or 0)},"
                    f" but its history shows it {final.status}"
                    + ("" if final.fill_price is None else f" at {money(final.fill_price)}")
                )
        elif final is not None and final.status == "FILLED":
            if seen.status != "PENDING":
                problems.append(
                    f"order {order_id} was acknowledged {seen.status}, but its history shows it"
                    " FILLED"
                )
            fills.append(final)
    for order_id, waiting in before.orders.items():
        final = after.orders.get(order_id)
        # An order already waiting at the snapshot that filled during the run.
        if waiting.status == "PENDING" and order_id not in book.orders and final is not None:
            fills += [final] if final.status == "FILLED" else []
    return fills, problems


def _history(
    kind: str,
    before: Mapping[str, object],
    acknowledged: Mapping[str, object],
    after: Mapping[str, object],
) -> list[str]:
    """The ids of one kind whose presence in the history disagrees with the record."""
    problems = []
    for found in sorted(set(after) - set(before) - set(acknowledged)):
        problems.append(
            f"{kind} {found} is in the account's history, but the API never acknowledged it:"
            " a request executed twice, or something done on its own"
        )
    for lost in sorted(set(acknowledged) - set(after)):
        problems.append(f"{kind} {lost} was acknowledged, but the account's history lacks it")
    return problems


def check(before: Holdings, book: Book, after: Holdings) -> list[str]:
    """Every way the account breaks conservation (empty when it holds); see the module."""
    problems = [
        f"one request (key {key}) was executed {len(ids)} times: {', '.join(ids)}"
        for key, ids in sorted(book.keys.items())
        if len(ids) > 1
    ]
    problems += _history("order", before.orders, book.orders, after.orders)
    problems += _history("payment", before.payments, book.payments, after.payments)
    deposits = sum(amount for kind, amount in book.payments.values() if kind == "DEPOSIT")
    withdrawals = sum(amount for kind, amount in book.payments.values() if kind == "WITHDRAWAL")
    fills, contradicted = _fills(before, book, after)
    problems += contradicted
    bought = sum(f.quantity * (f.fill_price or 0) for f in fills if f.side == "BUY")
    sold = sum(f.quantity * (f.fill_price or 0) for f in fills if f.side == "SELL")
    cash = before.cash + deposits - withdrawals - bought + sold
    if after.cash != cash:
        problems.append(
            f"cash is {money(after.cash)}, but the record gives {money(cash)}: snapshot"
            f" {money(before.cash)} + deposits {money(deposits)} − withdrawals"
            f" {money(withdrawals)} − buys {money(bought)} + sells {money(sold)}"
        )
    held: Counter[str] = Counter(before.positions)
    for fill in fills:
        held[fill.symbol] += fill.quantity if fill.side == "BUY" else -fill.quantity
    expected = {symbol: quantity for symbol, quantity in held.items() if quantity}
    if dict(after.positions) != expected:
        problems.append(
            f"positions are {_shares(after.positions)}, but the record gives {_shares(expected)}"
        )
    if after.cash < 0:
        problems.append(f"cash is negative: {money(after.cash)}")
    if after.buying_power < 0:
        problems.append(f"buying power is negative: {money(after.buying_power)}")
    return problems


def _shares(positions: Mapping[str, int]) -> str:
    return ", ".join(f"{q} {s}" for s, q in sorted(positions.items())) or "none"


def audit(before: Holdings, client: RecordingClient, customer: Customer) -> Verdict:
    """Resolve the account's unknown outcomes, read it again, and check it (see `check`)."""
    try:
        resolved = resolve(client, customer)
        if customer.session.token is None:
            customer.auth.sign_in().check()
        after = read_holdings(customer)
    except FrameworkError as error:
        return Verdict(
            username=client.book.username,
            problems=(f"could not be read after the run: {error.summary}",),
        )
    still = [key for key, outcome in resolved.items() if outcome == "unknown"]
    problems = check(before, client.book, after)
    if still:
        problems.insert(
            0, f"{len(still)} request(s) of unknown outcome got no final answer when resent"
        )
    return Verdict(username=client.book.username, problems=tuple(problems), resolved=resolved)
