"""The retry policy driven directly, without a network: every row of the retry table."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime
from fractions import Fraction
from typing import Any

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st

from framework.errors import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    ReadError,
    ReadTimeout,
    TransportError,
)
from framework.expected import ErrorCodes, Expected
from framework.retry import RequestTraits, RetryPolicy, parse_retry_after

POLICY = RetryPolicy(max_attempts=3, deadline=5.0, backoff_base=0.0, retry_after_cap=0.0)


def traits(method: str, *, keyed: bool = False, expected: tuple[int, ...] = ()) -> RequestTraits:
    return RequestTraits(method=method, keyed=keyed, expected=Expected.of(dict.fromkeys(expected)))


def error(kind: type[TransportError]) -> TransportError:
    return kind("GET http://127.0.0.1/x: boom", detail="boom")


# One row per line of the table in docs/framework.md: (traits, status, Retry-After, error,
# retry server errors, retried?)
TABLE = [
    pytest.param(traits("POST"), None, None, ConnectError, False, True, id="connect-error-post"),
    pytest.param(traits("GET"), None, None, ConnectError, False, True, id="connect-error-get"),
    pytest.param(traits("GET"), None, None, CertificateError, False, False, id="certificate"),
    pytest.param(traits("POST"), 429, "1", None, False, True, id="429-post"),
    pytest.param(traits("GET"), 429, None, None, False, True, id="429-get-no-retry-after"),
    pytest.param(traits("GET"), 502, None, None, False, True, id="502-get"),
    pytest.param(traits("PUT"), 503, None, None, False, True, id="503-put"),
    pytest.param(traits("DELETE"), 504, None, None, False, True, id="504-delete"),
    pytest.param(traits("POST"), 503, None, None, False, False, id="503-post-unkeyed"),
    pytest.param(traits("POST", keyed=True), 503, None, None, False, True, id="503-post-keyed"),
    pytest.param(traits("PATCH"), 502, None, None, False, False, id="502-patch-unkeyed"),
    pytest.param(traits("GET"), None, None, ReadError, False, True, id="read-error-get"),
    pytest.param(traits("GET"), None, None, ReadTimeout, False, True, id="read-timeout-get"),
    pytest.param(traits("POST"), None, None, ReadError, False, False, id="read-error-post"),
    pytest.param(traits("POST"), None, None, ReadTimeout, False, False, id="read-timeout-post"),
    pytest.param(
        traits("POST", keyed=True), None, None, ReadError, False, True, id="read-error-keyed"
    ),
    pytest.param(traits("POST", keyed=True), 409, "1", None, False, True, id="409-keyed-in-flight"),
    pytest.param(traits("POST", keyed=True), 409, None, None, False, False, id="409-keyed-no-ra"),
    pytest.param(traits("POST"), 409, "1", None, False, False, id="409-unkeyed"),
    pytest.param(traits("GET", expected=(429,)), 429, "1", None, False, False, id="429-expected"),
    pytest.param(traits("GET", expected=(503,)), 503, None, None, False, False, id="503-expected"),
    pytest.param(traits("GET"), 500, None, None, False, False, id="500-default"),
    pytest.param(traits("GET"), 500, None, None, True, True, id="500-configured"),
    pytest.param(traits("POST"), 500, None, None, True, False, id="500-configured-post"),
    pytest.param(traits("GET"), 404, None, None, False, False, id="404"),
    pytest.param(traits("GET"), 400, None, None, False, False, id="400"),
    pytest.param(traits("GET"), 401, None, None, False, False, id="401"),
    pytest.param(traits("GET"), 200, None, None, False, False, id="200"),
]


@pytest.mark.parametrize(
    ("request_traits", "status", "retry_after", "failure", "server_errors", "retried"), TABLE
)
def test_retry_table(
    request_traits: RequestTraits,
    status: int | None,
    retry_after: str | None,
    failure: type[TransportError] | None,
    server_errors: bool,
    retried: bool,
) -> None:
    policy = RetryPolicy(retry_server_errors=server_errors)
    verdict = policy.decide(
        request_traits,
        status=status,
        retry_after=retry_after,
        error=error(failure) if failure else None,
    )
    assert verdict.retry is retried
    assert verdict.reason.startswith("retried" if retried else ("not retried", "4", "5"))


def _code(body: bytes) -> str | None:
    text = body.decode()
    return text.removeprefix("code:") if text.startswith("code:") else None


#: A made-up API whose error bodies read "code:<CODE>".
CODES = ErrorCodes(
    read=_code,
    statuses={
        "SLOW_DOWN": frozenset({429}),
        "KEY_BUSY": frozenset({409}),
        "BROKE": frozenset({422}),
    },
)


def refusing(method: str, *refusals: tuple[int, str], keyed: bool = False) -> RequestTraits:
    return RequestTraits(
        method=method, keyed=keyed, expected=Expected.of({200: None}, refusals, CODES)
    )


HTML = b"<html><body><h1>429 Too Many Requests</h1></body></html>"

# Expected answers are (status, code) pairs: only the exact answer named is final; any other
# answer with that status is judged by the rest of the table. (traits, status, Retry-After,
# body, retried?)
PAIRS = [
    pytest.param(
        refusing("GET", (429, "SLOW_DOWN")), 429, "1", b"code:SLOW_DOWN", False, id="named-429"
    ),
    pytest.param(refusing("GET", (429, "SLOW_DOWN")), 429, "1", HTML, True, id="429-html"),
    pytest.param(refusing("GET", (429, "SLOW_DOWN")), 429, None, b"", True, id="429-empty"),
    pytest.param(
        refusing("GET", (429, "SLOW_DOWN")), 429, None, b"code:OTHER", True, id="429-other-code"
    ),
    pytest.param(refusing("POST", keyed=True), 409, "1", b"code:KEY_BUSY", True, id="409-unnamed"),
    pytest.param(
        refusing("POST", (409, "KEY_BUSY"), keyed=True),
        409,
        "1",
        b"code:KEY_BUSY",
        False,
        id="409-named",
    ),
    pytest.param(refusing("POST", (422, "BROKE")), 422, None, b"code:BROKE", False, id="422-named"),
    pytest.param(refusing("POST", (422, "BROKE")), 400, None, b"code:BROKE", False, id="400-drift"),
    pytest.param(refusing("GET", (503, "DOWN")), 503, None, HTML, True, id="503-html-unnamed"),
    pytest.param(refusing("GET", (503, "DOWN")), 503, None, b"code:DOWN", False, id="503-named"),
]


@pytest.mark.parametrize(("request_traits", "status", "retry_after", "body", "retried"), PAIRS)
def test_an_expected_answer_is_a_status_and_a_code(
    request_traits: RequestTraits, status: int, retry_after: str | None, body: bytes, retried: bool
) -> None:
    verdict = RetryPolicy().decide(
        request_traits, status=status, retry_after=retry_after, body=body
    )
    assert verdict.retry is retried, verdict.reason


def test_a_named_refusal_says_so_in_the_attempt_history() -> None:
    verdict = RetryPolicy().decide(
        refusing("GET", (429, "SLOW_DOWN")), status=429, body=b"code:SLOW_DOWN"
    )
    assert verdict.reason == "429 SLOW_DOWN is a refusal the caller expects"


NOW = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 120 ", 120.0),
        ("Fri, 27 Nov 2026 10:00:30 GMT", 30.0),
        ("Fri, 27 Nov 2026 09:59:00 GMT", 0.0),  # a date in the past means now
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize("digits", [400, 5000])
def test_whole_seconds_too_many_for_a_float_are_for_ever(digits: int) -> None:
    assert parse_retry_after("9" * digits) == float("inf")


_HTTP_DATES = st.datetimes(
    min_value=datetime(100, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
).map(lambda moment: moment.replace(microsecond=0, tzinfo=UTC))

#: ``Retry-After`` values as servers, proxies and broken middleboxes send them.
RETRY_AFTER_VALUES = st.one_of(
    st.text(),
    st.from_regex(r"\s*[-+]?[0-9]{0,400}(\.[0-9]*)?([eE][-+]?[0-9]{1,4})?\s*", fullmatch=True),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1),  # "²", "١٢", "５"
    st.floats().map(str),  # "nan", "inf", "-0.0", "1e+300"
    _HTTP_DATES.map(lambda moment: format_datetime(moment, usegmt=True)),
    st.builds(
        lambda moment, offset: format_datetime(moment, usegmt=True).replace("GMT", offset),
        _HTTP_DATES,
        st.from_regex(r"[-+][0-9]{4}", fullmatch=True),
    ),
)


@given(RETRY_AFTER_VALUES)
@example("²")
@example("Mon, 01 Jan 0001 00:00:00 -2359")
@example("Fri, 31 Dec 9999 23:59:59 +2359")
def test_any_retry_after_gives_seconds_or_none_never_an_exception(value: str) -> None:
    seconds = parse_retry_after(value, now=NOW)
    assert seconds is None or seconds >= 0  # NaN is neither


@given(st.integers(0, 2**53), st.sampled_from(["", " ", "\t", "  \t "]))
def test_whole_seconds_are_read_exactly(seconds: int, padding: str) -> None:
    assert parse_retry_after(f"{padding}{seconds}{padding}", now=NOW) == seconds


@given(st.text(st.characters(categories=["Nd", "No"], exclude_characters="0123456789"), min_size=1))
def test_digits_other_than_ascii_are_not_seconds(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


@given(_HTTP_DATES)
def test_an_http_date_is_the_time_left_until_then(moment: datetime) -> None:
    expected = max(0.0, (moment - NOW).total_seconds())
    assert parse_retry_after(format_datetime(moment, usegmt=True), now=NOW) == expected


@given(RETRY_AFTER_VALUES, st.integers(1, 10_000))
def test_any_retry_after_gives_a_wait_within_the_cap(value: str, attempt: int) -> None:
    policy = RetryPolicy(backoff_base=0.25, backoff_max=8.0, retry_after_cap=30.0)
    wait, _ = policy.wait_after(attempt, value)
    assert 0 <= wait <= 30.0


@given(
    st.integers(),
    st.floats(0, 1e6),
    st.floats(0, 1e6),
    st.lists(st.integers(1, 5000), max_size=20),
)
def test_a_seeded_policy_draws_the_same_waits_within_the_exponential_bound(
    seed: int, base: float, maximum: float, attempts: list[int]
) -> None:
    def policy() -> RetryPolicy:
        return RetryPolicy(backoff_base=base, backoff_max=maximum, rng=random.Random(seed))

    first, second = policy(), policy()
    waits = [first.backoff(attempt) for attempt in attempts]
    assert waits == [second.backoff(attempt) for attempt in attempts]
    for attempt, wait in zip(attempts, waits, strict=True):
        bound = min(Fraction(maximum), Fraction(base) * 2 ** (attempt - 1))  # exact
        assert 0 <= Fraction(wait) <= bound


def test_a_seeded_policy_pins_the_waits_of_a_run_and_leaves_the_global_random_alone() -> None:
    slept: list[float] = []
    policy = RetryPolicy(
        backoff_base=0.5, backoff_max=8.0, sleep=slept.append, rng=random.Random(7)
    )
    drawn = random.Random(7)
    state = random.getstate()
    policy.run(Script(response(503), response(503), response(200)), traits("GET"))
    assert slept == [drawn.uniform(0, 0.5), drawn.uniform(0, 1.0)]
    assert random.getstate() == state


def test_backoff_is_full_jitter_within_the_exponential_bound() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    for attempt, bound in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        waits = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= wait <= bound for wait in waits)
        assert max(waits) > bound / 2  # jitter spreads over the whole range


def test_retry_after_is_capped_and_says_so() -> None:
    policy = RetryPolicy(backoff_base=0.0, retry_after_cap=5.0)
    assert policy.wait_after(1, "120") == (5.0, "Retry-After 120 s, capped to 5 s")
    assert policy.wait_after(1, "2") == (2.0, "Retry-After 2 s")
    assert policy.wait_after(1, "garbage") == (0.0, "")


def test_each_attempt_records_the_part_of_its_wait_the_server_asked_for() -> None:
    slept: list[float] = []
    policy = RetryPolicy(
        backoff_base=0.5, retry_after_cap=3.0, sleep=slept.append, rng=random.Random(3)
    )
    script = Script(
        response(429, {"Retry-After": "2"}),
        response(429, {"Retry-After": "60"}),
        response(503),
        response(200),
    )
    attempts = policy.run(script, traits("GET")).attempts
    assert [a.wait_seconds for a in attempts[:3]] == slept
    assert [a.asked_seconds for a in attempts] == [2.0, 3.0, 0.0, 0.0]
    assert slept[2] <= 2.0  # the 503's wait is the client's own backoff, drawn from [0, 2]


def test_retry_after_never_shortens_the_backoff() -> None:
    policy = RetryPolicy(backoff_base=100.0, backoff_max=100.0, retry_after_cap=1.0)
    waits = [policy.wait_after(1, "0") for _ in range(50)]
    assert all(wait >= 0 for wait, _ in waits)
    longer = [(wait, note) for wait, note in waits if wait > 1.0]
    assert longer, "a backoff drawn from [0, 100] exceeds 1 s almost always"
    assert all(note == "Retry-After 0 s, backoff was longer" for _, note in longer)


@pytest.mark.parametrize(
    "field", ["max_attempts", "deadline", "backoff_base", "backoff_max", "retry_after_cap"]
)
def test_out_of_range_policy_is_a_configuration_error(field: str) -> None:
    options: dict[str, Any] = {field: -1}
    with pytest.raises(ConfigurationError, match=field):
        RetryPolicy(**options)


def response(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    fake = requests.Response()
    fake.status_code = status
    fake.reason = "X"
    fake.headers.update(headers or {})
    fake._content = b"{}"
    return fake


class Script:
    """A fake call: returns or raises the scripted outcomes in order, counting calls."""

    def __init__(self, *outcomes: requests.Response | TransportError) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.time_left: list[float | None] = []

    def __call__(self, time_left: float | None) -> requests.Response:
        self.calls += 1
        self.time_left.append(time_left)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, TransportError):
            raise outcome
        return outcome


def test_run_records_every_attempt_and_returns_the_answer() -> None:
    script = Script(response(503), error(ConnectError), response(200))
    outcome = POLICY.run(script, traits("GET"))
    assert outcome.response is not None
    assert outcome.response.status_code == 200
    assert not outcome.exhausted
    assert [a.number for a in outcome.attempts] == [1, 2, 3]
    assert [a.outcome for a in outcome.attempts] == [
        "503 X",
        "ConnectError (boom)",
        "200 X",
    ]
    assert outcome.attempts[0].reason == "retried: server unavailable, on an idempotent method"
    assert outcome.attempts[-1].wait_seconds == 0.0


def test_run_stops_after_max_attempts_keeping_the_last_response() -> None:
    script = Script(response(503), response(503), response(503, {"X-Last": "yes"}))
    outcome = POLICY.run(script, traits("GET"))
    assert outcome.exhausted
    assert script.calls == 3
    assert outcome.response is not None
    assert outcome.response.headers["X-Last"] == "yes"
    assert outcome.attempts[-1].reason.endswith("stopped after 3 attempts")


def test_run_stops_on_transport_errors_keeping_the_last_error() -> None:
    last = error(ReadTimeout)
    outcome = POLICY.run(Script(error(ConnectError), error(ConnectError), last), traits("GET"))
    assert outcome.exhausted
    assert outcome.error is last


def test_run_returns_an_unretryable_error_at_once() -> None:
    script = Script(error(ReadError), response(200))
    outcome = POLICY.run(script, traits("POST"))
    assert not outcome.exhausted
    assert isinstance(outcome.error, ReadError)
    assert script.calls == 1


def test_run_never_retries_an_assertion() -> None:
    calls = 0

    def failing(time_left: float | None) -> requests.Response:
        nonlocal calls
        calls += 1
        raise AssertionError("a defect")

    with pytest.raises(AssertionError, match="a defect"):
        POLICY.run(failing, traits("GET"))
    assert calls == 1


def test_run_stops_before_a_wait_that_would_pass_the_deadline() -> None:
    slept: list[float] = []
    policy = RetryPolicy(
        max_attempts=10, deadline=1.0, backoff_base=0.0, retry_after_cap=5.0, sleep=slept.append
    )
    outcome = policy.run(Script(response(429, {"Retry-After": "3"})), traits("GET"))
    assert outcome.exhausted
    assert slept == []
    assert "the next wait would pass the 1 s deadline" in outcome.attempts[-1].reason
    assert "Retry-After 3 s" in outcome.attempts[-1].reason


def test_run_hands_the_time_left_to_each_attempt() -> None:
    script = Script(response(503), response(200))
    POLICY.run(script, traits("GET"))
    first, second = script.time_left
    assert first is not None
    assert second is not None
    assert 0 < second <= first <= 5.0


def test_policy_is_frozen_and_its_repr_is_plain() -> None:
    with pytest.raises(AttributeError):
        POLICY.max_attempts = 9  # type: ignore[misc]
    assert repr(POLICY).startswith("RetryPolicy(max_attempts=3, deadline=5.0")
