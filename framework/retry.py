"""The retry policy: one frozen object that says what is retried, how long to wait, when to stop.

It builds tenacity's ``Retrying`` for each request (one retry state machine) and records
every attempt through tenacity's callbacks. What is retried, and why, is decided in one
place, ``RetryPolicy.decide``, which is the table in ``docs/framework.md``:

=========================================  ===========================================
outcome                                    retried?
=========================================  ===========================================
exactly an answer the caller asked for     never: it is the answer the test wants
(a status it accepts whatever the body,
or a (status, code) refusal it named)
connect error (the request never left)     yes, any method
certificate verification failed            never: retrying cannot help
429 Too Many Requests, whatever its body   yes, any method, after ``Retry-After``
502, 503, 504                              only if idempotent or keyed
read error or read timeout                 only if idempotent or keyed
409 with ``Retry-After`` on a keyed call   yes: the same key is still in flight
500                                        no (a defect), unless ``retry_server_errors``
any other status, or any other exception   never (AssertionError included)
=========================================  ===========================================

The first row is decided on the whole answer, not its status alone: a 429 is the answer
only when the caller named its code (a rate limit the scenario watches); a gateway's 429,
whatever its body, is waited out.

"Idempotent" means GET, HEAD, OPTIONS, PUT, DELETE or TRACE; "keyed" means the request
carries an ``Idempotency-Key``, which every attempt resends unchanged.

Backoff is exponential with full jitter: the wait after attempt *n* (1-based) is drawn
uniformly from ``[0, min(backoff_max, backoff_base * 2 ** (n - 1))]``, by the policy's
own ``rng`` (a ``random.Random``; one made with a seed pins every wait). When the response
has ``Retry-After``, the wait is ``max(backoff, min(retry_after, retry_after_cap))``: never
less than the backoff, never more than the cap, and the attempt's reason says when the cap
applied. Worked example with the defaults (``backoff_base=0.25``, ``backoff_max=8``,
``max_attempts=6``): the waits after attempts 1 to 5 are drawn from [0, 0.25],
[0, 0.5], [0, 1], [0, 2] and [0, 4] seconds; a 429 with ``Retry-After: 2`` after attempt 1
waits 2 s, and one with ``Retry-After: 120`` waits the cap, 30 s (if the deadline allows).

``max_attempts`` counts the first try: 1 means no retries. ``deadline`` (seconds) bounds a
whole request, waits included: no attempt starts once a wait would cross it, and each
attempt's timeouts are cut to the time left. ``deadline=None`` means no overall bound
(``max_attempts`` still stops). ``backoff_base=0`` retries without waiting.
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

import tenacity

from framework.errors import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    TransportError,
)
from framework.exchange import Attempt
from framework.expected import Expected

if TYPE_CHECKING:
    import requests

    from framework.settings import Settings

logger = logging.getLogger("framework.retry")

#: Methods that may be resent after a read error or a 502/503/504 without a key.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

#: Statuses meaning "the service is briefly unavailable".
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})

# Whole seconds are ASCII digits only: str.isdigit() is also true of "²" and "١".
_DELAY_SECONDS = re.compile(r"[0-9]+")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: whole seconds or an HTTP-date.

    A date in the past means 0; whole seconds too many for a float mean ``inf`` (the cap
    applies). Anything else, or no value, gives ``None``: a sign, a fraction, digits that
    are not ASCII, a date out of range, garbage. Never raises.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # an HTTP-date is always GMT
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, seconds)


def describe_status(status: int, reason: str | None = None) -> str:
    """``"503 Service Unavailable"``: a status with its reason phrase."""
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"{status} {reason}".rstrip()


def describe_error(error: TransportError) -> str:
    """``"ReadTimeout (…)"``: a transport error on one line, without the URL."""
    return f"{type(error).__name__} ({error.detail})"


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestTraits:
    """What the policy needs to know about a request to decide on retries."""

    method: str
    keyed: bool
    expected: Expected = field(default_factory=Expected)


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    """The policy's decision about one outcome, with the reason shown to people."""

    retry: bool
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryOutcome:
    """The end of a retried call: the last response or error, and every attempt.

    ``exhausted`` is true when the last outcome was retryable but the policy stopped
    (attempts or deadline): the caller turns that into ``RetriesExhausted``.
    """

    response: requests.Response | None
    error: TransportError | None
    attempts: tuple[Attempt, ...]
    exhausted: bool


@dataclass
class _RunState:
    """Mutable scratchpad of one run, shared by the tenacity callbacks."""

    traits: RequestTraits
    started: float
    attempts: list[Attempt] = field(default_factory=list)
    verdict: Verdict = field(default_factory=lambda: Verdict(retry=False, reason=""))
    wait_note: str = ""
    asked: float = 0.0  #: seconds of the coming wait that ``Retry-After`` asked for


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """What is retried, how long to wait and when to stop; see the module docstring."""

    max_attempts: int = 6  #: tries in all, the first included
    deadline: float | None = 60.0  #: seconds for a whole request, waits included
    backoff_base: float = 0.25  #: seconds; upper bound of the first wait
    backoff_max: float = 8.0  #: seconds; the backoff bound never exceeds this
    retry_after_cap: float = 30.0  #: seconds; the longest ``Retry-After`` honoured
    retry_server_errors: bool = False  #: retry 500 like 502/503/504
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    #: where the jitter is drawn from: give ``random.Random(seed)`` to pin the waits
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        checks = {
            "max_attempts": self.max_attempts >= 1,
            "deadline": self.deadline is None or self.deadline > 0,
            "backoff_base": self.backoff_base >= 0,
            "backoff_max": self.backoff_max >= 0,
            "retry_after_cap": self.retry_after_cap >= 0,
        }
        for name, ok in checks.items():
            if not ok:
                value = getattr(self, name)
                raise ConfigurationError(f"RetryPolicy {name}={value!r} is out of range")

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """The policy the settings describe."""
        return cls(
            max_attempts=settings.api_max_attempts,
            deadline=settings.api_deadline,
            backoff_base=settings.api_backoff_base,
            backoff_max=settings.api_backoff_max,
            retry_after_cap=settings.api_retry_after_cap,
            retry_server_errors=settings.api_retry_server_errors,
        )

    def decide(
        self,
        traits: RequestTraits,
        *,
        status: int | None = None,
        retry_after: str | None = None,
        body: bytes = b"",
        error: TransportError | None = None,
    ) -> Verdict:
        """Whether one outcome (a status and its body, or a transport error) is retried, and why."""
        safe = traits.method in IDEMPOTENT_METHODS or traits.keyed
        why_safe = (
            "an idempotent method" if traits.method in IDEMPOTENT_METHODS else "a keyed request"
        )
        unsafe = f"not retried: {traits.method} without an Idempotency-Key may have executed"
        if error is not None:
            if isinstance(error, CertificateError):
                return Verdict(retry=False, reason="not retried: a certificate does not heal")
            if isinstance(error, ConnectError):
                return Verdict(retry=True, reason="retried: the request never reached the server")
            if safe:
                return Verdict(retry=True, reason=f"retried: read failure on {why_safe}")
            return Verdict(retry=False, reason=unsafe)
        assert status is not None, "decide() needs a status or an error"
        if status in traits.expected.statuses:
            return Verdict(retry=False, reason=f"{status} is a status the caller expects")
        refusal = traits.expected.refused_with(status, body)
        if refusal is not None:
            what = f"{status} {refusal[1]}"
            return Verdict(retry=False, reason=f"{what} is a refusal the caller expects")
        if status == 429:
            return Verdict(retry=True, reason="retried: rate limited")
        if status in UNAVAILABLE_STATUSES or (status == 500 and self.retry_server_errors):
            if safe:
                return Verdict(retry=True, reason=f"retried: server unavailable, on {why_safe}")
            return Verdict(retry=False, reason=unsafe)
        if status == 409 and traits.keyed and retry_after is not None:
            return Verdict(retry=True, reason="retried: the idempotency key is still in flight")
        if status == 500:
            return Verdict(retry=False, reason="not retried: a 500 is a defect, not weather")
        return Verdict(retry=False, reason="not retried: final answer")

    def backoff(self, attempt_number: int) -> float:
        """Full-jitter exponential backoff after attempt ``attempt_number`` (1-based)."""
        try:
            bound = min(self.backoff_max, math.ldexp(self.backoff_base, attempt_number - 1))
        except OverflowError:  # doubled past any float, so past backoff_max
            bound = self.backoff_max
        return self.rng.uniform(0, bound)

    def wait_after(self, attempt_number: int, retry_after: str | None) -> tuple[float, str]:
        """Seconds to wait after an attempt, and a note when ``Retry-After`` shaped it."""
        backoff = self.backoff(attempt_number)
        asked = parse_retry_after(retry_after)
        if asked is None:
            return backoff, ""
        honoured = min(asked, self.retry_after_cap)
        note = f"Retry-After {asked:g} s"
        if asked > self.retry_after_cap:
            note += f", capped to {self.retry_after_cap:g} s"
        if backoff > honoured:
            note += ", backoff was longer"
        return max(backoff, honoured), note

    def run(
        self, call: Callable[[float | None], requests.Response], traits: RequestTraits
    ) -> RetryOutcome:
        """Call ``call(time_left)`` until the policy is satisfied; never raises a TransportError.

        ``time_left`` is the seconds left before the deadline (``None`` without one), for
        the transport to cut its timeouts. Exceptions other than ``TransportError`` (an
        ``AssertionError``, a bug) are never retried and propagate unchanged.
        """
        state = _RunState(traits=traits, started=time.monotonic())

        def attempt() -> requests.Response:
            if self.deadline is None:
                return call(None)
            return call(max(0.0, self.deadline - (time.monotonic() - state.started)))

        retrying = tenacity.Retrying(
            retry=lambda retry_state: self._judge(state, retry_state),
            wait=lambda retry_state: self._wait(state, retry_state),
            stop=self._stop(),
            before_sleep=lambda retry_state: self._record(state, retry_state),
            sleep=self.sleep,
            reraise=False,
        )
        try:
            response = retrying(attempt)
        except tenacity.RetryError as stopped:
            last = stopped.last_attempt
            self._record(state, None, outcome=last, stopped=True)
            error = last.exception()
            return RetryOutcome(
                response=None if error is not None else last.result(),
                error=error if isinstance(error, TransportError) else None,
                attempts=tuple(state.attempts),
                exhausted=True,
            )
        except TransportError as error:
            self._record(state, None, error=error)
            return RetryOutcome(
                response=None, error=error, attempts=tuple(state.attempts), exhausted=False
            )
        self._record(state, None, response=response)
        return RetryOutcome(
            response=response, error=None, attempts=tuple(state.attempts), exhausted=False
        )

    def _stop(self) -> tenacity.stop.stop_base:
        stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(self.max_attempts)
        if self.deadline is not None:
            stop = stop | tenacity.stop_before_delay(self.deadline)
        return stop

    def _judge(self, state: _RunState, retry_state: tenacity.RetryCallState) -> bool:
        outcome = retry_state.outcome
        assert outcome is not None
        error = outcome.exception()
        if error is None:
            response: requests.Response = outcome.result()
            state.verdict = self.decide(
                state.traits,
                status=response.status_code,
                retry_after=response.headers.get("Retry-After"),
                body=response.content,
            )
        elif isinstance(error, TransportError):
            state.verdict = self.decide(state.traits, error=error)
        else:
            return False  # an assertion or a bug: tenacity re-raises it at once
        return state.verdict.retry

    def _wait(self, state: _RunState, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        assert outcome is not None
        retry_after = None
        if outcome.exception() is None:
            retry_after = outcome.result().headers.get("Retry-After")
        seconds, state.wait_note = self.wait_after(retry_state.attempt_number, retry_after)
        asked = parse_retry_after(retry_after)
        state.asked = 0.0 if asked is None else min(asked, self.retry_after_cap, seconds)
        return seconds

    def _record(
        self,
        state: _RunState,
        retry_state: tenacity.RetryCallState | None,
        *,
        outcome: tenacity.Future | None = None,
        response: requests.Response | None = None,
        error: BaseException | None = None,
        stopped: bool = False,
    ) -> None:
        """Append one Attempt: from ``before_sleep`` (retried) or once the run is over."""
        wait = asked = 0.0
        if retry_state is not None:
            outcome = retry_state.outcome
            wait = retry_state.upcoming_sleep
            asked = min(state.asked, wait)
        if outcome is not None:
            error = outcome.exception()
            if error is None:
                response = outcome.result()
        if response is not None:
            what = describe_status(response.status_code, response.reason)
        elif isinstance(error, TransportError):
            what = describe_error(error)
        else:
            what = type(error).__name__
        reason = state.verdict.reason
        if state.wait_note and (retry_state is not None or stopped):
            reason += f" ({state.wait_note})"
        if stopped:
            reason += "; " + self._why_stopped(len(state.attempts) + 1, state)
        number = len(state.attempts) + 1
        elapsed = time.monotonic() - state.started
        state.attempts.append(
            Attempt(
                number=number,
                outcome=what,
                reason=reason,
                wait_seconds=wait,
                elapsed_seconds=elapsed,
                asked_seconds=asked,
            )
        )
        if retry_state is not None:
            logger.warning("attempt %d: %s; %s; waiting %.3f s", number, what, reason, wait)

    def _why_stopped(self, number: int, state: _RunState) -> str:
        if number >= self.max_attempts:
            return f"stopped after {self.max_attempts} attempts"
        return f"stopped: the next wait would pass the {self.deadline:g} s deadline"
