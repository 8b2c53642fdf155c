"""The kill matrix: which scenarios caught each seeded defect, and which scenarios caught none.

It reads the whole runs of `trust.seeded` (one per defect) against two clean runs of the
same suite. A scenario *caught* a defect when it passed in the clean run and failed in the
defect's run. For a scenario that caught no defect, the runs also say which of two things it
is, from the answers it got, in any order (`trust.recorder.answer_signature`):

- **reached, yet passed: weaker than it looks.** Under some defect, its answers differed
  from the clean run's — the defect changed what it was told — and it still passed: it does
  not check what it was told, or it checks less than its name says;
- **reached by no defect.** Under every defect its answers were the clean run's: it tests
  something no defect of the catalogue changes (a gap in the catalogue, not in the scenario).

A scenario whose answers differ between the two clean runs is not judged (its answers vary
by themselves); one that fails in a clean run is broken, and is listed apart.

Contract drift in an Account or an error body fails nearly every scenario in the steps they
share (opening an account), so the same judgement is also made against the product defects
alone, for the scenarios that caught none of them: which of them is weaker than it looks,
and which tests behaviour no product defect of the catalogue changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from trust.defects import Kind
from trust.seeded import Verdict
from trust.suite import SuiteRun

#: scenario names shown per defect on the console (the report file lists all of them)
SHOWN = 6


class Judgement(StrEnum):
    """What a scenario that caught no defect is (see the module docstring)."""

    WEAKER = "weaker than it looks"
    UNREACHED = "tests something no defect reaches"
    UNSTABLE = "not judged: its answers vary between two clean runs"


@dataclass(frozen=True, kw_only=True)
class Uncaught:
    """A scenario that caught no defect, and why."""

    scenario: str
    judgement: Judgement
    reached_by: tuple[str, ...] = ()  #: the defects that changed its answers while it passed

    def as_json(self) -> dict[str, Any]:
        """As the matrix's data holds it."""
        return {
            "scenario": self.scenario,
            "judgement": str(self.judgement),
            "reached_by": list(self.reached_by),
        }


@dataclass(frozen=True, kw_only=True)
class KillMatrix:
    """Which scenarios caught each defect; the scenarios that caught none; the broken ones.

    `uncaught` is judged against every defect; `uncaught_behaviour` lists the scenarios that
    caught no *product defect* (only contract drift, mostly in steps every scenario shares,
    such as opening an account), judged against the product defects alone.
    """

    caught: dict[str, tuple[str, ...]]
    stopped: dict[str, str]  #: defects whose run stopped before any scenario: the runner's line
    uncaught: tuple[Uncaught, ...]
    uncaught_behaviour: tuple[Uncaught, ...]
    broken: tuple[str, ...]
    scenarios: int  #: scenarios that passed both clean runs, which the matrix is about

    def as_json(self) -> dict[str, Any]:
        """The matrix as `reports/trust/kill-matrix.json` holds it."""
        return {
            "scenarios": self.scenarios,
            "caught": {name: list(found) for name, found in self.caught.items()},
            "stopped": self.stopped,
            "uncaught": [each.as_json() for each in self.uncaught],
            "uncaught_behaviour": [each.as_json() for each in self.uncaught_behaviour],
            "broken": list(self.broken),
        }


def _same(one: Sequence[str] | None, other: Sequence[str] | None) -> bool:
    """Whether a scenario got the same answers, in any order.

    Requests a scenario sends at once (two withdrawals racing) are answered in either order
    from run to run; what the answers were is what a defect changes.
    """
    return sorted(one or ()) == sorted(other or ())


def _judged(
    scenarios: Sequence[str], clean: Sequence[SuiteRun], verdicts: Sequence[Verdict]
) -> tuple[Uncaught, ...]:
    """The scenarios none of these defects' runs failed, each judged by its answers."""
    baseline = clean[0].answers
    uncaught = []
    for name in scenarios:
        if any(found.run.outcomes.get(name) == "failed" for found in verdicts):
            continue
        if not all(_same(run.answers.get(name), baseline.get(name)) for run in clean[1:]):
            uncaught.append(Uncaught(scenario=name, judgement=Judgement.UNSTABLE))
            continue
        reached = tuple(
            found.defect.name
            for found in verdicts
            if found.run.outcomes.get(name) == "passed"
            and not _same(found.run.answers.get(name), baseline.get(name))
        )
        judgement = Judgement.WEAKER if reached else Judgement.UNREACHED
        uncaught.append(Uncaught(scenario=name, judgement=judgement, reached_by=reached))
    return tuple(uncaught)


def build(clean: Sequence[SuiteRun], verdicts: Sequence[Verdict]) -> KillMatrix:
    """The matrix of these defect runs against these clean runs (two, to see what varies)."""
    broken = sorted(
        {name for run in clean for name, outcome in run.outcomes.items() if outcome == "failed"}
    )
    passing = [
        {name for name, outcome in run.outcomes.items() if outcome == "passed"} for run in clean
    ]
    scenarios = sorted(set.intersection(*passing))
    product = [found for found in verdicts if found.defect.kind is Kind.PRODUCT_DEFECT]
    return KillMatrix(
        caught={
            found.defect.name: tuple(
                name for name in scenarios if found.run.outcomes.get(name) == "failed"
            )
            for found in verdicts
        },
        stopped={
            found.defect.name: found.run.stopped
            for found in verdicts
            if found.run.stopped and not found.run.executed
        },
        uncaught=_judged(scenarios, clean, verdicts),
        uncaught_behaviour=_judged(scenarios, clean, product),
        broken=tuple(broken),
        scenarios=len(scenarios),
    )


def short(nodeid: str) -> str:
    """`orders::a_filled_order_cannot_be_cancelled` for its pytest node id."""
    module, _, test = nodeid.rpartition("::")
    stem = module.rpartition("/")[2].removesuffix(".py").removeprefix("test_")
    return f"{stem}::{test.removeprefix('test_')}"


def _listed(uncaught: Sequence[Uncaught]) -> list[str]:
    return [
        f"- {short(each.scenario)}: {each.judgement}"
        + (f" (its answers changed under {', '.join(each.reached_by)})" if each.reached_by else "")
        for each in uncaught
    ]


def render(matrix: KillMatrix, *, shown: int | None = SHOWN) -> str:
    """The matrix as text: `shown` scenarios per defect and per list (None: all of them)."""
    lines = [
        f"Kill matrix: {matrix.scenarios} scenarios that pass against the right API,"
        f" {len(matrix.caught)} defects",
        "",
        "| defect | scenarios that caught it | which |",
        "| --- | ---: | --- |",
    ]
    for defect, found in matrix.caught.items():
        names = [short(name) for name in found]
        if shown is not None and len(names) > shown:
            names = [*names[:shown], f"… and {len(names) - shown} more"]
        which = ", ".join(names) or "—"
        if defect in matrix.stopped:
            which = f"none ran: the runner stopped the run ({matrix.stopped[defect]})"
        lines.append(f"| {defect} | {len(found)} | {which} |")
    lines += ["", f"Scenarios that caught no defect: {len(matrix.uncaught)}"]
    lines += _listed(matrix.uncaught)
    behaviour = matrix.uncaught_behaviour
    counts = Counter(each.judgement for each in behaviour)
    lines += [
        "",
        f"Scenarios that caught no product defect (only contract drift): {len(behaviour)};"
        f" against the product defects, {counts[Judgement.WEAKER]} {Judgement.WEAKER},"
        f" {counts[Judgement.UNREACHED]} test something no product defect reaches,"
        f" {counts[Judgement.UNSTABLE]} not judged",
    ]
    # The console lists the ones to look at; the report file lists them all.
    weaker = [each for each in behaviour if each.judgement is Judgement.WEAKER]
    lines += _listed(behaviour if shown is None else weaker)
    if matrix.broken:
        lines += ["", "Failing without any defect (left out):"]
        lines += [f"- {short(name)}" for name in matrix.broken]
    return "\n".join(lines)
