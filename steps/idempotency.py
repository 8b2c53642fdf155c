"""Steps about repeated requests: the same idempotency key executes an action once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from pytest_bdd import given, then, when

from framework.errors import SuiteDefectError
from models.common import ErrorCode
from models.sandbox import DelayFault
from steps.domain.customers import Cast, Customer, new_password
from steps.domain.outcome import Outcome
from steps.vocabulary import payment_method, phrase

#: Keys the contract refuses, by how a scenario describes them.
MALFORMED_KEYS: dict[str, str] = {
    "a key of 256 characters": "k" * 256,
    "a key with a tab in it": "order\tkey",
    "a key with an accented letter": "clé-1",
}

#: The header that marks an answer as the stored one, replayed.
REPLAYED = "Idempotent-Replayed"


@dataclass
class Sent:
    """What was sent under one key: every answer, and how to send the same again."""

    answers: list[Outcome[Any]] = field(default_factory=list)
    again: Callable[[], Outcome[Any]] | None = None


class Keys:
    """The idempotency keys of one scenario, by the label the scenario gives them.

    A label stands for a fresh UUID, so a scenario never meets a key of another scenario
    or of an earlier run; the same label means the same key for every customer.
    """

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self.sent: dict[str, Sent] = {}

    def __repr__(self) -> str:
        return f"Keys({sorted(self._keys)})"

    def __getitem__(self, label: str) -> str:
        return self._keys.setdefault(label, str(uuid.uuid4()))

    def send(self, label: str, action: Callable[[str], Outcome[Any]]) -> Outcome[Any]:
        """Send ``action`` under the key of ``label``, remembering the answer and the request."""
        key = self[label]
        outcome = action(key)
        record = self.sent.setdefault(label, Sent())
        record.answers.append(outcome)
        record.again = lambda: action(key)
        return outcome

    def first(self, label: str) -> Outcome[Any]:
        """The first answer sent under ``label``."""
        return self.record(label).answers[0]

    def record(self, label: str) -> Sent:
        """What was sent under ``label`` (a step naming a key nothing was sent under is wrong)."""
        if label not in self.sent:
            raise SuiteDefectError(f'nothing was sent under the key "{label}"')
        return self.sent[label]


@pytest.fixture
def keys() -> Keys:
    """The idempotency keys of this scenario, by label."""
    return Keys()


def _market_order(customer: Customer, side: str, quantity: int, symbol: str) -> Any:
    return lambda key: customer.orders.place(
        symbol=symbol, side=side, quantity=quantity, order_type="MARKET", key=key
    )


@given(
    phrase(
        "{name:Name} has placed a market order to {side:Side} {quantity:d} {symbol:Symbol} "
        'under the key "{label}"'
    )
)
def has_placed_keyed_order(
    cast: Cast, keys: Keys, name: str, side: str, quantity: int, symbol: str, label: str
) -> None:
    """Given Alice has placed a market order to buy 10 AAPL under the key "A"

    The key is a fresh UUID that the label "A" stands for in this scenario; the order may
    have been refused (the refusal is what the key then keeps).
    """
    keys.send(label, _market_order(cast[name], side, quantity, symbol))


@when(
    phrase(
        "{name:Name} places a market order to {side:Side} {quantity:d} {symbol:Symbol} "
        'under the key "{label}"'
    ),
    target_fixture="outcome",
)
def places_keyed_order(
    cast: Cast, keys: Keys, name: str, side: str, quantity: int, symbol: str, label: str
) -> Outcome[Any]:
    """When Alice places a market order to buy 10 AAPL under the key "A\""""
    return keys.send(label, _market_order(cast[name], side, quantity, symbol))


#: How a step names a payment, and the action it is: as done ("has deposited") or as doing.
_PAYMENTS = {
    "deposited": "deposit",
    "deposits": "deposit",
    "withdrawn": "withdrawal",
    "withdraws": "withdrawal",
}


def _payment(
    customer: Customer, kind: str, amount: Decimal, method: str
) -> Callable[[str], Outcome[Any]]:
    """The payment a step names, as an action to send under a key."""
    payments = customer.payments
    pay = payments.deposit if _PAYMENTS[kind] == "deposit" else payments.withdraw
    return lambda key: pay(amount, method=payment_method(method), key=key)


@given(
    phrase(
        "{name:Name} has {kind:PaymentDone} {amount:Money} by {method:Method} "
        'under the key "{label}"'
    )
)
def has_paid_keyed(
    cast: Cast, keys: Keys, name: str, kind: str, amount: Decimal, method: str, label: str
) -> None:
    """Given Alice has deposited 250.00 by card under the key "A"

    Payments: has deposited (a deposit), has withdrawn (a withdrawal).
    """
    pays_keyed(cast, keys, name, kind, amount, method, label)


@when(
    phrase(
        '{name:Name} {kind:PaymentDoing} {amount:Money} by {method:Method} under the key "{label}"'
    ),
    target_fixture="outcome",
)
def pays_keyed(
    cast: Cast, keys: Keys, name: str, kind: str, amount: Decimal, method: str, label: str
) -> Outcome[Any]:
    """When Alice deposits 250.00 by card under the key "A"

    Payments: deposits, withdraws.
    """
    return keys.send(label, _payment(cast[name], kind, amount, method))


@given(phrase('{name:Name} has signed in with a wrong password under the key "{label}"'))
def has_signed_in_wrongly_keyed(cast: Cast, keys: Keys, name: str, label: str) -> None:
    """Given Alice has signed in with a wrong password under the key "A"

    The wrong password is generated once; sending it again reuses it.
    """
    customer, wrong = cast[name], new_password()
    keys.send(label, lambda key: customer.auth.sign_in(password=wrong, key=key)).refusal(
        "sign-in", ErrorCode.INVALID_CREDENTIALS
    )


@when(phrase('{name:Name} signs in under the key "{label}"'), target_fixture="outcome")
def signs_in_keyed(cast: Cast, keys: Keys, name: str, label: str) -> Outcome[Any]:
    """When Alice signs in under the key "A"

    With her own password.
    """
    customer = cast[name]
    return keys.send(label, lambda key: customer.auth.sign_in(key=key))


@when(phrase('{name:Name} opens an account under the key "{label}"'), target_fixture="outcome")
def opens_account_keyed(cast: Cast, keys: Keys, name: str, label: str) -> Outcome[Any]:
    """When Alice opens an account under the key "A"

    Introduces Alice the first time; later sends the same opening again.
    """
    customer = cast.introduce(name) if label not in keys.sent else cast[name]
    return keys.send(label, lambda key: customer.accounts.open(key=key))


@given(phrase('{name:Name} has opened an account under the key "{label}"'))
def has_opened_account_keyed(cast: Cast, keys: Keys, name: str, label: str) -> None:
    """Given Alice has opened an account under the key "A\""""
    opens_account_keyed(cast, keys, name, label).check()


@when(phrase('{name:Name} sends it again under the key "{label}"'), target_fixture="outcome")
def sends_again(keys: Keys, name: str, label: str) -> Outcome[Any]:
    """When Alice sends it again under the key "A"

    Exactly the request sent before under that key, by the same customer.
    """
    record = keys.record(label)
    assert record.again is not None
    outcome = record.again()
    record.answers.append(outcome)
    return outcome


@when(phrase('{name:Name} sends it {times:d} more times under the key "{label}"'))
def sends_again_times(keys: Keys, name: str, times: int, label: str) -> None:
    """When Alice sends it 3 more times under the key "A\""""
    for _ in range(times):
        sends_again(keys, name, label)


@when(
    phrase(
        "{name:Name} places a market order to buy {quantity:d} {symbol:Symbol} "
        "under {what:MalformedKey}"
    ),
    target_fixture="outcome",
)
def places_order_under_malformed_key(
    cast: Cast, name: str, quantity: int, symbol: str, what: str
) -> Outcome[Any]:
    """When Alice places a market order to buy 1 AAPL under a key of 256 characters

    Malformed keys: a key of 256 characters, a key with a tab in it, a key with an
    accented letter.
    """
    if what not in MALFORMED_KEYS:
        raise SuiteDefectError(f"unknown key {what!r}; known: {', '.join(MALFORMED_KEYS)}")
    return cast[name].orders.place(
        symbol=symbol, side="BUY", quantity=quantity, order_type="MARKET", key=MALFORMED_KEYS[what]
    )


#: Checks of the fault list while waiting for the first of two requests to be under way.
POLLS = 500


def _while_first_runs(
    customer: Customer, keys: Keys, label: str, action: Callable[[str], Outcome[Any]]
) -> list[Outcome[Any]]:
    """Send ``action`` under ``label``, and again once the sandbox reports the first delayed.

    Needs a delay armed on the customer's next such request. The sandbox claims a request's
    key in the same step as it fires its fault, so from the fault list showing the delay
    fired, the first holds the key until its delay is over: a second answered within the
    delay of the first being sent met the key in use, however short the delay. Should the
    second be answered later than that (a stalled machine) and not be refused as in use, the
    race was not run: the step fails as trouble in the environment, not as the product's.
    Both answers, first one first; a key still in flight (IDEMPOTENCY_KEY_IN_USE) is an
    answer here, not trouble to wait out.
    """
    with (
        customer.session.reading(ErrorCode.IDEMPOTENCY_KEY_IN_USE),
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        sent = time.monotonic()
        first = pool.submit(keys.send, label, action)
        delays: list[float] = []
        for _ in range(POLLS):
            if first.done() or delays:
                break
            delays = [
                record.fault.ms / 1000
                for record in customer.sandbox.faults().value.items
                if record.fired and isinstance(record.fault, DelayFault)
            ]
        assert not first.done(), "the first request was carried out before the second was sent"
        if not delays:
            raise SuiteDefectError("no delay fault fired on the first request: arm one first")
        second = keys.send(label, action)
        answered = time.monotonic() - sent
        in_use = second.error is not None and second.error.code == ErrorCode.IDEMPOTENCY_KEY_IN_USE
        if answered >= delays[0] and not in_use:
            raise TimeoutError(
                f"the second request was answered {answered:.2f} s after the first was sent, "
                f"past the first's {delays[0]:g} s delay: the machine was too busy for the "
                "race to be run (nothing is known of the product); run the scenario again"
            )
        return [first.result(), second]


@when(
    phrase(
        "{name:Name} places a market order to buy {quantity:d} {symbol:Symbol} again under "
        'the key "{label}" while the first runs'
    ),
    target_fixture="outcomes",
)
def places_order_while_first_runs(
    cast: Cast, keys: Keys, name: str, quantity: int, symbol: str, label: str
) -> list[Outcome[Any]]:
    """When Alice places a market order to buy 1 AAPL again under the key "A" while the first runs

    Needs a delay armed on Alice's next order (sandbox): the first order is sent, and the
    second once the sandbox reports the delay under way, while the first holds the key.
    """
    customer = cast[name]
    return _while_first_runs(
        customer, keys, label, _market_order(customer, "BUY", quantity, symbol)
    )


@when(
    phrase(
        "{name:Name} {kind:PaymentDoing} {amount:Money} by {method:Method} again under "
        'the key "{label}" while the first runs'
    ),
    target_fixture="outcomes",
)
def pays_while_first_runs(
    cast: Cast, keys: Keys, name: str, kind: str, amount: Decimal, method: str, label: str
) -> list[Outcome[Any]]:
    """When Alice deposits 100.00 by card again under the key "A" while the first runs

    Payments: deposits, withdraws. Needs a delay armed on Alice's next such payment
    (sandbox), as for an order.
    """
    customer = cast[name]
    return _while_first_runs(customer, keys, label, _payment(customer, kind, amount, method))


@then(phrase('the answer repeats the first one under the key "{label}"'))
def answer_repeats_first(outcome: Outcome[Any], keys: Keys, label: str) -> None:
    """Then the answer repeats the first one under the key "A"

    Same resource or same refusal, marked as replayed: nothing was executed again.
    """
    first = keys.first(label)
    assert outcome is not first, f'only one request was sent under the key "{label}"'
    if first.error is not None:
        outcome.refusal(outcome.action, first.error.code)
    else:
        made = first.check()
        identity = next((name for name in type(made).model_fields if name.endswith("_id")), None)
        if identity is not None:
            again = getattr(outcome.value, identity)
            outcome.expect(
                identity,
                getattr(made, identity),
                f"the repeat answered another {outcome.action}, {again}, not the first one, "
                f"{getattr(made, identity)}: it was carried out again",
            )
        assert outcome.value == made, f"the repeat answered the {outcome.action} otherwise"
    assert outcome.header(REPLAYED) == "true", "the repeated answer is not marked as replayed"


@then(phrase('the answer is new, not a repeat of the first one under the key "{label}"'))
def answer_is_new(outcome: Outcome[Any], keys: Keys, label: str) -> None:
    """Then the answer is new, not a repeat of the first one under the key "A\""""
    first = keys.first(label)
    # Not the Idempotent-Replayed header: when this request's own answer is lost in transit,
    # the client resends it under its own key and is rightly answered by that replay.
    assert outcome.check() != first.result, "the answer is the first one again"


@then(
    phrase("one {action} is accepted and the other is refused with reason {code:Code}"),
)
def one_accepted_one_refused(outcomes: list[Outcome[Any]], action: str, code: ErrorCode) -> None:
    """Then one order is accepted and the other is refused with reason IDEMPOTENCY_KEY_IN_USE"""
    accepted = [outcome for outcome in outcomes if outcome.accepted]
    refused = [outcome for outcome in outcomes if not outcome.accepted]
    assert len(accepted) == 1, f"{len(accepted)} of the {action}s were accepted"
    refused[0].refusal(action, code)


@then(phrase("{name:Name} has {count:d} order on record"))
@then(phrase("{name:Name} has {count:d} orders on record"))
def orders_on_record(cast: Cast, name: str, count: int) -> None:
    """Then Alice has 1 order on record"""
    answer = cast[name].orders.list()
    has = answer.count("items")
    answer.expect_count("items", count, f"{name} has {has} orders on record, not {count}")


@given(phrase("{hours:d} hours have passed for {name:Name}"))
def hours_pass(cast: Cast, name: str, hours: int) -> None:
    """Given 25 hours have passed for Alice

    Moves Alice's own clock on (sandbox) and signs her in again.
    """
    customer = cast[name]
    customer.advance_clock(hours * 3600)
    customer.auth.sign_in().check()
