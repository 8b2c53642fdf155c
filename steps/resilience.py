"""Steps about trouble on the way: rate limits, outages, resets and lost answers (sandbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_bdd import given, then, when

from framework.classify import FailureCategory, classify
from framework.errors import FrameworkError, SuiteDefectError
from models.common import ErrorCode
from models.health import Health
from models.sandbox import Clock, FaultList
from steps.domain.customers import Cast
from steps.domain.outcome import Outcome
from steps.vocabulary import phrase

#: how far a clock the sandbox reports may be from the one expected (answer time, skew)
CLOCK_TOLERANCE = timedelta(minutes=1)

#: A `Retry-After` date long past: the client may come back at once (a wait of 0 s).
PAST_DATE = "Thu, 01 Jan 2026 00:00:00 GMT"

#: Trouble on the way, as a scenario names it, and the sandbox fault that causes it.
TROUBLES: dict[str, dict[str, Any]] = {
    "a rate limit": {"kind": "status", "status": 429, "retry_after": PAST_DATE},
    "a one-second rate limit": {"kind": "status", "status": 429, "retry_after": "1"},
    "an outage": {"kind": "status", "status": 503, "retry_after": None},
    "a bad gateway": {"kind": "status", "status": 502, "retry_after": None},
    "a gateway timeout": {"kind": "status", "status": 504, "retry_after": None},
    "a connection reset": {"kind": "reset"},
    "a lost response": {"kind": "drop_response"},
    "a slow response": {"kind": "delay", "ms": 300},
    "a two-second delay": {"kind": "delay", "ms": 2000},
}

#: The requests a trouble can hit, singular and plural, and the operations they are.
ACTIONS: dict[str, tuple[str, str]] = {
    "order": ("POST", "/orders"),
    "quote": ("GET", "/market/*"),
    "deposit": ("POST", "/payments/deposits"),
    "withdrawal": ("POST", "/payments/withdrawals"),
    "cancellation": ("DELETE", "/orders/*"),
    "account view": ("GET", "/account"),
}


def _operation(what: str) -> tuple[str, str]:
    singular = what.removesuffix("s")
    if singular not in ACTIONS:
        raise SuiteDefectError(f"unknown request {what!r}; known: {', '.join(ACTIONS)}")
    return ACTIONS[singular]


def _fault(trouble: str) -> dict[str, Any]:
    if trouble not in TROUBLES:
        raise SuiteDefectError(f"unknown trouble {trouble!r}; known: {', '.join(TROUBLES)}")
    return TROUBLES[trouble]


@given(phrase("{name:Name}'s next {what} meets {trouble}"))
def next_request_meets(cast: Cast, name: str, what: str, trouble: str) -> None:
    """Given Alice's next order meets a lost response

    Requests: order, quote, deposit, withdrawal, cancellation, account view. Troubles: a
    rate limit, a one-second rate limit, an outage, a bad gateway, a gateway timeout, a
    connection reset, a lost response, a slow response, a two-second delay (sandbox).
    """
    next_requests_meet(cast, name, 1, what, trouble)


@given(phrase("{name:Name}'s next {count:d} {what} meet {trouble}"))
def next_requests_meet(cast: Cast, name: str, count: int, what: str, trouble: str) -> None:
    """Given Alice's next 2 orders meet an outage"""
    method, path = _operation(what)
    cast[name].sandbox.add_fault(
        method=method, path=path, fault=_fault(trouble), times=count
    ).check()


@given(phrase("{name:Name}'s {what} meet {trouble} on every try"))
def every_try_meets(cast: Cast, name: str, what: str, trouble: str) -> None:
    """Given Alice's quotes meet a rate limit on every try

    As many times as the client makes attempts (API_MAX_ATTEMPTS), at most 100: a request
    sent again because its answer was lost on the way meets the trouble again.
    """
    attempts = min(cast[name].session.client.policy.max_attempts, 100)
    next_requests_meet(cast, name, attempts, what, trouble)


@given(phrase("{name:Name}'s {what} meet an outage longer than {pronoun:Pronoun} retries last"))
def outage_outlasts_retries(cast: Cast, name: str, what: str, pronoun: str) -> None:
    """Given Alice's quotes meet an outage longer than her retries last

    As many failures as the client makes attempts (API_MAX_ATTEMPTS), at most 100.
    """
    every_try_meets(cast, name, what, "an outage")


@then(phrase("{name:Name} met that trouble {count:d} time"))
@then(phrase("{name:Name} met that trouble {count:d} times"))
def met_trouble(cast: Cast, name: str, count: int) -> None:
    """And Alice met that trouble 2 times

    The sandbox confirms the trouble really happened, so the scenario cannot pass by
    never meeting it, and counts what is left of it accordingly.
    """
    faults = cast[name].sandbox.faults().value.items
    fired = sum(fault.fired for fault in faults)
    assert fired == count, f"the trouble happened {fired} times, not {count}"
    for fault in faults:
        assert fault.remaining == fault.times - fault.fired, (
            f"the sandbox has {fault.remaining} of {fault.times} troubles left after"
            f" {fault.fired} happened"
        )


@then(phrase("{name:Name}'s app had to try again for the answer"))
def tried_again(outcome: Outcome[Any], name: str) -> None:
    """And Alice's app had to try again for the answer

    The trouble was real: the first answer never reached her app, which sent the request
    again (a connection reset or a lost answer).
    """
    assert outcome.attempts >= 2, (
        f"{name}'s app got the answer at its first try: the trouble never reached it"
    )


@dataclass(frozen=True, kw_only=True)
class TriedAction:
    """An action that may end without any answer: the outcome, or the failure it met."""

    outcome: Outcome[Any] | None
    failure: FrameworkError | None


@when(phrase("{name:Name} tries to get a quote for {symbol:Symbol}"), target_fixture="attempt")
def tries_to_get_quote(cast: Cast, name: str, symbol: str) -> TriedAction:
    """When Alice tries to get a quote for AAPL

    Unlike "asks for a quote", the attempt may end without an answer; a later step says how.
    """
    try:
        return TriedAction(outcome=cast[name].market.quote(symbol), failure=None)
    except FrameworkError as failure:
        return TriedAction(outcome=None, failure=failure)


@when(
    phrase("{name:Name} asks for a quote for {symbol:Symbol}, taking staged trouble as the answer"),
    target_fixture="outcome",
)
def asks_for_quote_taking_trouble(cast: Cast, name: str, symbol: str) -> Outcome[Any]:
    """When Alice asks for a quote for AAPL, taking staged trouble as the answer

    Trouble the sandbox causes (INJECTED_FAULT) is then the answer the scenario reads, not
    trouble the client waits out.
    """
    customer = cast[name]
    with customer.session.reading(ErrorCode.INJECTED_FAULT):
        return customer.market.quote(symbol)


#: How a scenario names each kind of failure.
CATEGORIES = {
    "an environment problem": FailureCategory.ENVIRONMENT,
    "a product defect": FailureCategory.PRODUCT_DEFECT,
    "contract drift": FailureCategory.CONTRACT_DRIFT,
    "a test defect": FailureCategory.TEST_DEFECT,
}


@then(
    phrase(
        "{name:Name}'s attempt fails as {category} after every try {pronoun:Pronoun} client allows"
    )
)
def attempt_fails_as(
    cast: Cast, attempt: TriedAction, name: str, category: str, pronoun: str
) -> None:
    """Then Alice's attempt fails as an environment problem after every try her client allows

    Categories: an environment problem, a product defect, contract drift, a test defect
    (framework.classify); the tries allowed are API_MAX_ATTEMPTS.
    """
    if category not in CATEGORIES:
        raise SuiteDefectError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    assert attempt.failure is not None, f"the attempt did not fail: {attempt.outcome!r}"
    found = classify(attempt.failure)
    assert found is CATEGORIES[category], f"the failure is {found}: {attempt.failure.summary}"
    allowed = cast[name].session.client.policy.max_attempts
    tries = len(attempt.failure.attempts)
    assert tries == allowed, f"{tries} tries were made, {allowed} allowed"


@when(phrase("someone checks whether the service is up"), target_fixture="outcome")
def checks_health(cast: Cast) -> Outcome[Health]:
    """When someone checks whether the service is up"""
    return cast.stranger().health.check()


@then(phrase("the service says it is up and names its version"))
def service_is_up(outcome: Outcome[Health]) -> None:
    """Then the service says it is up and names its version"""
    health = outcome.value
    assert (health.status, bool(health.version)) == ("ok", True), f"the service says {health!r}"


@when(phrase("{name:Name} asks the sandbox for a fault it does not know"), target_fixture="outcome")
def asks_for_unknown_fault(cast: Cast, name: str) -> Outcome[Any]:
    """When Alice asks the sandbox for a fault it does not know

    An answer of status 418, which no fault can give.
    """
    return cast[name].sandbox.add_fault(
        method="GET", path="/account", fault={"kind": "status", "status": 418}
    )


@when(
    phrase("{name:Name} moves {pronoun:Pronoun} clock on by {seconds:d} seconds"),
    target_fixture="outcome",
)
def moves_clock(cast: Cast, name: str, pronoun: str, seconds: int) -> Outcome[Any]:
    """When Alice moves her clock on by 400000000 seconds"""
    return cast[name].sandbox.set_clock(seconds)


@then(phrase("{name:Name}'s clock shows about {seconds:d} seconds later than the real time"))
def clock_shows_later(outcome: Outcome[Clock], name: str, seconds: int) -> None:
    """Then Alice's clock shows about 86400 seconds later than the real time

    "About": within a minute either way, for the time the answer took and the two machines'
    clocks.
    """
    shown = outcome.value.now
    expected = datetime.now(UTC) + timedelta(seconds=seconds)
    assert abs(shown - expected) <= CLOCK_TOLERANCE, (
        f"{name}'s clock shows {shown.isoformat()}, expected about {expected.isoformat()}"
    )


@when(
    phrase("{name:Name} limits {pronoun:Pronoun} access to {limit:d} requests a minute"),
    target_fixture="outcome",
)
def limits_access(cast: Cast, name: str, pronoun: str, limit: int) -> Outcome[Any]:
    """When Alice limits her access to 0 requests a minute"""
    return cast[name].sandbox.set_rate_limit(limit)


@when(phrase("{name:Name} clears {pronoun:Pronoun} staged trouble"), target_fixture="outcome")
def clears_trouble(cast: Cast, name: str, pronoun: str) -> Outcome[None]:
    """When Alice clears her staged trouble

    Removes every fault Alice armed (sandbox), used up or not.
    """
    return cast[name].sandbox.clear_faults()


@when(phrase("{name:Name} looks at {pronoun:Pronoun} staged trouble"), target_fixture="outcome")
def looks_at_trouble(cast: Cast, name: str, pronoun: str) -> Outcome[FaultList]:
    """When Alice looks at her staged trouble

    The faults Alice armed (sandbox), with how often each has happened.
    """
    return cast[name].sandbox.faults()


@then(phrase("{name:Name} has no staged trouble"))
def has_no_trouble(cast: Cast, name: str) -> None:
    """Then Alice has no staged trouble

    Not even trouble already met: the sandbox lists used-up faults until they are cleared.
    """
    faults = cast[name].sandbox.faults().value.items
    assert faults == [], f"{name} still has staged trouble: {faults}"
