"""A gateway in front of the sandbox: the trouble real infrastructure causes, and audit counters.

`python -m sandbox --chaos RATE --seed S` puts the sandbox behind a flaky gateway: with
probability RATE, each request meets one kind of trouble drawn from `KINDS`, the way gateways
and networks in front of real APIs misbehave, on every operation and for every customer —
signing in, opening an account and the health check included:

- `status_429`: a rate limit of the gateway's own, on any operation, with `Retry-After` in
  seconds, as an HTTP-date, or none, and a body that is not the API's (an HTML page, an empty
  body, JSON without a code, JSON with a code of its own);
- `status_502`, `status_503`, `status_504`: the gateway's HTML error page, the request never
  forwarded;
- `reset`: the connection aborted before the request is forwarded;
- `drop_response`: the request executed, then its answer lost (the connection closed);
- `late_504`: the request executed, then the gateway's 504 page instead of its answer (the
  gateway stopped waiting while the service finished);
- `delay`: a short wait before forwarding (latency, never a timeout).

Trouble the gateway answers itself never reaches the API, so it does not count against the
caller's rate limit; trouble after forwarding (`drop_response`, `late_504`) does, as the API
executed the request. The one exemption is the contract's own: faults never fire on the
sandbox controls (paths under `/_sandbox/`).

`Stats` counts what the audit needs from the server side: requests and the attempts of each
logical request (clients resend one `X-Request-ID` on every attempt), the faults fired by
source and kind, and executions of creating requests, so that a logical request executed
twice (a duplicate order or payment) is seen, and the seconds requests were held by delays
(waits the server imposed, apart from the client's own). `--stats-file PATH` writes them as
JSON when the sandbox stops.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.app import DropConnection

#: the kinds of trouble chaos draws from, equally likely
KINDS = (
    "status_429",
    "status_502",
    "status_503",
    "status_504",
    "reset",
    "drop_response",
    "late_504",
    "delay",
)
#: milliseconds: bounds of a chaos delay (short: latency, never a timeout)
DELAY_MS = (20, 300)
#: seconds: the Retry-After of a gateway's 429, when it sends one (as a number or a date)
RETRY_AFTER_SECONDS = 1
#: where the sandbox controls live: the contract says faults never fire on them
CONTROLS_PREFIX = "/_sandbox/"
#: the bodies of a gateway's 429, with their media type: none is the API's error body
BODIES_429: tuple[tuple[bytes, str | None], ...] = (
    (b"<html><body><h1>429 Too Many Requests</h1><hr>gateway</body></html>", "text/html"),
    (b"", None),
    (b'{"message":"API rate limit exceeded"}', "application/json"),
    (b'{"code":"THROTTLED","message":"slow down"}', "application/json"),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ChaosOptions:
    """How much chaos: the share of requests that meet trouble, and the random seed."""

    rate: float
    seed: int

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"chaos rate must be from 0 to 1, not {self.rate}")


@dataclass(frozen=True, kw_only=True, slots=True)
class Trouble:
    """One kind of trouble for one request, and the gateway's answer when it gives one."""

    kind: str
    status: int | None = None
    body: bytes = b""
    media_type: str | None = None
    retry_after: str | None = None
    delay_ms: int = 0

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The gateway's answer's headers."""
        found = [(b"content-length", str(len(self.body)).encode())]
        if self.media_type:
            found.append((b"content-type", self.media_type.encode()))
        if self.retry_after is not None:
            found.append((b"retry-after", self.retry_after.encode()))
        return found


def _error_page(status: int) -> bytes:
    title = f"{status} {HTTPStatus(status).phrase}"
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()


class Chaos:
    """Draws trouble, or none, for each request it is asked about; seeded, so repeatable.

    The same seed and the same sequence of `draw` calls give the same trouble.
    """

    def __init__(self, options: ChaosOptions) -> None:
        self.options = options
        self._random = random.Random(options.seed)

    def draw(self, *, now: float | None = None) -> Trouble | None:
        """Trouble for this request, or None."""
        if self._random.random() >= self.options.rate:
            return None
        kind = self._random.choice(KINDS)
        if kind == "status_429":
            ahead = (time.time() if now is None else now) + RETRY_AFTER_SECONDS
            retry_after = self._random.choice(
                (None, str(RETRY_AFTER_SECONDS), formatdate(ahead, usegmt=True))
            )
            body, media_type = self._random.choice(BODIES_429)
            return Trouble(
                kind=kind, status=429, body=body, media_type=media_type, retry_after=retry_after
            )
        if kind.startswith("status_") or kind == "late_504":
            status = int(kind.rsplit("_", 1)[1])
            return Trouble(
                kind=kind, status=status, body=_error_page(status), media_type="text/html"
            )
        if kind == "delay":
            return Trouble(kind=kind, delay_ms=self._random.randint(*DELAY_MS))
        return Trouble(kind=kind)


class Gateway:
    """The ASGI middleware in front of the sandbox: counts every request, causes chaos's trouble."""

    def __init__(self, app: ASGIApp, *, chaos: Chaos | None, stats: Stats | None) -> None:
        self.app = app
        self.chaos = chaos
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.stats:
            self.stats.request(_request_id(scope))
        trouble = None
        if self.chaos is not None and not scope["path"].startswith(CONTROLS_PREFIX):
            trouble = self.chaos.draw()
        if trouble is None:
            await self.app(scope, receive, send)
            return
        if self.stats:
            self.stats.fault("chaos", trouble.kind, delay=trouble.delay_ms / 1000)
        if trouble.kind == "delay":
            await asyncio.sleep(trouble.delay_ms / 1000)
            await self.app(scope, receive, send)
        elif trouble.kind in ("drop_response", "late_504"):
            await self.app(scope, receive, _swallow)
            if trouble.kind == "late_504":
                await _answer(trouble, send)
            else:
                await DropConnection(abort=False)(scope, receive, send)
        elif trouble.kind == "reset":
            await DropConnection(abort=True)(scope, receive, send)
        elif await _read_request(receive):
            await _answer(trouble, send)


def _request_id(scope: Scope) -> str:
    """The client's `X-Request-ID` (one per logical request), else a fresh id."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return str(value.decode("latin-1"))
    return uuid.uuid4().hex


async def _swallow(message: Message) -> None:
    """Send nowhere: the answer is lost between the service and the gateway."""


async def _read_request(receive: Receive) -> bool:
    """Read the whole request, as a gateway does before answering; False if the client left."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return False
        if not message.get("more_body", False):
            return True


async def _answer(trouble: Trouble, send: Send) -> None:
    """The gateway's own answer: its status, headers and page."""
    assert trouble.status is not None
    await send(
        {"type": "http.response.start", "status": trouble.status, "headers": trouble.headers()}
    )
    await send({"type": "http.response.body", "body": trouble.body})


@dataclass(kw_only=True)
class Stats:
    """Server-side counters of one sandbox process (see the module docstring)."""

    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    executions: int = 0
    delay_seconds: float = 0.0  #: seconds requests were held by delay faults, all together
    _attempts: Counter[str] = field(default_factory=Counter)
    _executed: Counter[str] = field(default_factory=Counter)
    _executed_what: dict[str, str] = field(default_factory=dict)

    def request(self, request_id: str) -> None:
        """A request reached the sandbox (one attempt of its logical request)."""
        self.requests += 1
        self._attempts[request_id] += 1

    def fault(self, source: str, kind: str, *, delay: float = 0.0) -> None:
        """Trouble fired: `source` is `chaos` or `customer`, `kind` as `KINDS` names it,
        `delay` the seconds it holds the request."""
        self.faults[f"{source}:{kind}"] += 1
        self.delay_seconds += delay

    def executed(self, request_id: str, what: str) -> None:
        """A creating request (a POST) was executed and committed with a 2xx answer."""
        self.executions += 1
        self._executed[request_id] += 1
        self._executed_what[request_id] = what

    def duplicates(self) -> list[dict[str, Any]]:
        """Logical requests executed more than once: each a duplicate order, payment …"""
        return [
            {"request_id": rid, "operation": self._executed_what[rid], "executions": count}
            for rid, count in sorted(self._executed.items())
            if count > 1
        ]

    def as_json(self) -> dict[str, Any]:
        """The counters as the stats file holds them."""
        retried = sum(count - 1 for count in self._attempts.values())
        return {
            "requests": self.requests,
            "logical_requests": len(self._attempts),
            "resent_attempts": retried,
            "faults": dict(sorted(self.faults.items())),
            "delay_seconds": round(self.delay_seconds, 3),
            "executions": self.executions,
            "duplicates": self.duplicates(),
        }

    def write(self, path: Path) -> None:
        """Write the counters as JSON (atomically: a reader never sees half a file)."""
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")
        partial.replace(path)
