"""The client step definitions call: transport, retry policy and contract checks composed.

One ``ApiClient`` per run (per xdist worker) shares one pooled session. Each call to
``request`` is one logical request: it may take several attempts, is reported once to every
listener as a redacted ``Exchange``, and either returns an ``ApiResponse`` that is an answer
the caller asked for (a status it declared, or a refusal it named as a (status, code) pair,
see ``framework.expected``) and whose body matches its model, or raises a framework error
(see ``framework.errors``) whose message is a full, redacted report.
"""

from __future__ import annotations

import dataclasses
import json as jsonlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import cached_property
from types import TracebackType
from typing import Any, Final, Literal

import requests
from pydantic import BaseModel
from requests.structures import CaseInsensitiveDict

from framework.contract import validate
from framework.curl import to_curl
from framework.errors import (
    BudgetSpent,
    ConfigurationError,
    FrameworkError,
    RetriesExhausted,
    UnexpectedStatus,
)
from framework.exchange import Attempt, RequestRecord, ResponseRecord, format_report
from framework.expected import ErrorCodes, Expected, Refusal
from framework.redaction import Redactor
from framework.retry import (
    IDEMPOTENT_METHODS,
    RequestTraits,
    RetryPolicy,
    describe_error,
    describe_status,
)
from framework.settings import Settings
from framework.transport import Transport, record_request, record_response

logger = logging.getLogger("framework.client")

#: ``expect`` maps each status the caller accepts to the model of its body (None: unchecked).
Expect = Mapping[int, type[BaseModel] | None]

#: A listener receives one redacted Exchange per logical request.
Listener = Callable[["Exchange"], None]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "No JSON body" (distinct from ``json=None``, which sends ``null``).
UNSET: Final = _Unset()

# A placeholder no caller's string can contain: the run's own random nonce.
_DECIMAL_NONCE = uuid.uuid4().hex
_DECIMAL_MARK = f"\x00{_DECIMAL_NONCE}:"
_DECIMAL_PLACEHOLDER = re.compile(rf'"\\u0000{_DECIMAL_NONCE}:([^"]*)"')


def encode_json(value: object) -> bytes:
    """JSON for a request body; ``Decimal`` becomes an exact JSON number, never a float.

    Pydantic models, dates (UTC as ``Z``), enums and UUIDs are encoded as the API expects.
    """
    found_decimal = False

    def default(obj: object) -> object:
        nonlocal found_decimal
        if isinstance(obj, Decimal):
            if not obj.is_finite():
                raise ValueError(f"{obj} has no JSON form")
            found_decimal = True
            return f"{_DECIMAL_MARK}{obj}"
        if isinstance(obj, BaseModel):
            return obj.model_dump(mode="python", by_alias=True)
        if isinstance(obj, datetime):
            if obj.utcoffset() == timedelta(0):
                return obj.replace(tzinfo=None).isoformat() + "Z"
            return obj.isoformat()
        if isinstance(obj, date):
            return obj.isoformat()
        if isinstance(obj, Enum):
            return obj.value
        if isinstance(obj, uuid.UUID):
            return str(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    text = jsonlib.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))
    if found_decimal:
        text = _DECIMAL_PLACEHOLDER.sub(r"\1", text)
    return text.encode()


class Exchange:
    """One logical request as listeners and reports see it: every part redacted, built lazily.

    ``request``, ``response`` and ``curl`` are computed on first access only, so a run
    without listeners that read them pays nothing for redaction.
    """

    def __init__(
        self,
        *,
        prepared: requests.PreparedRequest,
        response: requests.Response | None,
        attempts: tuple[Attempt, ...],
        duration_seconds: float,
        request_id: str,
        redactor: Redactor,
        transport: Transport,
    ) -> None:
        self._prepared = prepared
        self._response = response
        self._redactor = redactor
        self._transport = transport
        self.attempts = attempts
        self.duration_seconds = duration_seconds
        self.request_id = request_id
        self.method = prepared.method or ""
        self.status = response.status_code if response is not None else None
        self.error: FrameworkError | None = None

    @property
    def sent(self) -> requests.PreparedRequest:
        """The request as it went on the wire, NOT redacted: only for a tool that sends it
        again (a replay), which must write none of its secrets as they are."""
        return self._prepared

    @property
    def received(self) -> requests.Response | None:
        """The final response as it came back, NOT redacted (see ``sent``)."""
        return self._response

    @cached_property
    def request(self) -> RequestRecord:
        """The redacted request."""
        return record_request(self._prepared, self._redactor)

    @cached_property
    def response(self) -> ResponseRecord | None:
        """The redacted final response, if one came back."""
        if self._response is None:
            return None
        return record_response(self._response, self._redactor)

    @property
    def url(self) -> str:
        """The redacted URL."""
        return self.request.url

    @cached_property
    def curl(self) -> str:
        """A redacted curl line that reproduces the request."""
        return to_curl(self.request, ca_bundle=self._transport.ca_bundle)

    @property
    def summary(self) -> str:
        """``POST http://…/orders -> 201 Created (12.3 ms, 1 attempt)``."""
        result = (
            "no response"
            if self._response is None
            else describe_status(self._response.status_code, self._response.reason)
        )
        count = len(self.attempts)
        return (
            f"{self.method} {self.url} -> {result} "
            f"({self.duration_seconds * 1000:.1f} ms, {count} attempt{'s' if count != 1 else ''})"
        )

    def render(self) -> str:
        """The whole exchange as text, in the layout failure messages use."""
        return format_report(
            self.summary,
            request=self.request,
            response=self.response,
            attempts=self.attempts,
            curl=self.curl,
        )

    def __repr__(self) -> str:
        return f"Exchange({self.summary!r})"


class ApiResponse:
    """A response whose status was expected and whose body matched its model."""

    __slots__ = (
        "attempts",
        "content",
        "exchange",
        "headers",
        "model",
        "reason",
        "request_id",
        "status",
    )

    def __init__(
        self,
        *,
        response: requests.Response,
        model: BaseModel | None,
        attempts: tuple[Attempt, ...],
        request_id: str,
        exchange: Exchange,
    ) -> None:
        self.status: int = response.status_code
        self.reason: str = response.reason or ""
        self.headers: CaseInsensitiveDict[str] = response.headers
        self.content: bytes = response.content
        self.model = model
        self.attempts = attempts
        self.request_id = request_id
        self.exchange = exchange

    def json(self) -> Any:
        """The parsed body (numbers with a fraction as ``Decimal``); ``None`` if empty."""
        if not self.content:
            return None
        return jsonlib.loads(self.content, parse_float=Decimal)

    @property
    def text(self) -> str:
        """The body as text (not redacted: it is the test's own data)."""
        return self.content.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return (
            f"ApiResponse(status={self.status}, request_id={self.request_id!r}, "
            f"attempts={len(self.attempts)})"
        )


class ApiClient:
    """Sends requests through the three layers; see the module docstring. Not for sharing
    secrets: its ``repr`` shows only the base URL and the policy."""

    def __init__(
        self,
        settings: Settings,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        url = base_url or settings.api_url
        if not url:
            raise ConfigurationError(
                "API_URL is unset and no base_url was given: expected the API's URL, "
                "or the sandbox's when the suite starts it"
            )
        self.settings = settings
        self.redactor = redactor or Redactor(
            settings.literal_secrets(), enabled=settings.api_redaction
        )
        self.policy = policy or RetryPolicy.from_settings(settings)
        self.transport = Transport(
            base_url=url,
            redactor=self.redactor,
            connect_timeout=settings.api_connect_timeout,
            read_timeout=settings.api_read_timeout,
            pool_size=settings.api_pool_size,
            ca_bundle=settings.api_ca_bundle,
        )
        self._listeners: list[Listener] = []
        #: (seconds, monotonic end) of the time budget requests now run in, if any
        self._budget: tuple[float, float] | None = None
        #: Values the caller made up for this run (see ``note_generated``).
        self.generated: set[str] = set()

    def __repr__(self) -> str:
        return (
            f"ApiClient(base_url={self.redactor.url(self.transport.base_url)!r}, {self.policy!r})"
        )

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(exchange)`` once after every logical request, failed ones included."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def note_generated(self, value: str) -> None:
        """Remember a value the caller made up for this run (a new user's name, unique to
        it): a replay of the requests that carry it makes up another one of the same shape."""
        self.generated.add(value)

    def close(self) -> None:
        """Close the pooled connections."""
        self.transport.close()

    @contextmanager
    def time_budget(self, seconds: float, *, since: float | None = None) -> Iterator[None]:
        """Every request sent inside ends within ``seconds`` from ``since``.

        ``since`` is a ``time.monotonic()`` reading, now by default: a caller whose outer
        timeout started earlier passes that start, so that the time spent before the block
        counts too. Each request's deadline is cut to what is left of the budget (so the
        client's own report, with its attempts, comes before the outer timeout), and a
        request that would start once the budget is spent is not sent: it raises
        ``BudgetSpent``.
        """
        start = time.monotonic() if since is None else since
        self._budget = (seconds, start + seconds)
        try:
            yield
        finally:
            self._budget = None

    def _policy_within_budget(self, prepared: requests.PreparedRequest) -> RetryPolicy:
        """The retry policy, with its deadline cut to what is left of the time budget."""
        __tracebackhide__ = True
        if self._budget is None:
            return self.policy
        seconds, until = self._budget
        left = until - time.monotonic()
        if left <= 0:
            request = record_request(prepared, self.redactor)
            spent = BudgetSpent(
                f"{request.method} {request.url}: not sent: the time budget of {seconds:g} s "
                "for this request and the ones before it has run out"
            )
            spent.attach(
                request=request,
                response=None,
                attempts=(),
                curl=to_curl(request, ca_bundle=self.transport.ca_bundle),
            )
            raise spent
        if self.policy.deadline is not None and self.policy.deadline <= left:
            return self.policy
        return dataclasses.replace(self.policy, deadline=left)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = UNSET,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        expect: Expect | None = None,
        refusals: Collection[Refusal] = (),
        codes: ErrorCodes | None = None,
        idempotency_key: str | Literal[False] | None = None,
    ) -> ApiResponse:
        """Send one logical request and check its answer.

        ``expect`` maps each status accepted whatever its body to the body's model (``None``:
        no body check); left out (and without refusals), any 2xx is accepted unchecked.
        ``refusals`` are the (status, code) pairs accepted as well, read through ``codes``,
        whose model (if any) checks their bodies. An answer asked for is returned and never
        retried; any other is retried as the policy says, or fails. ``idempotency_key``:
        ``None`` gives POST and PATCH a fresh key, a string sends that key, ``False`` sends
        none. The same key and ``X-Request-ID`` go with every attempt. ``content`` sends
        bytes as the JSON body exactly as given, instead of encoding ``json``: for bodies no
        encoder writes (a member named twice, a lone surrogate escape, padding).
        """
        __tracebackhide__ = True
        method = method.upper()
        request_id = uuid.uuid4().hex
        sent: dict[str, str] = {"Accept": "application/json", "X-Request-ID": request_id}
        body = content
        if json is not UNSET:
            if content is not None:
                raise ConfigurationError("give json or content, not both: they are the body")
            body = encode_json(json)
            self.redactor.learn_from_json(json)
        if body is not None:
            sent["Content-Type"] = "application/json"
        if token is not None:
            self.redactor.learn(token)
            sent["Authorization"] = f"Bearer {token}"
        if idempotency_key is None and method not in IDEMPOTENT_METHODS:
            idempotency_key = str(uuid.uuid4())
        if idempotency_key:
            sent["Idempotency-Key"] = idempotency_key
        if headers:
            sent.update(headers)
            self.redactor.learn_from_headers(headers)
        keyed = any(name.lower() == "idempotency-key" for name in sent)
        prepared = self.transport.prepare(method, path, params=params, headers=sent, body=body)
        expected = Expected.of(expect, refusals, codes)
        traits = RequestTraits(method=method, keyed=keyed, expected=expected)

        policy = self._policy_within_budget(prepared)
        started = time.perf_counter()
        outcome = policy.run(
            lambda time_left: self.transport.send(prepared, time_left=time_left), traits
        )
        response = outcome.response
        if response is not None:
            self.redactor.learn_from_body(response.content)
        exchange = Exchange(
            prepared=prepared,
            response=response,
            attempts=outcome.attempts,
            duration_seconds=time.perf_counter() - started,
            request_id=request_id,
            redactor=self.redactor,
            transport=self.transport,
        )

        model: BaseModel | None = None
        error: FrameworkError | None = None
        if outcome.error is not None:
            error = outcome.error
            if outcome.exhausted:
                count = len(outcome.attempts)
                error = RetriesExhausted(
                    f"{method} {exchange.url}: no usable answer after {count} "
                    f"attempt{'s' if count != 1 else ''}; last: {describe_error(outcome.error)}",
                    last_error=outcome.error,
                )
        else:
            assert response is not None
            model, error = self._check(response, outcome.exhausted, exchange, expected, expect)
        if error is not None:
            error.attach(
                request=exchange.request,
                response=exchange.response,
                attempts=outcome.attempts,
                curl=exchange.curl,
            )
            exchange.error = error
        for listener in self._listeners:
            listener(exchange)
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s", exchange.summary)
        if error is not None:
            raise error from None
        assert response is not None
        return ApiResponse(
            response=response,
            model=model,
            attempts=outcome.attempts,
            request_id=request_id,
            exchange=exchange,
        )

    def _check(
        self,
        response: requests.Response,
        exhausted: bool,
        exchange: Exchange,
        expected: Expected,
        expect: Expect | None,
    ) -> tuple[BaseModel | None, FrameworkError | None]:
        """The validated model, or the error the answer amounts to."""
        status = response.status_code
        described = describe_status(status, response.reason)
        code = expected.code(response.content)
        if code is not None:
            described += f" {code}"
        if exhausted:
            return None, RetriesExhausted(
                f"{exchange.method} {exchange.url}: still {described} after "
                f"{len(exchange.attempts)} attempts",
                last_error=None,
            )
        model_type: type[BaseModel] | None = None
        if status in expected.statuses:
            model_type = expected.statuses[status]
        elif expected.refused_with(status, response.content) is not None:
            model_type = expected.codes.model if expected.codes else None
        elif not (expect is None and not expected.refusals and 200 <= status < 300):
            return None, self._unexpected(response, exchange, expected, described, code)
        if model_type is None:
            return None, None
        try:
            return validate(
                model_type, response.content, status=status, redactor=self.redactor
            ), None
        except FrameworkError as violation:
            violation.summary = f"{exchange.method} {exchange.url}: {violation.summary}"
            return None, violation

    @staticmethod
    def _unexpected(
        response: requests.Response,
        exchange: Exchange,
        expected: Expected,
        described: str,
        code: str | None,
    ) -> UnexpectedStatus:
        """An answer not asked for: drift when the contract gives its code other statuses."""
        status = response.status_code
        answered = f"{exchange.method} {exchange.url} answered {described}"
        allowed = f"Expected: {expected.describe()}"
        contract = expected.codes.drift(status, code) if expected.codes else None
        if contract is not None:
            statuses = " or ".join(str(each) for each in sorted(contract))
            return UnexpectedStatus(
                f"{answered}, but the contract gives {code} the status {statuses}: contract drift",
                status=status,
                expected=tuple(sorted(expected.statuses)),
                code=code,
                refusals=tuple(sorted(expected.refusals)),
                drift=True,
                details=allowed,
            )
        wanted = ", ".join(map(str, sorted(expected.statuses)))
        if expected.refusals:
            count = len(expected.refusals)
            refused = f"one of {count} refusal{'s' if count != 1 else ''} (below)"
            wanted = f"{wanted} or {refused}" if wanted else refused
        return UnexpectedStatus(
            f"{answered}; expected {wanted or 'a 2xx status'}",
            status=status,
            expected=tuple(sorted(expected.statuses)),
            code=code,
            refusals=tuple(sorted(expected.refusals)),
            details=allowed if expected.refusals else None,
        )
