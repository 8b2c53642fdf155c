"""The mutation score, reported twice (killed / all, killed / non-equivalent), and its detail.

The report's layout is fixed, so that two runs of the same selection compare line by line,
and its JSON twin lists every mutant's outcome and the scenario that killed it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trust.equivalents import Equivalence, Kind, entry_text
from trust.mutants import MutantId
from trust.mutation import Done

#: how a killed mutant was caught, by what its first failure says
CAUGHT_BY_SCENARIO = "a failing scenario"
CAUGHT_BEFORE_SCENARIOS = "the run stopping before any scenario (the API did not start or answer)"
CAUGHT_BY_TIMEOUT = "a time-out"


@dataclass(frozen=True, kw_only=True)
class Judged:
    """A mutant's outcome with the record applied: killed, survived, equivalent, error, pending."""

    done: Done
    verdict: str
    kind: Kind | None = None
    entry: Equivalence | None = None


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything one report says."""

    title: str
    selection: str
    judged: tuple[Judged, ...]
    stale: tuple[Equivalence, ...] = ()
    unquoted: tuple[Equivalence, ...] = ()
    contract_checked: bool = True
    baseline_seconds: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def count(self, verdict: str) -> int:
        """Mutants with this verdict."""
        return sum(j.verdict == verdict for j in self.judged)

    @property
    def finished(self) -> int:
        """Mutants with an outcome (all but the pending)."""
        return len(self.judged) - self.count("pending")

    @property
    def scored(self) -> int:
        """Finished mutants that count in the scores: all but those that are not valid Python."""
        return self.finished - self.count("invalid")

    @property
    def kinds(self) -> Counter[Kind]:
        """Equivalent mutants per kind."""
        return Counter(j.kind for j in self.judged if j.kind is not None)

    @property
    def contradicted(self) -> list[Judged]:
        """Killed mutants that the record calls equivalent: the entry is wrong."""
        return [j for j in self.judged if j.verdict == "killed" and j.entry is not None]

    def scores(self) -> tuple[float | None, float | None]:
        """Killed / all finished, and killed / finished non-equivalent mutants (0..1)."""
        killed = self.count("killed")
        against = self.scored - self.count("equivalent")
        return (
            killed / self.scored if self.scored else None,
            killed / against if against else None,
        )

    @property
    def clean(self) -> bool:
        """Every mutant finished, and each was killed or is equivalent."""
        return not (self.count("survived") or self.count("error") or self.count("pending"))


def judge(done: Sequence[Done], entries: Sequence[Equivalence]) -> list[Judged]:
    """Apply the record: survivors it names are equivalent; annotations are kind a."""
    by_id = {entry.mutant: entry for entry in entries}
    judged = []
    for each in done:
        entry = by_id.get(each.mutant.id)
        if each.outcome == "annotation":
            judged.append(Judged(done=each, verdict="equivalent", kind=Kind.ANNOTATION))
        elif each.outcome == "survived" and entry is not None:
            judged.append(Judged(done=each, verdict="equivalent", kind=entry.kind, entry=entry))
        else:
            judged.append(Judged(done=each, verdict=each.outcome, entry=entry))
    return judged


def caught_how(killed_by: str) -> str:
    """How a killed mutant was caught, from its first failure."""
    if killed_by == "timed out":
        return CAUGHT_BY_TIMEOUT
    return CAUGHT_BY_SCENARIO if "::" in killed_by else CAUGHT_BEFORE_SCENARIOS


def _percent(share: float | None, part: int, whole: int) -> str:
    return "—" if share is None else f"{100 * share:.1f} % ({part}/{whole})"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _times(report: Report) -> str:
    runs = [j.done.seconds for j in report.judged if j.done.seconds is not None]
    if not runs:
        return "Time: no mutant has run yet."
    per = {
        verdict: [
            j.done.seconds
            for j in report.judged
            if j.done.outcome == verdict and j.done.seconds is not None
        ]
        for verdict in ("killed", "survived")
    }
    detail = ", ".join(
        f"{verdict} {statistics.median(times):.1f} s" for verdict, times in per.items() if times
    )
    text = (
        f"Time: {_duration(sum(runs))} for {len(runs)} mutant runs, a median of"
        f" {statistics.median(runs):.1f} s a mutant ({detail})"
    )
    if report.baseline_seconds is not None:
        text += f"; the unmutated run took {report.baseline_seconds:.1f} s"
    return text + "."


def _place(judged: Judged) -> str:
    mutant = judged.done.mutant
    occurrence = f" #{mutant.id.occurrence}" if mutant.id.occurrence > 1 else ""
    return (
        f"`{mutant.id.file}` line {mutant.start[0]}, `{mutant.id.function}`,"
        f" {mutant.id.operator}{occurrence}: `{mutant.id.text}`"
    )


def _diff(text: str) -> list[str]:
    body = [line for line in text.splitlines() if line != "--- mutation diff ---"]
    return ["   ```diff", *(f"   {line}" for line in body), "   ```"] if body else []


def render(report: Report) -> str:
    """The report in Markdown."""
    kinds = report.kinds
    caught = Counter(caught_how(j.done.killed_by) for j in report.judged if j.verdict == "killed")
    all_score, fair_score = report.scores()
    killed = report.count("killed")
    rows = [
        ("mutants", len(report.judged)),
        ("killed", killed),
        *((f"  killed by {how}", caught[how]) for how in sorted(caught)),
        ("equivalent", report.count("equivalent")),
        *((f"  {kind.label}", kinds[kind]) for kind in Kind if kinds[kind]),
        ("survived", report.count("survived")),
    ]
    if report.count("invalid"):
        rows.append(("not valid Python (never run, in neither score)", report.count("invalid")))
    if report.count("error"):
        rows.append(("not judged (the tool failed on them)", report.count("error")))
    if report.count("pending"):
        rows.append(("not run yet (the same command goes on)", report.count("pending")))
    lines = [
        f"## {report.title}",
        "",
        report.selection,
        "",
        "| outcome | mutants |",
        "| --- | ---: |",
        *(f"| {name.replace('  ', '&nbsp;&nbsp;')} | {count} |" for name, count in rows),
        "",
        f"**Score: killed / all {_percent(all_score, killed, report.scored)};"
        f" killed / non-equivalent"
        f" {_percent(fair_score, killed, report.scored - report.count('equivalent'))}.**",
        "",
        _times(report),
        "",
        *_per_module(report),
        *_survivors(report),
        *_equivalents(report),
        *_problems(report),
        *(f"{note}" for note in report.notes),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _per_module(report: Report) -> list[str]:
    modules = list(dict.fromkeys(j.done.mutant.id.file for j in report.judged))
    lines = [
        "| module | mutants | killed | equivalent | survived | killed / non-equivalent |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for module in modules:
        mine = [j for j in report.judged if j.done.mutant.id.file == module]
        counts = Counter(j.verdict for j in mine)
        judged = counts["killed"] + counts["survived"]
        share = f"{100 * counts['killed'] / judged:.1f} %" if judged else "—"
        lines.append(
            f"| `{module}` | {len(mine)} | {counts['killed']} | {counts['equivalent']}"
            f" | {counts['survived']} | {share} |"
        )
    return [*lines, ""]


def _survivors(report: Report) -> list[str]:
    survivors = [j for j in report.judged if j.verdict in ("survived", "error")]
    if not survivors:
        return ["No survivor: every mutant was killed or is recorded as equivalent.", ""]
    lines = [f"### Survivors ({len(survivors)})", ""]
    for n, judged in enumerate(survivors, 1):
        failed = " (the tool failed on it)" if judged.verdict == "error" else ""
        lines += [
            f"{n}. {_place(judged)}{failed}",
            *_diff(judged.done.diff),
            "   <details><summary>its entry, to record it as equivalent</summary>",
            "",
            "   ```toml",
            *(f"   {line}" for line in entry_text(judged.done.mutant.id).splitlines()),
            "   ```",
            "   </details>",
            "",
        ]
    return lines


def _equivalents(report: Report) -> list[str]:
    recorded = [j for j in report.judged if j.entry is not None and j.verdict == "equivalent"]
    if not recorded:
        return []
    lines = [f"### Recorded as equivalent ({len(recorded)})", ""]
    for judged in recorded:
        assert judged.entry is not None
        lines.append(f"- {judged.entry.kind.label}: {_place(judged)} — {judged.entry.reason}")
    return [*lines, ""]


def _problems(report: Report) -> list[str]:
    lines: list[str] = []
    for judged in report.contradicted:
        lines.append(
            f"- recorded as equivalent, yet killed by {judged.done.killed_by}: {_place(judged)};"
            " the entry is wrong, remove it"
        )
    for entry in report.unquoted:
        lines.append(
            f"- the contract does not contain the words quoted for {entry.mutant}: the entry"
            " is not applied until its quote is the contract's"
        )
    for entry in report.stale:
        lines.append(f"- stale entry (no such mutant in the code now): {entry.mutant}")
    if not report.contract_checked:
        lines.append("- the contract was not found, so the quotes of kind c were not checked")
    return ["### The equivalence record", "", *lines, ""] if lines else []


def as_json(report: Report) -> dict[str, Any]:
    """The report's figures and every mutant's outcome, for tools and for comparing runs."""
    all_score, fair_score = report.scores()
    return {
        "title": report.title,
        "selection": report.selection,
        "counts": {
            verdict: report.count(verdict)
            for verdict in ("killed", "equivalent", "survived", "invalid", "error", "pending")
        },
        "equivalent_by_kind": {kind.value: report.kinds[kind] for kind in Kind},
        "score_all": all_score,
        "score_non_equivalent": fair_score,
        "seconds": sum(j.done.seconds or 0 for j in report.judged),
        "baseline_seconds": report.baseline_seconds,
        "stale_entries": [entry.mutant.as_dict() for entry in report.stale],
        "mutants": [
            {
                **j.done.mutant.id.as_dict(),
                "line": j.done.mutant.start[0],
                "verdict": j.verdict,
                "kind": None if j.kind is None else j.kind.value,
                "seconds": j.done.seconds,
                "killed_by": j.done.killed_by or None,
            }
            for j in report.judged
        ],
    }


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed between two reports' JSON: scores, and mutants whose verdict moved."""

    def key(item: dict[str, Any]) -> MutantId:
        return MutantId(
            file=item["file"],
            function=item["function"],
            operator=item["operator"],
            text=item["text"],
            occurrence=item["occurrence"],
        )

    old = {key(item): item["verdict"] for item in before["mutants"]}
    new = {key(item): item["verdict"] for item in after["mutants"]}

    def score(data: dict[str, Any], name: str) -> str:
        value = data[name]
        return "—" if value is None else f"{100 * value:.1f} %"

    lines = [
        "| score | before | after |",
        "| --- | ---: | ---: |",
        f"| killed / all | {score(before, 'score_all')} | {score(after, 'score_all')} |",
        f"| killed / non-equivalent | {score(before, 'score_non_equivalent')}"
        f" | {score(after, 'score_non_equivalent')} |",
        "",
    ]
    moved = [
        f"- {mutant}: {old[mutant]} → {new[mutant]}"
        for mutant in sorted(old.keys() & new.keys())
        if old[mutant] != new[mutant]
    ]
    only = len(old.keys() ^ new.keys())
    lines += moved or ["No mutant changed its verdict."]
    if only:
        lines.append(f"{only} mutants are in only one of the two runs (other code or selection).")
    return "\n".join(lines) + "\n"
