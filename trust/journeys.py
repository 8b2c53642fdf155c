"""The journeys a load run's users take, made of the suite's domain actions, and their weights.

Each user of `python -m trust load` picks a journey at random by weight, runs it, pauses,
and picks again. A journey states the business refusals it may meet — the answers that are
right under concurrency, such as a sell racing another sell of the same shares on an
account two users share; any other refusal, and any answer that is not the API's, fails
the request (docs/trust.md, "Load and soak").

Amounts are chosen so that an account the run funds stays solvent on its own: a buy is
paid in first, a withdrawal is small. What is left to chance is what users sharing an
account do to each other.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from models.common import ErrorCode
from models.orders import OrderStatus
from steps.domain.customers import Customer

#: The symbols the journeys trade (listed in the sandbox; a real deployment lists them too).
SYMBOLS = ("AAPL", "MSFT", "GOOGL", "AMZN", "TSLA", "NVDA")
#: Cash a run pays into each account it opens for its users, before the snapshot.
OPENING_DEPOSIT = Decimal("50000.00")
#: A waiting limit buy is placed this far below the price (a share of it), so that it rests.
LIMIT_DISCOUNT = Decimal("0.5")
#: Seconds between two journeys of one user: drawn uniformly from this range.
PAUSE = (0.1, 0.5)


class Trader(Protocol):
    """What a journey acts through: a user of the load run."""

    @property
    def customer(self) -> Customer:
        """The customer this user acts as (signed in)."""
        ...

    @property
    def rng(self) -> random.Random:
        """This user's own random numbers (seeded by the run's seed)."""
        ...

    def newcomer(self) -> Customer:
        """A new customer with fresh credentials and a client of their own, account unopened."""
        ...


@dataclass(frozen=True, kw_only=True, slots=True)
class Journey:
    """A weighted sequence of domain actions and the business refusals it may meet."""

    name: str
    weight: int
    may_meet: frozenset[ErrorCode]
    run: Callable[[Trader], None]
    #: whether it opens accounts (left out where the run may not: SUITE_OPEN_ACCOUNTS=false)
    opens_accounts: bool = False


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A whole amount from ``low`` to ``high`` with random cents."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def open_and_sign_in(trader: Trader) -> None:
    """A newcomer opens an account, signs in, pays in and looks at a price."""
    newcomer = trader.newcomer()
    newcomer.join()
    newcomer.fund(_money(trader.rng, 100, 1000))
    newcomer.market.quote(trader.rng.choice(SYMBOLS)).check()


def buy(trader: Trader) -> None:
    """Quote a symbol, pay in what a few shares cost, and buy them at the market."""
    customer, rng = trader.customer, trader.rng
    quantity = rng.randint(1, 3)
    price = customer.market.quote(rng.choice(SYMBOLS)).value
    customer.payments.deposit(quantity * price.price + _money(rng, 1, 20), method="CARD").check()
    customer.orders.place(
        symbol=price.symbol, side="BUY", quantity=quantity, order_type="MARKET"
    ).check()


def sell(trader: Trader) -> None:
    """Sell a few of the shares held (of one position), at the market."""
    customer, rng = trader.customer, trader.rng
    positions = customer.account().positions
    if not positions:
        return
    held = rng.choice(positions)
    customer.orders.place(
        symbol=held.symbol,
        side="SELL",
        quantity=rng.randint(1, min(2, held.quantity)),
        order_type="MARKET",
    ).check()


def wait_then_cancel(trader: Trader) -> None:
    """Place a limit buy far below the price, which waits, then cancel it."""
    customer, rng = trader.customer, trader.rng
    price = customer.market.quote(rng.choice(SYMBOLS)).value
    limit = (price.price * LIMIT_DISCOUNT).quantize(Decimal("0.01"))
    order = customer.orders.place(
        symbol=price.symbol, side="BUY", quantity=1, order_type="LIMIT", limit_price=limit
    ).check()
    if order.status is OrderStatus.PENDING:
        customer.orders.cancel(order.order_id).check()


def withdraw(trader: Trader) -> None:
    """Take a little cash out by bank transfer."""
    trader.customer.payments.withdraw(_money(trader.rng, 1, 20), method="BANK_TRANSFER").check()


def read_notifications(trader: Trader) -> None:
    """Read the latest notifications and the account."""
    trader.customer.notifications.list(limit=20).check()
    trader.customer.account()


JOURNEYS: tuple[Journey, ...] = (
    Journey(
        name="open an account and sign in",
        weight=1,
        may_meet=frozenset(),
        run=open_and_sign_in,
        opens_accounts=True,
    ),
    Journey(
        name="buy",
        weight=4,
        # A buy racing a withdrawal or another buy of a user sharing the account.
        may_meet=frozenset({ErrorCode.INSUFFICIENT_FUNDS}),
        run=buy,
    ),
    Journey(
        name="sell",
        weight=3,
        # A sell racing a sell of the same shares by a user sharing the account.
        may_meet=frozenset({ErrorCode.INSUFFICIENT_POSITION}),
        run=sell,
    ),
    Journey(
        name="place and cancel a waiting limit order",
        weight=2,
        # Its reservation racing other spending; on a real deployment, a market that
        # reached the limit before the cancellation.
        may_meet=frozenset({ErrorCode.INSUFFICIENT_FUNDS, ErrorCode.ORDER_NOT_CANCELLABLE}),
        run=wait_then_cancel,
    ),
    Journey(
        name="withdraw",
        weight=2,
        # Spending racing it on a shared account; the day's withdrawals reaching the limit.
        may_meet=frozenset({ErrorCode.INSUFFICIENT_FUNDS, ErrorCode.LIMIT_EXCEEDED}),
        run=withdraw,
    ),
    Journey(
        name="read notifications",
        weight=2,
        may_meet=frozenset(),
        run=read_notifications,
    ),
)
