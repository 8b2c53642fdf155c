"""Steps about who may do what: access, other customers' things, self-set fields, leaks, limits."""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from pytest_bdd import given, then, when

from models.common import ErrorBody, ErrorCode
from steps.domain.customers import Cast, made_up_token, new_password
from steps.domain.outcome import Outcome
from steps.vocabulary import money, phrase

#: What must never appear in an error: traces, code paths, SQL, internal exception names.
INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|sqlite|\bSELECT\b|\bINSERT\b|\bUPDATE\b|/usr/|/home/|/tmp/"
    r"|Exception\b|Error:|line \d+",
    re.IGNORECASE,
)

#: What a customer may try to set on her account or deposit, and the field and value she sends.
SELF_SET: dict[str, tuple[str, Any]] = {
    "balance": ("balance", money("1000000.00")),
    "buying power": ("buying_power", money("1000000.00")),
    "account number": ("account_id", f"acc_{secrets.token_hex(12)}"),
    "status": ("status", "COMPLETED"),
    "payment number": ("payment_id", f"pay_{secrets.token_hex(12)}"),
}


@given(phrase("{name:Name}'s app sends forms larger than the service accepts"))
def sends_oversized_forms(cast: Cast, name: str) -> None:
    """Given Alice's app sends forms larger than the service accepts

    From now on every form she sends (an order, a payment, a sign-in, a sandbox setting)
    says what it always says, followed by blank space to just over the size limit.
    """
    cast[name].session.padded = True


def _forged_token(username: str) -> SecretStr:
    """An unsigned token that claims to be ``username`` (signature algorithm "none")."""

    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    claims = {"sub": username, "exp": 4_102_444_800}
    return SecretStr(f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.")


@when(
    phrase(
        "someone with {kind:Access} access places a market order to buy "
        "{quantity:d} {symbol:Symbol}"
    ),
    target_fixture="outcome",
)
def bad_access_places_order(cast: Cast, kind: str, quantity: int, symbol: str) -> Outcome[Any]:
    """When someone with forged access places a market order to buy 1 AAPL

    Kinds (all generated in code): no (nothing presented), made-up, empty, malformed
    (spaces and punctuation), forged (an unsigned token claiming to be a customer).
    """
    if kind == "no":
        return cast.stranger().orders.place(
            symbol=symbol, side="BUY", quantity=quantity, order_type="MARKET"
        )
    tokens: dict[str, Callable[[], SecretStr]] = {
        "made-up": made_up_token,
        "empty": lambda: SecretStr(""),
        "malformed": lambda: SecretStr(f"{secrets.token_hex(4)} {secrets.token_hex(4)}!;,"),
        "forged": lambda: _forged_token(cast.stranger().session.username),
    }
    stranger = cast.stranger(token=tokens[kind]())
    return stranger.orders.place(symbol=symbol, side="BUY", quantity=quantity, order_type="MARKET")


@then(phrase("after signing in again, {name:Name} has no orders"))
def after_signing_in_no_orders(cast: Cast, name: str) -> None:
    """And after signing in again, Alice has no orders"""
    customer = cast[name]
    customer.auth.sign_in().check()
    answer = customer.orders.list()
    has = answer.count("items")
    answer.expect_count("items", 0, f"{name} has {has} orders after signing in again")


@when(phrase("{name:Name} opens an account that sets its own {detail}"), target_fixture="outcome")
def opens_account_setting(cast: Cast, name: str, detail: str) -> Outcome[Any]:
    """When Alice opens an account that sets its own balance

    Details: balance, buying power, account number.
    """
    field, value = SELF_SET[detail]
    return cast.introduce(name).accounts.open(extra={field: value})


@when(
    phrase("{name:Name} deposits {amount:Money} by card that sets its own {detail}"),
    target_fixture="outcome",
)
def deposits_setting(cast: Cast, name: str, amount: Any, detail: str) -> Outcome[Any]:
    """When Alice deposits 10.00 by card that sets its own status

    Details: status, payment number.
    """
    field, value = SELF_SET[detail]
    return cast[name].payments.deposit(amount, method="CARD", extra={field: value})


@when(phrase("{name:Name} looks up {other:Name}'s {thing:Thing}"), target_fixture="outcome")
def looks_up_others(cast: Cast, name: str, other: str, thing: str) -> Outcome[Any]:
    """When Alice looks up Bob's payment

    Things: order, payment (the other customer's latest).
    """
    owner, customer = cast[other], cast[name]
    if thing == "order":
        return customer.orders.get(owner.latest_order_id())
    return customer.payments.get(owner.latest_payment_id())


@then(phrase("the refusal gives nothing away"))
def refusal_gives_nothing_away(cast: Cast, outcome: Outcome[Any]) -> None:
    """And the refusal gives nothing away

    No trace, code path, SQL or exception name, no secret of any customer of the scenario,
    and the request number the answer carries is the one her app gave the request and the
    one the refusal names.
    """
    error = outcome.error
    assert error is not None, f"the {outcome.action} was accepted"
    texts = [error.message, error.field or ""]
    leaks = [text for text in texts if INTERNALS.search(text)]
    assert not leaks, f"the refusal shows internals: {leaks}"
    for secret in cast.secrets():
        assert all(secret not in text for text in texts), "the refusal shows a secret"
    assert outcome.header("X-Request-ID") == outcome.request_id, (
        f"the app numbered the request {outcome.request_id}, the answer carries"
        f" {outcome.header('X-Request-ID')}"
    )
    assert outcome.header("X-Request-ID") == error.request_id, (
        f"the refusal names request {error.request_id}, the answer {outcome.header('X-Request-ID')}"
    )


@then(phrase("the refusal reads exactly as for a username nobody has"))
def reads_as_unknown_username(cast: Cast, refusal: ErrorBody) -> None:
    """And the refusal reads exactly as for a username nobody has"""
    stranger = cast.stranger()
    stranger.session.password = new_password()
    other = stranger.auth.sign_in().error
    assert other is not None, "a sign-in with a username nobody has was accepted"
    assert (refusal.code, refusal.message, refusal.field) == (
        other.code,
        other.message,
        other.field,
    )


@given(phrase("{name:Name} has no account"))
def has_no_account(cast: Cast, name: str) -> None:
    """Given Eve has no account

    Eve has fresh credentials that no account uses.
    """
    cast.introduce(name)


@given(phrase("{name:Name} may make {limit:d} requests a minute"))
def may_make_requests(cast: Cast, name: str, limit: int) -> None:
    """Given Alice may make 3 requests a minute

    Sets the window of Alice's current access (sandbox); from now on the API's rate limit
    (RATE_LIMITED) is an answer the scenario reads. Any other 429, a gateway's, is still
    trouble the client waits out.
    """
    customer = cast[name]
    customer.sandbox.set_rate_limit(limit).check()
    customer.session.reads(ErrorCode.RATE_LIMITED)


@dataclass(frozen=True, kw_only=True)
class Window:
    """A rate-limit window as the API last reported it: its size and the requests left."""

    limit: int
    remaining: int

    @classmethod
    def reported(cls, outcome: Outcome[Any]) -> Window:
        """The window an answer reports (every authenticated answer must)."""
        reported = {part: outcome.header(f"X-RateLimit-{part}") for part in ("Limit", "Remaining")}
        wrong = {part: value for part, value in reported.items() if not _whole(value)}
        assert not wrong, f"the answer to the {outcome.action} reports its window as {wrong}"
        return cls(limit=int(str(reported["Limit"])), remaining=int(str(reported["Remaining"])))


def _whole(value: str | None) -> bool:
    """Whether a header holds a whole number (a window past its limit may report less than 0)."""
    return value is not None and value.removeprefix("-").isdigit()


@given(phrase("{name:Name} has made {count:d} requests"), target_fixture="window")
def has_made_requests(cast: Cast, name: str, count: int) -> Window:
    """Given Alice has made 3 requests

    Looks at her account until the API reports that many requests counted in her window:
    the count is the API's own, so a look the client had to send again (and the API may
    have counted twice) cannot shift it. At most that many looks.
    """
    customer = cast[name]
    window = Window(limit=0, remaining=0)
    for _ in range(count):
        outcome = customer.accounts.own()
        if not (outcome.error and outcome.error.code is ErrorCode.RATE_LIMITED):
            outcome.check()
        window = Window.reported(outcome)
        if window.limit - window.remaining >= count:
            break
    return window


@given(phrase("{name:Name} signs in again"))
@when(phrase("{name:Name} signs in again"))
def signs_in_again(cast: Cast, name: str) -> None:
    """When Alice signs in again

    New access, with a rate-limit window of its own.
    """
    cast[name].auth.sign_in().check()


@when(phrase("{name:Name} signs in on another device"))
def signs_in_on_another_device(cast: Cast, name: str) -> None:
    """When Alice signs in on another device

    A second session with the same credentials; the first keeps its own access.
    """
    cast.second_device(name).auth.sign_in().check()


@then(phrase("{name:Name} is told all of {pronoun:Pronoun} requests are left this minute"))
def all_left(outcome: Outcome[Any], name: str, pronoun: str) -> None:
    """Then Alice is told all of her requests are left this minute

    After only sandbox controls (setting a price, staging trouble), which never count.
    """
    now = Window.reported(outcome)
    assert now.remaining == now.limit, (
        f"{name} is told {now.remaining} of {now.limit} requests are left, though nothing"
        " she did counts"
    )


@then(phrase("{name:Name} is told all but one of {pronoun:Pronoun} requests are left this minute"))
def all_but_one_left(outcome: Outcome[Any], name: str, pronoun: str) -> None:
    """Then Alice is told all but one of her requests are left this minute

    After the first request of an access: its window counts only that request (once per
    attempt the API received, when the client had to send it again).
    """
    now = Window.reported(outcome)
    assert now.limit - outcome.attempts <= now.remaining <= now.limit - 1, (
        f"{name} is told {now.remaining} of {now.limit} requests are left after the first"
        f" request of her access ({outcome.attempts} attempt(s))"
    )


@then(phrase("{name:Name} is told there is one request fewer left this minute"))
def one_request_fewer_left(outcome: Outcome[Any], window: Window, name: str) -> None:
    """Then Alice is told there is one request fewer left this minute

    Than the API reported before her last request. Each attempt the API receives counts,
    so a request the client had to send again may have counted up to once per attempt.
    """
    now = Window.reported(outcome)
    fewest = window.remaining - outcome.attempts
    assert now.limit == window.limit, f"{name}'s window changed from {window.limit} to {now.limit}"
    assert fewest <= now.remaining <= window.remaining - 1, (
        f"{name} is told {now.remaining} requests are left, after {window.remaining} before a "
        f"request that took {outcome.attempts} attempt(s)"
    )
