"""Steps about customers: opening accounts, signing in and out, and their access."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from pytest_bdd import given, then, when

from models.accounts import AccessToken, Account
from models.common import ErrorBody, ErrorCode
from steps.domain.customers import Cast, made_up_token, new_password
from steps.domain.outcome import Outcome
from steps.vocabulary import phrase

#: Seconds in a day, for "a day has passed".
DAY = 86_400


@given(phrase("{name:Name} is a customer"))
def a_customer(cast: Cast, name: str) -> None:
    """Given Alice is a customer

    Opens an account in US dollars with fresh, unique credentials and signs in.
    """
    cast.introduce(name).join()


@given(phrase("{name:Name} is a customer with {amount:Money} in cash"))
def a_customer_with_cash(cast: Cast, name: str, amount: Decimal) -> None:
    """Given Alice is a customer with 10,000.00 in cash

    Opens an account, signs in and deposits the amount by card.
    """
    customer = cast.introduce(name)
    customer.join()
    customer.fund(amount)


@given(phrase("{name:Name} is a customer whose account is kept in {currency:Word}"))
def a_customer_in_currency(cast: Cast, name: str, currency: str) -> None:
    """Given Alice is a customer whose account is kept in EUR"""
    cast.introduce(name).join(currency=currency)


@given(phrase("{name:Name} has opened an account"))
def has_opened_an_account(cast: Cast, name: str) -> None:
    """Given Alice has opened an account

    The account exists, but Alice has not signed in yet.
    """
    cast.introduce(name).open_account()


@when(phrase("{name:Name} opens an account"), target_fixture="outcome")
def opens_an_account(cast: Cast, name: str) -> Outcome[Account]:
    """When Alice opens an account"""
    return cast.introduce(name).accounts.open()


@when(phrase("{name:Name} opens an account in {currency:Word}"), target_fixture="outcome")
def opens_an_account_in(cast: Cast, name: str, currency: str) -> Outcome[Account]:
    """When Alice opens an account in EUR"""
    return cast.introduce(name).accounts.open(currency=currency)


@when(phrase('someone opens an account with the username "{username}"'), target_fixture="outcome")
def opens_with_username(cast: Cast, username: str) -> Outcome[Account]:
    """When someone opens an account with the username "ab\""""
    stranger = cast.stranger()
    stranger.session.username = username
    stranger.session.password = new_password()
    return stranger.accounts.open()


@when(phrase("someone else opens an account with {name:Name}'s username"), target_fixture="outcome")
def opens_with_taken_username(cast: Cast, name: str) -> Outcome[Account]:
    """When someone else opens an account with Alice's username"""
    stranger = cast.stranger()
    stranger.session.username = cast[name].session.username
    stranger.session.password = new_password()
    return stranger.accounts.open()


@when(
    phrase("{name:Name} opens an account with a password of {length:d} characters"),
    target_fixture="outcome",
)
def opens_with_password_length(cast: Cast, name: str, length: int) -> Outcome[Account]:
    """When Alice opens an account with a password of 11 characters

    The password is generated; no password is ever written in a feature file.
    """
    customer = cast.introduce(name)
    customer.session.password = new_password(length)
    customer.session.learn_secrets()
    return customer.accounts.open()


@when(
    phrase("{name:Name} opens an account with a username ending in half a character"),
    target_fixture="outcome",
)
def opens_with_broken_username(cast: Cast, name: str) -> Outcome[Account]:
    """When Alice opens an account with a username ending in half a character

    Half a character: the first half of an emoji's two-part code, without the second, so
    the text is not valid Unicode.
    """
    return cast.introduce(name).accounts.open(cut="username")


@when(
    phrase("{name:Name} opens an account with a form larger than the service accepts"),
    target_fixture="outcome",
)
def opens_with_oversized_form(cast: Cast, name: str) -> Outcome[Account]:
    """When Alice opens an account with a form larger than the service accepts

    Her form says what it always says, followed by blank space to just over the size limit.
    """
    customer = cast.introduce(name)
    customer.session.padded = True
    return customer.accounts.open()


@when(
    phrase("{name:Name} signs in with a username ending in half a character"),
    target_fixture="outcome",
)
def signs_in_with_broken_username(cast: Cast, name: str) -> Outcome[AccessToken]:
    """When Alice signs in with a username ending in half a character

    Her own username, followed by the first half of an emoji's two-part code.
    """
    return cast[name].auth.sign_in(cut="username")


@when(phrase("{name:Name} signs in"), target_fixture="outcome")
def signs_in(cast: Cast, name: str) -> Outcome[AccessToken]:
    """When Alice signs in"""
    return cast[name].auth.sign_in()


@when(phrase("{name:Name} signs in for {seconds:d} seconds"), target_fixture="outcome")
def signs_in_for(cast: Cast, name: str, seconds: int) -> Outcome[AccessToken]:
    """When Alice signs in for 60 seconds"""
    return cast[name].auth.sign_in(expires_in=seconds)


@given(phrase("{name:Name} has signed in for {seconds:d} seconds"))
def has_signed_in_for(cast: Cast, name: str, seconds: int) -> None:
    """Given Alice has signed in for 60 seconds"""
    cast[name].auth.sign_in(expires_in=seconds).check()


@when(phrase("{name:Name} signs in with a wrong password"), target_fixture="outcome")
def signs_in_wrongly(cast: Cast, name: str) -> Outcome[AccessToken]:
    """When Alice signs in with a wrong password"""
    return cast[name].auth.sign_in(password=new_password())


@when(phrase("someone signs in with a username nobody has"), target_fixture="outcome")
def stranger_signs_in(cast: Cast) -> Outcome[AccessToken]:
    """When someone signs in with a username nobody has"""
    stranger = cast.stranger()
    stranger.session.password = new_password()
    return stranger.auth.sign_in()


@given(phrase("{name:Name} has failed to sign in {times:d} times"))
def has_failed_to_sign_in(cast: Cast, name: str, times: int) -> None:
    """Given Alice has failed to sign in 5 times

    From now on a lockout (TOO_MANY_ATTEMPTS) is an answer the scenario reads for Alice's
    sign-ins; any other 429, a gateway's, is still trouble the client waits out.
    """
    customer = cast[name]
    customer.session.reads(ErrorCode.TOO_MANY_ATTEMPTS)
    for _ in range(times):
        customer.auth.sign_in(password=new_password()).refusal(
            "sign-in", ErrorCode.INVALID_CREDENTIALS
        )


@then(phrase("{name:Name} can sign in"))
def can_sign_in(cast: Cast, name: str) -> None:
    """Then Alice can sign in"""
    cast[name].auth.sign_in().check()


@then(phrase("{name:Name} stays signed in for {seconds:d} seconds"))
def stays_signed_in_for(outcome: Outcome[AccessToken], seconds: int) -> None:
    """Then Alice stays signed in for 3600 seconds"""
    token = outcome.check()
    kind = token.token_type
    outcome.expect("token_type", "bearer", f"the access is of type {kind}, not bearer")
    outcome.expect("expires_in", seconds, f"access lasts {token.expires_in} s, not {seconds} s")


@then(phrase("{name:Name} is told to try again within {seconds:d} seconds"))
def told_to_try_again(outcome: Outcome[Any], refusal: ErrorBody, seconds: int) -> None:
    """And Alice is told to try again within 60 seconds"""
    retry_after = outcome.header("Retry-After")
    assert retry_after is not None, f"no time to try again was given ({refusal.message})"
    assert retry_after.isdigit(), f"the time to try again is {retry_after!r}, not whole seconds"
    assert 0 < int(retry_after) <= seconds, f"try again in {retry_after} s, not within {seconds} s"


@then(phrase("{name:Name} can see {pronoun:Pronoun} account"))
def can_see_the_account(cast: Cast, name: str, pronoun: str) -> None:
    """Then Alice can see her account"""
    customer = cast[name]
    answer = customer.account_answer()
    shown = answer.value.username
    wanted = customer.session.username
    answer.expect("username", wanted, f"{name} is shown the account of {shown}, not {pronoun} own")


@when(phrase("someone who has not signed in asks to see their account"), target_fixture="outcome")
def anonymous_asks_for_account(cast: Cast) -> Outcome[Account]:
    """When someone who has not signed in asks to see their account"""
    return cast.stranger().accounts.own()


@when(phrase("someone with made-up access asks to see their account"), target_fixture="outcome")
def made_up_access_asks_for_account(cast: Cast) -> Outcome[Account]:
    """When someone with made-up access asks to see their account

    The made-up token is generated in code.
    """
    return cast.stranger(token=made_up_token()).accounts.own()


@then(phrase("they are asked to sign in"))
def asked_to_sign_in(outcome: Outcome[Any]) -> None:
    """And they are asked to sign in

    The refusal names the bearer scheme as the way to authenticate.
    """
    challenge = outcome.header("WWW-Authenticate") or ""
    assert challenge.lower().startswith("bearer"), f"the challenge is {challenge!r}"


@when(phrase("someone with made-up access signs out"), target_fixture="outcome")
def made_up_access_signs_out(cast: Cast) -> Outcome[None]:
    """When someone with made-up access signs out"""
    return cast.stranger(token=made_up_token()).auth.sign_out()


@when(phrase("someone who has not signed in signs out"), target_fixture="outcome")
def anonymous_signs_out(cast: Cast) -> Outcome[None]:
    """When someone who has not signed in signs out"""
    return cast.stranger().auth.sign_out()


@when(phrase("{name:Name} signs out"), target_fixture="outcome")
def signs_out(cast: Cast, name: str) -> Outcome[None]:
    """When Alice signs out"""
    return cast[name].auth.sign_out()


@given(phrase("{name:Name} has signed out"))
def has_signed_out(cast: Cast, name: str) -> None:
    """Given Alice has signed out"""
    cast[name].auth.sign_out().expect_accepted()


@then(phrase("{name:Name}'s access no longer works"))
def access_no_longer_works(cast: Cast, name: str) -> None:
    """Then Alice's access no longer works"""
    cast[name].accounts.own().refusal("account lookup", ErrorCode.UNAUTHENTICATED)


@given(phrase("{name:Name} has signed in on a second device"))
def signed_in_on_second_device(cast: Cast, name: str) -> None:
    """Given Alice has signed in on a second device

    A second session with the same credentials, known as "Alice's second device".
    """
    cast.second_device(name).auth.sign_in().check()


@when(phrase("{name:Name} signs out on the second device"), target_fixture="outcome")
def signs_out_on_second_device(cast: Cast, name: str) -> Outcome[None]:
    """When Alice signs out on the second device"""
    return cast[f"{name}'s second device"].auth.sign_out()


@given(phrase("{seconds:d} seconds pass for {name:Name}"))
@when(phrase("{seconds:d} seconds pass for {name:Name}"))
def seconds_pass(cast: Cast, name: str, seconds: int) -> None:
    """When 61 seconds pass for Alice

    Moves Alice's own clock on (sandbox); her access may expire with it.
    """
    cast[name].advance_clock(seconds)


@given(phrase("a day has passed for {name:Name}"))
def a_day_passes(cast: Cast, name: str) -> None:
    """Given a day has passed for Alice

    Moves Alice's own clock on a day (sandbox) and signs her in again.
    """
    customer = cast[name]
    customer.advance_clock(DAY)
    customer.auth.sign_in().check()


@given(phrase("{name:Name}'s clock shows {hour:d}:{minute:d} UTC"))
def clock_shows(cast: Cast, name: str, hour: int, minute: int) -> None:
    """Given Alice's clock shows 23:30 UTC

    That time of today's UTC date: moves Alice's own clock there (sandbox), either way,
    and signs her in again.
    """
    _set_clock_to(cast, name, hour, minute, days_on=0)


@given(phrase("{name:Name}'s clock shows {hour:d}:{minute:d} UTC the next day"))
def clock_shows_next_day(cast: Cast, name: str, hour: int, minute: int) -> None:
    """Given Alice's clock shows 00:30 UTC the next day

    That time of tomorrow's UTC date, as the step above.
    """
    _set_clock_to(cast, name, hour, minute, days_on=1)


def _set_clock_to(cast: Cast, name: str, hour: int, minute: int, *, days_on: int) -> None:
    now = datetime.now(UTC)
    wanted = datetime.combine(now.date(), time(hour, minute), UTC) + timedelta(days=days_on)
    customer = cast[name]
    customer.advance_clock(round((wanted - now).total_seconds()))
    customer.auth.sign_in().check()
