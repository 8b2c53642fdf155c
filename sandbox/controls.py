"""Per-user sandbox state kept in memory: injected faults and per-token rate windows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any


@dataclass(kw_only=True, slots=True)
class Fault:
    """A fault a customer injected into their own next `times` matching requests."""

    fault_id: str
    method: str
    path: str
    spec: dict[str, Any]
    times: int
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether a request (method, path without query) is one this fault targets."""
        return (
            self.fired < self.times
            and self.method in ("*", method)
            and fnmatchcase(path, self.path)
        )

    @property
    def kind(self) -> str:
        """`status_503`, `reset`, `delay` …: how the audit's counters name it."""
        spec = self.spec
        return f"status_{spec['status']}" if spec["kind"] == "status" else str(spec["kind"])

    def view(self) -> dict[str, Any]:
        """The fault as the API shows it."""
        return {
            "fault_id": self.fault_id,
            "method": self.method,
            "path": self.path,
            "fault": self.spec,
            "times": self.times,
            "fired": self.fired,
            "remaining": self.times - self.fired,
        }


class Faults:
    """Each customer's faults, oldest first."""

    def __init__(self) -> None:
        self._by_account: dict[int, list[Fault]] = {}

    def add(self, account_seq: int, fault: Fault) -> None:
        """Inject a fault for this customer."""
        self._by_account.setdefault(account_seq, []).append(fault)

    def listed(self, account_seq: int) -> list[Fault]:
        """This customer's faults, used-up ones included."""
        return list(self._by_account.get(account_seq, ()))

    def clear(self, account_seq: int) -> None:
        """Forget this customer's faults."""
        self._by_account.pop(account_seq, None)

    def fire(self, account_seq: int, method: str, path: str) -> Fault | None:
        """The oldest fault that matches, counted as fired; at most one per request."""
        for fault in self._by_account.get(account_seq, ()):
            if fault.matches(method, path):
                fault.fired += 1
                return fault
        return None


@dataclass(kw_only=True, slots=True)
class _Window:
    start: float
    count: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class RateState:
    """What the rate-limit headers say after a request."""

    limit: int
    remaining: int
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-Limit`, `X-RateLimit-Remaining` (and `Retry-After` when refused)."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
        }
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


@dataclass(kw_only=True, slots=True)
class RateLimiter:
    """Per token, a fixed window of `window_seconds` that starts with the token's first request."""

    default_limit: int
    window_seconds: int
    _windows: dict[str, _Window] = field(default_factory=dict)
    _limits: dict[str, int] = field(default_factory=dict)

    def _current(self, token_hash: str, now: float) -> _Window | None:
        window = self._windows.get(token_hash)
        # A clock moved backwards past the window's start also ends it, rather than wait.
        if window is None or not window.start <= now < window.start + self.window_seconds:
            return None
        return window

    def hit(self, token_hash: str, now: float) -> RateState:
        """Count one request; `retry_after` is set when it is over the limit."""
        limit = self._limits.get(token_hash, self.default_limit)
        window = self._current(token_hash, now)
        if window is None:
            window = self._windows[token_hash] = _Window(start=now)
        if window.count >= limit:
            wait = max(1, math.ceil(window.start + self.window_seconds - now))
            return RateState(limit=limit, remaining=0, retry_after=wait)
        window.count += 1
        return RateState(limit=limit, remaining=limit - window.count)

    def peek(self, token_hash: str, now: float) -> RateState:
        """The state without counting (for sandbox controls, which do not count)."""
        limit = self._limits.get(token_hash, self.default_limit)
        window = self._current(token_hash, now)
        used = window.count if window else 0
        return RateState(limit=limit, remaining=max(0, limit - used))

    def set_limit(self, token_hash: str, limit: int) -> None:
        """The window size for this token from now on (the current window included)."""
        self._limits[token_hash] = limit
