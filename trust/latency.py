"""Latency per API operation (p50, p95 of every attempt that got an answer) and its budgets.

A sample is **one attempt** that received an HTTP answer: the server's latency, from sending
the request to reading the whole answer, without the client's back-off between attempts. An
attempt that got no answer (a reset, a timeout) has no server latency and is not a sample; a
request retried twice gives three samples. Percentiles are nearest-rank: the p95 is the
smallest sample that at least 95 % of the samples do not exceed, always a value measured.

Budgets (``latency-budgets.toml`` at the project's root, see docs/trust.md) give each
operation a p95 ceiling in milliseconds; ``python -m trust latency-gate`` judges a run's
measurements against them. A breach is a performance finding, never a failed scenario.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from trust.coverage import Call, Operation, PathMatcher, operation_key

#: The data file of a run's latency samples, beside its summary and in its Allure results.
LATENCY_FILE = "api-latency.json"
#: The budgets file the gate reads unless told otherwise (relative to the project's root).
DEFAULT_BUDGETS = Path("latency-budgets.toml")


#: What a limits table holds per operation (a ceiling, or ceilings by percentile).
_Limit = TypeVar("_Limit")


class BudgetError(ValueError):
    """The budgets file is wrong; the one-line message says where and how to fix it."""


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100) of ``values`` (not empty)."""
    if not values:
        raise ValueError("no values: a percentile needs at least one")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], not {q}")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


@dataclass(frozen=True, kw_only=True, slots=True)
class Stats:
    """The latency of one operation in a run, in milliseconds."""

    operation: str
    count: int
    p50: float
    p95: float
    max: float


@dataclass(frozen=True, kw_only=True)
class Latency:
    """A run's latency samples (ms) by operation key, and the operations the document lists."""

    operations: tuple[str, ...]
    samples: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @classmethod
    def measure(cls, operations: Iterable[Operation], calls: Iterable[Call]) -> Latency:
        """Every answered attempt of every call, under the operation it belongs to."""
        documented = tuple(sorted(operations))
        matcher = PathMatcher(documented)
        samples: dict[str, list[float]] = {}
        for call in calls:
            operation = matcher.match(call.method, call.path)
            if operation is None:
                continue  # the coverage lists requests outside the document
            samples.setdefault(str(operation), []).extend(
                round(seconds * 1000, 3) for status, seconds in call.attempts if status is not None
            )
        return cls(
            operations=tuple(map(str, documented)),
            samples={key: tuple(values) for key, values in sorted(samples.items()) if values},
        )

    def stats(self) -> list[Stats]:
        """p50, p95 and maximum of every operation with samples, in the document's order."""
        return [
            Stats(
                operation=key,
                count=len(values),
                p50=percentile(values, 50),
                p95=percentile(values, 95),
                max=max(values),
            )
            for key in self.operations
            if (values := self.samples.get(key))
        ]

    def merged(self, other: Latency) -> Latency:
        """The samples of two runs (CI shards) together."""
        keys = sorted(set(self.samples) | set(other.samples))
        return Latency(
            operations=tuple(dict.fromkeys(self.operations + other.operations)),
            samples={k: self.samples.get(k, ()) + other.samples.get(k, ()) for k in keys},
        )

    def text(self) -> str:
        """The table for the terminal."""
        rows = self.stats()
        if not rows:
            return "latency: no answered request matched a documented operation"
        width = max(len(row.operation) for row in rows)
        lines = [
            "latency per attempt (ms):",
            f"  {'operation':<{width}}  {'n':>5}  {'p50':>8}  {'p95':>8}  {'max':>8}",
        ]
        lines += [
            f"  {r.operation:<{width}}  {r.count:>5}  {r.p50:>8.1f}  {r.p95:>8.1f}  {r.max:>8.1f}"
            for r in rows
        ]
        return "\n".join(lines)

    def markdown(self) -> str:
        """The table in Markdown, for the report and the summary."""
        lines = [
            "## Latency per operation",
            "",
            "Per attempt that got an answer (the server's latency, back-off excluded), in ms; "
            "nearest-rank percentiles. `python -m trust latency-gate` judges them against "
            "`latency-budgets.toml`.",
            "",
            "| operation | attempts | p50 | p95 | max |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| `{r.operation}` | {r.count} | {r.p50:.1f} | {r.p95:.1f} | {r.max:.1f} |"
            for r in self.stats()
        ]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The data (every sample, so that runs can be merged), for :meth:`from_json`."""
        data = {
            "unit": "ms per answered attempt",
            "operations": list(self.operations),
            "samples": {key: list(values) for key, values in self.samples.items()},
        }
        return json.dumps(data) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Latency:
        """Read what :meth:`to_json` wrote."""
        data = json.loads(text)
        return cls(
            operations=tuple(data["operations"]),
            samples={k: tuple(float(v) for v in values) for k, values in data["samples"].items()},
        )


# -- budgets ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Budgets:
    """p95 ceilings in ms: ``default`` for every operation, ``operations`` overriding it.

    ``min_samples``: an operation with fewer answered attempts in the run is shown but not
    judged (a p95 of three samples is their maximum, noise rather than a measure).
    """

    default: float
    operations: Mapping[str, float] = field(default_factory=dict)
    min_samples: int = 1

    def budget(self, operation: str) -> float:
        """The p95 ceiling of ``operation``."""
        return self.operations.get(operation, self.default)


def _positive(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise BudgetError(f"{where} must be a positive number of milliseconds, not {value!r}")
    return float(value)


def parse_budgets(text: str, *, source: str, known: Collection[str] | None = None) -> Budgets:
    """Read a budgets file; ``known`` (the document's operation keys) checks every key.

    The layout::

        min_samples = 5          # optional, default 1
        [p95_ms]
        default = 250            # every operation without its own entry
        "POST /orders" = 400     # keyed like the report: METHOD and the documented path
    """
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BudgetError(f"{source} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"p95_ms", "min_samples"})
    if unknown:
        raise BudgetError(
            f"{source}: unknown setting {unknown[0]!r}; expected a [p95_ms] table and an "
            "optional min_samples"
        )
    table = data.get("p95_ms")
    if not isinstance(table, dict) or "default" not in table:
        raise BudgetError(f"{source}: needs a [p95_ms] table with a default, e.g. default = 250")
    min_samples = read_min_samples(data, source=source, error=BudgetError)
    operations = read_operations(
        table,
        known=known,
        section=f"{source}: [p95_ms]",
        error=BudgetError,
        read=lambda key, value: _positive(value, f"{source}: [p95_ms] {key!r}"),
    )
    return Budgets(
        default=_positive(table["default"], f"{source}: [p95_ms] default"),
        operations=operations,
        min_samples=min_samples,
    )


def read_min_samples(data: Mapping[str, Any], *, source: str, error: type[ValueError]) -> int:
    """A limits file's ``min_samples`` (default 1), refused with ``error`` unless a whole
    number ≥ 1."""
    min_samples = data.get("min_samples", 1)
    if isinstance(min_samples, bool) or not isinstance(min_samples, int) or min_samples < 1:
        raise error(f"{source}: min_samples must be a whole number ≥ 1, not {min_samples!r}")
    return min_samples


def read_operations(
    table: Mapping[str, object],
    *,
    known: Collection[str] | None,
    section: str,
    error: type[ValueError],
    read: Callable[[str, object], _Limit],
) -> dict[str, _Limit]:
    """Every entry of a limits table but its ``default``, keyed by the operation it names
    (checked against ``known``, the document's operation keys) and read by ``read``."""
    operations: dict[str, _Limit] = {}
    for key, value in table.items():
        if key == "default":
            continue
        try:
            operation = operation_key(key, known)
        except ValueError as problem:
            raise error(f"{section} {problem}") from None
        operations[operation] = read(key, value)
    return operations


def load_budgets(path: Path, *, known: Collection[str] | None = None) -> Budgets:
    """:func:`parse_budgets` of a file; a missing file is a :class:`BudgetError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BudgetError(f"cannot read the budgets file {path}: {error.strerror}") from None
    return parse_budgets(text, source=str(path), known=known)


class Judgement(StrEnum):
    """The gate's word on one operation."""

    WITHIN = "within budget"
    OVER = "OVER BUDGET"
    FEW = "too few samples"


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    """One operation measured against its budget."""

    stats: Stats
    budget: float
    judgement: Judgement


def judge(latency: Latency, budgets: Budgets) -> list[Verdict]:
    """Every measured operation against its p95 budget."""
    verdicts = []
    for stats in latency.stats():
        budget = budgets.budget(stats.operation)
        if stats.count < budgets.min_samples:
            judgement = Judgement.FEW
        elif stats.p95 > budget:
            judgement = Judgement.OVER
        else:
            judgement = Judgement.WITHIN
        verdicts.append(Verdict(stats=stats, budget=budget, judgement=judgement))
    return verdicts


def render_verdicts(verdicts: list[Verdict]) -> str:
    """The gate's table and its last line."""
    width = max((len(v.stats.operation) for v in verdicts), default=9)
    lines = [f"  {'operation':<{width}}  {'n':>5}  {'p50':>8}  {'p95':>8}  {'budget':>8}  verdict"]
    for v in verdicts:
        s = v.stats
        lines.append(
            f"  {s.operation:<{width}}  {s.count:>5}  {s.p50:>8.1f}  {s.p95:>8.1f}  "
            f"{v.budget:>8g}  {v.judgement}"
        )
    over = sum(v.judgement is Judgement.OVER for v in verdicts)
    judged = sum(v.judgement is not Judgement.FEW for v in verdicts)
    few = (
        f"; {len(verdicts) - judged} with too few samples to judge"
        if judged < len(verdicts)
        else ""
    )
    lines.append(
        f"performance finding: {over} of {judged} judged operations over their p95 budget{few}"
        if over
        else f"all {judged} judged operations within their p95 budget{few}"
    )
    return "\n".join(lines)
