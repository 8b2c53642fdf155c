"""Seeded defects: run the whole suite once per defect of `trust.defects` and check it is caught.

A defect is caught when at least one scenario fails; its category is what the report gave
the failures (the `failure_category` label of each failed Allure result). The verdict is
right only when every failure carries the defect's declared kind. A run the acceptance
runner stops before any scenario (the API does not answer its health check) has been
stopped for the environment: that is the runner's verdict, and its one line is shown.

Each run goes to the end rather than stop at the first failures, so that which scenarios
caught which defect is known (`trust.kill_matrix`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trust.defects import CATALOGUE, Defect, find
from trust.suite import RunOptions, SuiteRun, run_suite

#: the category of a run stopped before any scenario because the API is unreachable
STOPPED_CATEGORY = "environment"
#: what the acceptance runner says when it stops a run for an unreachable API
_RUNNER_STOP = "is unreachable or unhealthy"


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """How the suite did against one defect."""

    defect: Defect
    caught: bool
    categories: dict[str, int]
    first_failure: str
    wall_seconds: float
    run: SuiteRun  #: the run itself: which scenarios failed, and what each was answered

    @property
    def right_category(self) -> bool:
        """Every failure has the defect's declared kind."""
        return self.caught and set(self.categories) == {str(self.defect.kind)}

    @property
    def ok(self) -> bool:
        """Caught, and with the right category."""
        return self.caught and self.right_category


def verdict(defect: Defect, run: SuiteRun) -> Verdict:
    """Judge one run of the suite against a sandbox with `defect` on."""
    if not run.executed and _RUNNER_STOP in run.stopped:
        return Verdict(
            defect=defect,
            caught=True,
            categories={STOPPED_CATEGORY: 1},
            first_failure=run.stopped,
            wall_seconds=run.wall_seconds,
            run=run,
        )
    categories = Counter(run.reported)
    first = run.failures[0] if run.failures else None
    return Verdict(
        defect=defect,
        caught=bool(run.reported or run.failures),
        categories=dict(sorted(categories.items())),
        first_failure=f"{first.nodeid.split('::')[-1]}: {first.message}" if first else run.stopped,
        wall_seconds=run.wall_seconds,
        run=run,
    )


#: clean runs the kill matrix compares the defect runs with: two, to see what varies by itself
CLEAN_RUNS = 2


def _options(workers: str, select: Sequence[str], defect: str | None = None) -> RunOptions:
    return RunOptions(defect=defect, pytest=("-n", workers, "-p", "no:randomly", *select))


def run_clean(
    *,
    workers: str = "auto",
    select: Sequence[str] = (),
    progress: Callable[[str], object] = print,
) -> list[SuiteRun]:
    """The suite against the right API, `CLEAN_RUNS` times, as `run_defects` runs it."""
    runs = []
    for number in range(1, CLEAN_RUNS + 1):
        run = run_suite(_options(workers, select))
        runs.append(run)
        progress(
            f"clean run {number}: {run.passed} passed, {len(run.failures)} failed"
            f" ({run.wall_seconds:.0f} s)"
        )
    return runs


def run_defects(
    names: Sequence[str] = (),
    *,
    workers: str = "auto",
    select: Sequence[str] = (),
    progress: Callable[[str], object] = print,
) -> list[Verdict]:
    """Run the suite against each named defect (all of the catalogue when none are named).

    ``select`` adds pytest options that narrow the run (``-m market_data``).
    """
    chosen = [find(name) for name in names] if names else list(CATALOGUE)
    verdicts = []
    for defect in chosen:
        found = verdict(defect, run_suite(_options(workers, select, defect.name)))
        verdicts.append(found)
        progress(_row(found))
    return verdicts


def _row(found: Verdict) -> str:
    categories = ", ".join(f"{name} ×{count}" for name, count in found.categories.items())
    status = "caught" if found.caught else "MISSED"
    mark = "✔" if found.ok else "✘"
    return (
        f"| {found.defect.name} | {found.defect.section} | {found.defect.kind} | {status} "
        f"| {categories or '—'} | {mark} |"
    )


def render(verdicts: Sequence[Verdict]) -> str:
    """The table the command prints and docs/trust.md quotes."""
    lines = [
        "| defect | section | expected | result | categories given | match |",
        "| --- | --- | --- | --- | --- | --- |",
        *(_row(found) for found in verdicts),
        "",
        f"{sum(found.caught for found in verdicts)} of {len(verdicts)} caught, "
        f"{sum(found.ok for found in verdicts)} with the right category.",
        "",
        "First failure per defect:",
        *(f"- {found.defect.name}: {found.first_failure}" for found in verdicts),
    ]
    return "\n".join(lines)
