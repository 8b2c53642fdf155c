"""The load profile (`load-profile.toml`): the limits a load run is judged against.

The profile is a sibling of `latency-budgets.toml`, not part of it: the budgets judge each
attempt of an acceptance run (the server's latency, one scenario at a time), while a load
run is judged on what its users waited for under load — each **logical request**, its
retries and their waits included — at p50, p95 and p99 per operation, on the share of
logical requests that failed, and on the throughput per user. A broken limit is a
performance finding, said in one line per limit; it never hides a failed request, which
counts in the error rate.

The layout::

    min_samples = 20                 # fewer logical requests: shown, not judged
    max_error_rate = 0.01            # the share of logical requests that may fail
    min_throughput_per_user = 1.0    # logical requests a second per user, at least

    [latency_ms.default]             # every operation without its own table
    p50 = 100
    p95 = 500
    p99 = 1500

    [latency_ms."POST /accounts"]    # keyed as the API's OpenAPI document names it
    p95 = 800                        # a percentile left out is the default's
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trust.latency import read_min_samples, read_operations

#: The profile the load command reads unless told otherwise (relative to the project's root).
DEFAULT_PROFILE = Path("load-profile.toml")
#: The percentiles a profile may limit, as their names in the file.
PERCENTILES = ("p50", "p95", "p99")


class ProfileError(ValueError):
    """The profile file is wrong; the one-line message says where and how to fix it."""


@dataclass(frozen=True, kw_only=True)
class Profile:
    """The limits: latency ceilings (ms) by percentile, per operation or by default."""

    default: Mapping[str, float]
    operations: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    min_samples: int = 1
    max_error_rate: float = 0.0
    min_throughput_per_user: float = 0.0

    def ceilings(self, operation: str) -> dict[str, float]:
        """The latency ceilings of ``operation``: its own, else the default's."""
        return {**self.default, **self.operations.get(operation, {})}


def _positive(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ProfileError(f"{where} must be a positive number, not {value!r}")
    return float(value)


def _ceilings(table: object, where: str) -> dict[str, float]:
    if not isinstance(table, dict):
        raise ProfileError(f"{where} must be a table of percentiles, e.g. p95 = 500")
    unknown = sorted(set(table) - set(PERCENTILES))
    if unknown:
        raise ProfileError(f"{where}: unknown percentile {unknown[0]!r}; expected p50, p95, p99")
    return {name: _positive(value, f"{where} {name}") for name, value in table.items()}


def parse_profile(text: str, *, source: str, known: Collection[str] | None = None) -> Profile:
    """Read a profile; ``known`` (the document's operation keys) checks every key."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{source} is not valid TOML: {error}") from None
    settings = {"min_samples", "max_error_rate", "min_throughput_per_user", "latency_ms"}
    unknown = sorted(set(data) - settings)
    if unknown:
        raise ProfileError(
            f"{source}: unknown setting {unknown[0]!r}; expected {', '.join(sorted(settings))}"
        )
    latency = data.get("latency_ms")
    if not isinstance(latency, dict) or "default" not in latency:
        raise ProfileError(f"{source}: needs a [latency_ms.default] table, e.g. p95 = 500 under it")
    operations = read_operations(
        latency,
        known=known,
        section=f"{source}: [latency_ms]",
        error=ProfileError,
        read=lambda key, table: _ceilings(table, f"{source}: [latency_ms.{key!r}]"),
    )
    min_samples = read_min_samples(data, source=source, error=ProfileError)
    error_rate = data.get("max_error_rate", 0.0)
    if isinstance(error_rate, bool) or not isinstance(error_rate, int | float):
        error_rate = -1.0
    if not 0 <= error_rate <= 1:
        raise ProfileError(
            f"{source}: max_error_rate must be a share from 0 to 1 (0.01 is 1%),"
            f" not {data['max_error_rate']!r}"
        )
    throughput = data.get("min_throughput_per_user")
    return Profile(
        default=_ceilings(latency["default"], f"{source}: [latency_ms.default]"),
        operations=operations,
        min_samples=min_samples,
        max_error_rate=float(error_rate),
        min_throughput_per_user=0.0
        if throughput is None
        else _positive(throughput, f"{source}: min_throughput_per_user"),
    )


def load_profile(path: Path, *, known: Collection[str] | None = None) -> Profile:
    """`parse_profile` of a file; a missing file is a `ProfileError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(f"cannot read the load profile {path}: {error.strerror}") from None
    return parse_profile(text, source=str(path), known=known)


@dataclass(frozen=True, kw_only=True, slots=True)
class Figures:
    """One operation's logical requests in a load run: counts and latency percentiles (ms)."""

    operation: str
    requests: int
    failures: int
    percentiles: Mapping[str, float]
    #: attempts made for these requests, and how many of them were answered 429
    attempts: int = 0
    rate_limited: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Run:
    """What a load run did, as the profile judges it."""

    operations: Sequence[Figures]
    users: int
    seconds: float

    @property
    def requests(self) -> int:
        """Logical requests of every operation."""
        return sum(each.requests for each in self.operations)

    @property
    def failures(self) -> int:
        """Logical requests that failed."""
        return sum(each.failures for each in self.operations)

    @property
    def error_rate(self) -> float:
        """The share of logical requests that failed (0 when there were none)."""
        return self.failures / self.requests if self.requests else 0.0

    @property
    def throughput(self) -> float:
        """Logical requests a second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def breaches(run: Run, profile: Profile) -> list[str]:
    """Every broken limit, one line each (empty when the run held the profile)."""
    found = []
    for figures in run.operations:
        if figures.requests < profile.min_samples:
            continue
        for name, ceiling in profile.ceilings(figures.operation).items():
            measured = figures.percentiles[name]
            if measured > ceiling:
                found.append(
                    f"{figures.operation}: {name} {measured:g} ms is over its limit of"
                    f" {ceiling:g} ms"
                )
    if run.error_rate > profile.max_error_rate:
        found.append(
            f"error rate {run.error_rate:.2%} ({run.failures} of {run.requests} logical requests)"
            f" is over its limit of {profile.max_error_rate:.2%}"
        )
    per_user = run.throughput / run.users if run.users else 0.0
    if per_user < profile.min_throughput_per_user:
        found.append(
            f"throughput {run.throughput:.1f} requests/s with {run.users} users"
            f" ({per_user:.2f} per user) is under its floor of"
            f" {profile.min_throughput_per_user:g} per user"
        )
    return found
