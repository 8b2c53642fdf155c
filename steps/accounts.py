"""Steps about what an account shows: cash, buying power, positions, and who may see it."""

from __future__ import annotations

import secrets
from decimal import Decimal

from pytest_bdd import then, when

from models.accounts import Account
from steps.domain.customers import Cast
from steps.domain.outcome import Outcome
from steps.vocabulary import phrase, written


@then(phrase("{name:Name} has {amount:Money} in cash"))
def has_cash(cast: Cast, name: str, amount: Decimal) -> None:
    """Then Alice has 8,500.00 in cash"""
    answer = cast[name].account_answer()
    balance = written(answer.value.balance)
    answer.expect("balance", amount, f"{name} has {balance} in cash, expected {written(amount)}")


@then(phrase("{name:Name} has {amount:Money} of buying power"))
def has_buying_power(cast: Cast, name: str, amount: Decimal) -> None:
    """Then Alice has 8,500.00 of buying power"""
    answer = cast[name].account_answer()
    has = written(answer.value.buying_power)
    answer.expect(
        "buying_power", amount, f"{name} has {has} of buying power, expected {written(amount)}"
    )


@then(phrase("{name:Name}'s account is kept in {currency:Word}"))
def account_currency(cast: Cast, name: str, currency: str) -> None:
    """Then Alice's account is kept in EUR"""
    answer = cast[name].account_answer()
    kept = answer.value.currency
    answer.expect("currency", currency, f"{name}'s account is kept in {kept}, not {currency}")


@then(phrase("{name:Name} holds no shares"))
def holds_no_shares(cast: Cast, name: str) -> None:
    """Then Alice holds no shares"""
    answer = cast[name].account_answer()
    held = ", ".join(f"{p.quantity} {p.symbol}" for p in answer.value.positions)
    answer.expect_count("positions", 0, f"{name} holds {held}, not nothing")


@then(phrase("{name:Name} holds no {symbol:Symbol} shares"))
def holds_no_shares_of(cast: Cast, name: str, symbol: str) -> None:
    """Then Alice holds no AAPL shares"""
    answer = cast[name].account_answer()
    held = [p for p in answer.value.positions if p.symbol == symbol]
    still = ", ".join(f"{p.quantity} {p.symbol}" for p in held)
    answer.expect_count("positions", 0, f"{name} still holds {still}", where={"symbol": symbol})


@then(phrase("{name:Name} holds {quantity:d} {symbol:Symbol} at an average price of {price:Money}"))
def holds_position(cast: Cast, name: str, quantity: int, symbol: str, price: Decimal) -> None:
    """Then Alice holds 10 AAPL at an average price of 150.00"""
    answer = cast[name].account_answer()
    positions = answer.value.positions
    held = [p for p in positions if p.symbol == symbol]
    answer.expect_count(
        "positions",
        1,
        f"{name} holds no {symbol}, only {sorted(p.symbol for p in positions)}"
        if not held
        else f"{name} holds {len(held)} positions in {symbol}, not one",
        where={"symbol": symbol},
    )
    [position] = held
    answer.expect_count(
        "positions",
        1,
        f"{name} holds {position.quantity} {symbol} at an average of "
        f"{written(position.average_price)}, expected {quantity} at {written(price)}",
        where={"symbol": symbol, "quantity": quantity, "average_price": price},
    )


@when(
    phrase("{name:Name} looks up {pronoun:Pronoun} account by its number"),
    target_fixture="outcome",
)
def looks_up_own_account(cast: Cast, name: str, pronoun: str) -> Outcome[Account]:
    """When Alice looks up her account by its number"""
    customer = cast[name]
    return customer.accounts.by_id(customer.account().account_id)


@when(phrase("{name:Name} looks up {other:Name}'s account"), target_fixture="outcome")
def looks_up_other_account(cast: Cast, name: str, other: str) -> Outcome[Account]:
    """When Alice looks up Bob's account"""
    return cast[name].accounts.by_id(cast[other].account().account_id)


@when(
    phrase("{name:Name} and {other:Name} each look up the other's account"),
    target_fixture="outcomes",
)
def look_up_each_others_accounts(cast: Cast, name: str, other: str) -> list[Outcome[Account]]:
    """When Alice and Bob each look up the other's account

    Both ways round, so that one of the two asks for an account number that sorts above
    the caller's own and the other for one below it: an ownership check that compares
    numbers by order rather than by identity cannot pass both.
    """
    return [
        cast[name].accounts.by_id(cast[other].account().account_id),
        cast[other].accounts.by_id(cast[name].account().account_id),
    ]


@when(phrase("{name:Name} looks up an account that does not exist"), target_fixture="outcome")
def looks_up_missing_account(cast: Cast, name: str) -> Outcome[Account]:
    """When Alice looks up an account that does not exist"""
    return cast[name].accounts.by_id(f"acc_{secrets.token_hex(12)}")


@then(phrase("the account shown is {name:Name}'s"))
def account_shown_is(cast: Cast, outcome: Outcome[Account], name: str) -> None:
    """Then the account shown is Alice's"""
    shown = outcome.value.username
    wanted = cast[name].session.username
    outcome.expect("username", wanted, f"the account shown is that of {shown}, not {name}'s")


@then(phrase("it shows {amount:Money} in cash"))
def it_shows_cash(outcome: Outcome[Account], amount: Decimal) -> None:
    """And it shows 500.00 in cash"""
    shown = written(outcome.value.balance)
    outcome.expect("balance", amount, f"the account shows {shown} in cash, not {written(amount)}")


@when(phrase("{name:Name} asks to see {pronoun:Pronoun} account"), target_fixture="outcome")
def asks_to_see_account(cast: Cast, name: str, pronoun: str) -> Outcome[Account]:
    """When Alice asks to see her account

    The answer may be a refusal (past a rate limit, signed out); a later step says which.
    """
    return cast[name].accounts.own()
