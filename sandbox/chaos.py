"""Random transient faults in a share of all customers' requests, and the counters an audit reads.

`python -m sandbox --chaos RATE --seed S` makes the sandbox behave like a flaky network and
an overloaded gateway: each request it serves gets, with probability RATE, one transient
fault drawn from `KINDS` — the same faults a customer can inject with `POST /_sandbox/faults`,
fired through the same pipeline, at the same point of the contract's order of checks (after
authentication and the rate limit). What chaos spares, and why:

- sandbox controls and `GET /health`: they are not the product's operations (the contract
  says faults never fire on controls; the acceptance runner probes health once by design);
- requests of a customer who set the rate limit of one of their tokens (any of their
  tokens, later sign-ins included): such a scenario counts requests against a window and
  reads a 429 as the answer, so an injected fault would consume or fake that budget;
- requests of a customer who armed faults of their own (until they clear them): such a
  scenario stages the network's behaviour itself, down to timing (two requests racing for
  one idempotency key within a one-second delay), and a fault on top would change the
  experiment rather than test the suite's resilience to weather;
- a 429 on a request no rate limit applies to (opening an account, signing in, signing out
  with a dead token): the contract gives 429 a business meaning there (TOO_MANY_ATTEMPTS),
  and an injected one would be a status the contract does not allow; the other kinds still
  fire there.

`Stats` counts what the audit needs from the server side: requests and the attempts of each
logical request (clients resend one `X-Request-ID` on every attempt), the faults fired by
source and kind, and executions of creating requests, so that a logical request executed
twice (a duplicate order or payment) is seen. `--stats-file PATH` writes them as JSON when
the sandbox stops.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

from sandbox.controls import Fault

#: the kinds chaos draws from, equally likely (`status_429` only where a rate limit applies)
KINDS = ("status_429", "status_502", "status_503", "status_504", "reset", "drop_response", "delay")
#: milliseconds: bounds of a chaos delay (short: latency, never a timeout)
DELAY_MS = (20, 300)
#: seconds: the Retry-After of a chaos 429 (as a number, or as an HTTP-date that far ahead)
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class ChaosOptions:
    """How much chaos: the share of requests that get a fault, and the random seed."""

    rate: float
    seed: int

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"chaos rate must be from 0 to 1, not {self.rate}")


class Chaos:
    """Draws a fault, or none, for each request it is asked about; seeded, so repeatable.

    The same seed and the same sequence of `draw` calls give the same faults.
    """

    def __init__(self, options: ChaosOptions) -> None:
        self.options = options
        self._random = random.Random(options.seed)

    def draw(self, *, rate_limited: bool, now: float | None = None) -> Fault | None:
        """A fault for this request, or None; `rate_limited`: whether a 429 is possible."""
        if self._random.random() >= self.options.rate:
            return None
        kinds = KINDS if rate_limited else tuple(k for k in KINDS if k != "status_429")
        kind = self._random.choice(kinds)
        spec: dict[str, Any]
        if kind.startswith("status_"):
            status = int(kind.removeprefix("status_"))
            retry_after = None
            if status == 429:
                ahead = (time.time() if now is None else now) + RETRY_AFTER_SECONDS
                retry_after = self._random.choice(
                    (str(RETRY_AFTER_SECONDS), formatdate(ahead, usegmt=True))
                )
            spec = {"kind": "status", "status": status, "retry_after": retry_after}
        elif kind == "delay":
            spec = {"kind": "delay", "ms": self._random.randint(*DELAY_MS)}
        else:
            spec = {"kind": kind}
        return Fault(fault_id="chaos", method="*", path="*", spec=spec, times=1, fired=1)


def fault_kind(fault: Fault) -> str:
    """`status_503`, `reset`, `delay` …: how the counters name a fault."""
    spec = fault.spec
    return f"status_{spec['status']}" if spec["kind"] == "status" else str(spec["kind"])


@dataclass(kw_only=True)
class Stats:
    """Server-side counters of one sandbox process (see the module docstring)."""

    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    executions: int = 0
    _attempts: Counter[str] = field(default_factory=Counter)
    _executed: Counter[str] = field(default_factory=Counter)
    _executed_what: dict[str, str] = field(default_factory=dict)

    def request(self, request_id: str) -> None:
        """A request reached the pipeline (one attempt of its logical request)."""
        self.requests += 1
        self._attempts[request_id] += 1

    def fault(self, source: str, fault: Fault) -> None:
        """A fault fired: `source` is `chaos` or `customer`."""
        self.faults[f"{source}:{fault_kind(fault)}"] += 1

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
            "executions": self.executions,
            "duplicates": self.duplicates(),
        }

    def write(self, path: Path) -> None:
        """Write the counters as JSON (atomically: a reader never sees half a file)."""
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")
        partial.replace(path)
