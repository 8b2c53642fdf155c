"""Steps about payments: deposits, withdrawals and their history."""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from pytest_bdd import given, then, when

from models.common import ErrorCode
from models.payments import Payment, PaymentPage, PaymentStatus, PaymentType
from steps import vocabulary
from steps.domain.customers import Cast
from steps.domain.outcome import Outcome
from steps.domain.pages import follow
from steps.vocabulary import listing, money, payment_method, phrase, written


@when(phrase("{name:Name} deposits {amount:Money} by {method:Method}"), target_fixture="outcome")
def deposits(cast: Cast, name: str, amount: Decimal, method: str) -> Outcome[Payment]:
    """When Alice deposits 250.00 by card

    Methods: card, bank transfer (other words are sent as they would be spelled).
    """
    return cast[name].payments.deposit(amount, method=payment_method(method))


@when(
    phrase("{name:Name} deposits {amount:Money} {currency:Currency} by {method:Method}"),
    target_fixture="outcome",
)
def deposits_in(
    cast: Cast, name: str, amount: Decimal, currency: str, method: str
) -> Outcome[Payment]:
    """When Alice deposits 80.00 EUR by card"""
    return cast[name].payments.deposit(amount, method=payment_method(method), currency=currency)


@when(
    phrase(
        "{name:Name} sends a deposit form that names the amount twice, "
        "{first:Money} and {second:Money}"
    ),
    target_fixture="outcome",
)
def deposits_two_amounts(
    cast: Cast, name: str, first: Decimal, second: Decimal
) -> Outcome[Payment]:
    """When Alice sends a deposit form that names the amount twice, 10.00 and 999,999.00

    By card. A form with one field twice is ambiguous: a service must not pick either.
    """
    form = f'{{"amount": {first}, "amount": {second}, "method": "CARD"}}'
    return cast[name].payments.deposit_as_written(form.encode())


@when(phrase("{name:Name} withdraws {amount:Money} by {method:Method}"), target_fixture="outcome")
def withdraws(cast: Cast, name: str, amount: Decimal, method: str) -> Outcome[Payment]:
    """When Alice withdraws 400.00 by bank transfer"""
    return cast[name].payments.withdraw(amount, method=payment_method(method))


@when(
    phrase("{name:Name} withdraws {amount:Money} {currency:Currency} by {method:Method}"),
    target_fixture="outcome",
)
def withdraws_in(
    cast: Cast, name: str, amount: Decimal, currency: str, method: str
) -> Outcome[Payment]:
    """When Alice withdraws 10.00 GBP by bank transfer"""
    return cast[name].payments.withdraw(amount, method=payment_method(method), currency=currency)


@given(phrase("{name:Name} has deposited {amounts:Amounts}"), target_fixture="payment")
def has_deposited(cast: Cast, name: str, amounts: str) -> Payment:
    """Given Alice has deposited 10.00, 20.00 and 30.00

    Deposits by card, one after the other, on top of whatever Alice already has (so it holds
    for an existing customer too); "the payment" is the last of them.
    """
    made = [
        cast[name].payments.deposit(money(amount), method="CARD").check()
        for amount in listing(amounts)
    ]
    return made[-1]


@given(phrase("{name:Name} has withdrawn {amount:Money}"), target_fixture="payment")
def has_withdrawn(cast: Cast, name: str, amount: Decimal) -> Payment:
    """Given Alice has withdrawn 30,000.00

    By bank transfer; "the payment" is this withdrawal.
    """
    return cast[name].payments.withdraw(amount, method="BANK_TRANSFER").check()


@then(phrase("the {kind:Word} of {amount:Money} {currency:Currency} is completed"))
def payment_completed(outcome: Outcome[Payment], kind: str, amount: Decimal, currency: str) -> None:
    """Then the deposit of 250.00 USD is completed"""
    payment = outcome.check()
    message = (
        f"the payment is a {payment.type} of {written(payment.amount)} {payment.currency}, "
        f"{payment.status}; expected a COMPLETED {kind} of {written(amount)} {currency}"
    )
    outcome.expect("type", PaymentType(kind.upper()), message)
    outcome.expect("amount", amount, message)
    outcome.expect("currency", currency, message)
    outcome.expect("status", PaymentStatus.COMPLETED, message)


@then(phrase("{name:Name} has {count:d} payment on record"))
@then(phrase("{name:Name} has {count:d} payments on record"))
def payments_on_record(cast: Cast, name: str, count: int) -> None:
    """Then Alice has 1 payment on record"""
    answer = cast[name].payments.list()
    has = answer.count("items")
    answer.expect_count("items", count, f"{name} has {has} payments on record, not {count}")


@when(
    phrase("{name:Name} makes two withdrawals of {amount:Money} at the same time"),
    target_fixture="outcomes",
)
def two_withdrawals_at_once(cast: Cast, name: str, amount: Decimal) -> list[Outcome[Payment]]:
    """When Alice makes two withdrawals of 600.00 at the same time"""
    customer = cast[name]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(customer.payments.withdraw, amount, method="BANK_TRANSFER")
            for _ in range(2)
        ]
        return [future.result() for future in futures]


@then(phrase("one withdrawal is completed and the other is refused with reason {code:Code}"))
def one_completed_one_refused(outcomes: list[Outcome[Payment]], code: ErrorCode) -> None:
    """Then one withdrawal is completed and the other is refused with reason INSUFFICIENT_FUNDS"""
    accepted = [outcome for outcome in outcomes if outcome.accepted]
    refused = [outcome for outcome in outcomes if not outcome.accepted]
    assert len(accepted) == 1, f"{len(accepted)} of the withdrawals were completed"
    refused[0].refusal("withdrawal", code)


@when(phrase("{name:Name} looks up the payment"), target_fixture="outcome")
def looks_up_payment(cast: Cast, payment: Payment, name: str) -> Outcome[Payment]:
    """When Alice looks up the payment"""
    return cast[name].payments.get(payment.payment_id)


@when(phrase("{name:Name} looks up a payment that does not exist"), target_fixture="outcome")
def looks_up_missing_payment(cast: Cast, name: str) -> Outcome[Payment]:
    """When Alice looks up a payment that does not exist"""
    return cast[name].payments.get(f"pay_{secrets.token_hex(12)}")


@then(phrase("the payment shown is a {kind:Word} of {amount:Money}"))
def payment_shown(outcome: Outcome[Payment], payment: Payment, kind: str, amount: Decimal) -> None:
    """Then the payment shown is a deposit of 75.50"""
    shown = outcome.check()
    assert shown == payment, f"shown {shown!r}, made {payment!r}"
    assert (shown.type, shown.amount) == (PaymentType(kind.upper()), amount)


def _payments(payments: list[tuple[PaymentType, Decimal]]) -> str:
    """``a withdrawal of 5.00, a deposit of 30.00``: payments as the features write them."""
    return ", ".join(f"a {kind.value.lower()} of {written(amount)}" for kind, amount in payments)


@then(phrase("the payments listed are {description}"))
def payments_listed(outcome: Outcome[PaymentPage], description: str) -> None:
    """Then the payments listed are a withdrawal of 5.00, then deposits of 30.00 and 10.00"""
    expected: list[tuple[PaymentType, Decimal]] = []
    for part in re.split(r",\s+then\s+", description):
        match = re.fullmatch(r"(?:an? )?(deposit|withdrawal)s? of (.+)", part)
        assert match, (
            f"cannot read {part!r}: write 'a deposit of 5.00' or 'deposits of 1.00 and 2.00'"
        )
        kind, amounts = match.groups()
        expected += [(PaymentType(kind.upper()), money(amount)) for amount in listing(amounts)]
    listed = [(payment.type, payment.amount) for payment in outcome.value.items]
    message = f"listed {_payments(listed)}, expected {_payments(expected)}"
    outcome.expect("items.*.type", [kind for kind, _ in expected], message)
    outcome.expect("items.*.amount", [amount for _, amount in expected], message)


@then(phrase("following the pages, {name:Name} sees payments of {pages}"))
def pages_hold_payments(cast: Cast, outcome: Outcome[PaymentPage], name: str, pages: str) -> None:
    """Then following the pages, Alice sees payments of 5.00 and 4.00, then 3.00 and 2.00

    Follows the pages to the last; each ", then" starts the next page.
    """
    seen = [
        [payment.amount for payment in page] for page in follow(outcome.value, cast[name].payments)
    ]
    expected = [[money(amount) for amount in page] for page in vocabulary.pages(pages)]
    assert seen == expected, f"pages held {seen}, expected {expected}"
