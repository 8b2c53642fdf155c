"""The end-of-run summary of the acceptance suite: outcomes, failure categories, absorbed faults.

:mod:`reporting.pytest_plugin` fills a :class:`RunSummary` from the run's reports (the
controller's, under xdist), prints :meth:`RunSummary.text` at the end of the run, and writes
:meth:`RunSummary.markdown` to ``reports/summary.md`` and the data to ``reports/summary.json``.
CI runs the suite in shards; the report job merges their data into one job summary::

    python -m reporting.summary shard-1/summary.json shard-2/summary.json [--report-url URL]

with the API coverage and latency of the shards (``api-coverage.json``, ``api-latency.json``
beside each ``summary.json``) merged after it.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from framework.classify import FailureCategory
from reporting.artifacts import RUN_RECORD, read_run_data
from trust.coverage import COVERAGE_FILE, Coverage
from trust.latency import LATENCY_FILE, Latency

#: The summary's data in an Allure results folder, which the report attaches: the run's
#: record there as beside the Markdown summary.
SUMMARY_DATA = RUN_RECORD
#: Characters of a failure message kept in the summary (its first line).
MESSAGE_CHARS = 160


class Outcome(StrEnum):
    """What became of one scenario."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    KNOWN_DEFECT = "known defect"  #: a `@defect:ID` scenario that failed as expected
    NOT_RUN = "not run"  #: selected, but the run ended (stopped, interrupted) before it


#: Transport failures as a person names them, looked up in the attempt's outcome text.
_TRANSPORT_KINDS = (
    (re.compile(r"reset by peer|ConnectionResetError", re.I), "connection reset"),
    (
        re.compile(r"RemoteDisconnected|without response|IncompleteRead|ChunkedEncoding", re.I),
        "connection closed without an answer (reset, or the answer lost)",
    ),
    (re.compile(r"^ReadTimeout", re.I), "read timeout"),
    (re.compile(r"^ConnectTimeout", re.I), "connect timeout"),
    (re.compile(r"refused", re.I), "connection refused"),
)
_STATUS = re.compile(r"^\d{3}\b")


def fault_kind(outcome: str) -> str:
    """Name the kind of a retried attempt's outcome (``Attempt.outcome``).

    ``"503 Service Unavailable"`` stays as it is; a transport error becomes
    ``"connection reset"``, ``"lost response (…)"``, ``"read timeout"``, ``"connect
    timeout"`` or ``"connection refused"``, else the error's class name.
    """
    if _STATUS.match(outcome):
        return outcome
    for pattern, kind in _TRANSPORT_KINDS:
        if pattern.search(outcome):
            return kind
    return outcome.split(" ", 1)[0]


@dataclass(frozen=True, kw_only=True)
class ScenarioResult:
    """One scenario as the summary shows it.

    ``step`` is the failed step and where it is, ``replay`` the command that replays the
    failure; ``faults`` are the kinds of transient fault its retries absorbed (weather), and
    ``staged`` those it met after arming faults itself (trouble it staged on purpose).
    """

    nodeid: str
    outcome: Outcome
    category: FailureCategory | None = None
    message: str = ""
    step: str = ""
    replay: str = ""
    faults: tuple[str, ...] = ()
    staged: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    """Everything the end-of-run summary says, and its two layouts (terminal, Markdown)."""

    scenarios: tuple[ScenarioResult, ...]
    #: The command that reruns one scenario, before its quoted node id.
    rerun: str = "pytest"
    #: Where the Allure results went (None: the run wrote none).
    results_dir: str | None = None
    #: Where the HTML report is, or how to build it.
    report_hint: str | None = None
    #: Why the run stopped before its end (None: it did not).
    stopped: str | None = None
    #: False for the record of a run that has not written its summary (yet, or ever).
    finished: bool = True
    _counts: Counter[Outcome] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_counts", Counter(s.outcome for s in self.scenarios))

    @property
    def failures(self) -> tuple[ScenarioResult, ...]:
        """The failed scenarios, in node id order."""
        found = (s for s in self.scenarios if s.outcome is Outcome.FAILED)
        return tuple(sorted(found, key=lambda s: s.nodeid))

    def by_category(self) -> dict[FailureCategory, int]:
        """How many scenarios failed in each category (all four, zeros included)."""
        counts = Counter(s.category for s in self.failures)
        return {category: counts[category] for category in FailureCategory}

    def absorbed(self) -> dict[str, list[str]]:
        """Fault kind -> the scenarios whose retries absorbed it as weather (once per fault)."""
        found: dict[str, list[str]] = {}
        for scenario in sorted(self.scenarios, key=lambda s: s.nodeid):
            for kind in scenario.faults:
                found.setdefault(kind, []).append(scenario.nodeid)
        return dict(sorted(found.items()))

    def staged(self) -> tuple[int, int]:
        """How many faults the scenarios armed themselves and met, and in how many scenarios."""
        staging = [s for s in self.scenarios if s.staged]
        return sum(len(s.staged) for s in staging), len(staging)

    def to_json(self) -> str:
        """The summary's data, for :meth:`from_json` (CI merges its shards' files)."""
        scenarios = [
            {
                "nodeid": s.nodeid,
                "outcome": str(s.outcome),
                "category": str(s.category) if s.category else None,
                "message": s.message,
                "step": s.step,
                "replay": s.replay,
                "faults": list(s.faults),
                "staged": list(s.staged),
            }
            for s in self.scenarios
        ]
        document = {"rerun": self.rerun, "stopped": self.stopped, "scenarios": scenarios}
        return json.dumps(document, indent=1) + "\n"

    @classmethod
    def from_json(cls, texts: list[str], *, report_hint: str | None = None) -> RunSummary:
        """One summary of several runs (shards) written by :meth:`to_json`."""
        documents = [json.loads(text) for text in texts]
        return cls(
            scenarios=tuple(
                ScenarioResult(
                    nodeid=item["nodeid"],
                    outcome=Outcome(item["outcome"]),
                    category=FailureCategory(item["category"]) if item["category"] else None,
                    message=item["message"],
                    step=item.get("step", ""),
                    replay=item.get("replay", ""),
                    faults=tuple(item["faults"]),
                    staged=tuple(item.get("staged", ())),
                )
                for document in documents
                for item in document["scenarios"]
            ),
            rerun=documents[0].get("rerun", "pytest") if documents else "pytest",
            report_hint=report_hint,
            stopped="; ".join(d["stopped"] for d in documents if d.get("stopped")) or None,
            finished=all(d.get("run", {}).get("finished", True) for d in documents),
        )

    def rerun_command(self, nodeid: str) -> str:
        """The command that reruns just this scenario."""
        return f"{self.rerun} {shlex.quote(nodeid)}"

    @property
    def not_run(self) -> tuple[str, ...]:
        """The scenarios selected that never ran, in node id order."""
        return tuple(sorted(s.nodeid for s in self.scenarios if s.outcome is Outcome.NOT_RUN))

    def headline(self) -> str:
        """``130 scenarios: 126 passed, 2 failed (product defect 1, environment 1), …`` (then
        ``, 4 not run`` when some were not)."""
        parts = []
        for outcome in Outcome:
            count = self._counts[outcome]
            if outcome is Outcome.NOT_RUN and not count:
                continue
            plural = "s" if outcome is Outcome.KNOWN_DEFECT and count != 1 else ""
            part = f"{count} {outcome}{plural}"
            if outcome is Outcome.FAILED and self.failures:
                categories = ", ".join(
                    f"{category} {n}" for category, n in self.by_category().items() if n
                )
                part += f" ({categories})"
            parts.append(part)
        total = len(self.scenarios)
        return f"{total} scenario{'s' if total != 1 else ''}: {', '.join(parts)}"

    def _failure_facts(self, failure: ScenarioResult) -> list[tuple[str, str]]:
        return [
            (label, value)
            for label, value in (
                ("scenario", failure.nodeid),
                ("step", failure.step),
                ("replay", failure.replay),
                ("rerun", self.rerun_command(failure.nodeid)),
            )
            if value
        ]

    def stop_line(self) -> str | None:
        """The one line saying why the run stopped early, and what that left undone."""
        if self.stopped is None:
            return None
        return (
            f"acceptance suite: the run stopped: {self.stopped}; "
            f"{len(self.not_run)} scenarios not run (never counted as passed)"
        )

    def text(self) -> str:
        """The summary for the terminal: the failures first, then what retries absorbed."""
        lines = [self.headline()]
        stop = self.stop_line()
        if stop is not None:
            lines.append(stop)
        for failure in self.failures:
            lines.append(f"[{failure.category}] {failure.message}")
            lines += [f"    {label:<9}{value}" for label, value in self._failure_facts(failure)]
        lines += self._absorbed_lines()
        lines += self._where_lines()
        return "\n".join(lines)

    def _staged_line(self) -> str:
        faults, scenarios = self.staged()
        if not faults:
            return "faults the scenarios armed themselves: none met"
        return (
            f"faults the scenarios armed themselves, met and absorbed on purpose: {faults} "
            f"in {scenarios} scenario{'s' if scenarios != 1 else ''}"
        )

    def _absorbed_lines(self) -> list[str]:
        absorbed = self.absorbed()
        lines = [self._staged_line()]
        if not absorbed:
            return [*lines, "weather absorbed by retries (faults no scenario armed): none"]
        total = sum(len(nodeids) for nodeids in absorbed.values())
        lines.append(f"weather absorbed by retries (faults no scenario armed): {total}")
        for kind, nodeids in absorbed.items():
            lines.append(f"  {kind} ×{len(nodeids)}:")
            lines += [f"    {nodeid}" for nodeid in dict.fromkeys(nodeids)]
        return lines

    def _where_lines(self) -> list[str]:
        lines = []
        if self.results_dir:
            lines.append(f"Allure results: {self.results_dir}")
        if self.report_hint:
            lines.append(f"HTML report: {self.report_hint}")
        return lines

    def markdown(self) -> str:
        """The summary for CI's job summary (GitHub-flavoured Markdown), failures first."""
        status = "failed" if self.failures else "incomplete" if self.not_run else "passed"
        if self.stopped is not None:
            status = "stopped"
        if not self.finished:
            status = "not finished (a run stopped or was killed before writing its summary)"
        lines = [f"## Acceptance suite: {status}", "", self.headline(), ""]
        stop = self.stop_line()
        if stop is not None:
            lines += [stop, ""]
        if self.failures:
            lines += ["### Failures", ""]
            for failure in self.failures:
                lines.append(f"- **[{failure.category}]** {failure.message}")
                for label, value in self._failure_facts(failure):
                    shown = f"`{value}`" if label in ("scenario", "replay", "rerun") else value
                    lines.append(f"  - {label}: {shown}")
            lines.append("")
        lines += [f"{self._staged_line()}.", ""]
        absorbed = self.absorbed()
        if absorbed:
            lines += ["Weather absorbed by retries (faults no scenario armed):", ""]
            lines += ["| fault | times | scenarios |", "| --- | ---: | --- |"]
            for kind, nodeids in absorbed.items():
                names = "<br>".join(f"`{nodeid}`" for nodeid in dict.fromkeys(nodeids))
                lines.append(f"| {kind} | {len(nodeids)} | {names} |")
        else:
            lines.append("Weather absorbed by retries (faults no scenario armed): none.")
        lines.append("")
        if self.not_run:
            lines += ["### Not run", ""]
            lines += [f"- `{nodeid}`" for nodeid in self.not_run]
            lines.append("")
        lines += [f"{line}  " for line in self._where_lines()]
        return "\n".join(lines).rstrip() + "\n"


def api_figures(folders: Iterable[Path]) -> tuple[Coverage | None, Latency | None]:
    """The API coverage and latency found in ``folders`` (beside summaries, or in Allure
    results), merged: CI's shards each measured their part of the run. Data that is not
    its folder's last run's raises ``RunDataError`` (a ``ValueError``)."""
    coverage: Coverage | None = None
    latency: Latency | None = None
    for folder in folders:
        if (text := read_run_data(folder, COVERAGE_FILE)) is not None:
            found = Coverage.from_json(text)
            coverage = found if coverage is None else coverage.merged(found)
        if (text := read_run_data(folder, LATENCY_FILE)) is not None:
            more = Latency.from_json(text)
            latency = more if latency is None else latency.merged(more)
    return coverage, latency


def first_line(message: str) -> str:
    """The first non-empty line of a failure message, cut to :data:`MESSAGE_CHARS`."""
    line = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    """Print the Markdown summary of the given ``summary.json`` files (one per CI shard)."""
    parser = argparse.ArgumentParser(
        prog="python -m reporting.summary",
        description="Merge the summaries of several runs (CI shards) into one, in Markdown.",
    )
    parser.add_argument("files", nargs="+", metavar="SUMMARY_JSON")
    parser.add_argument("--report-url", help="where the HTML report of the run is")
    arguments = parser.parse_args(argv)
    texts = []
    for name in arguments.files:
        try:
            texts.append(Path(name).read_text(encoding="utf-8"))
        except OSError as error:
            print(f"error: cannot read {name}: {error.strerror}", file=sys.stderr)
            return 1
    try:
        summary = RunSummary.from_json(
            texts,
            report_hint=arguments.report_url,
        )
    except (ValueError, KeyError, TypeError) as error:
        print(f"error: not a summary written by the suite: {error!r}", file=sys.stderr)
        return 1
    print(summary.markdown(), end="")
    folders = [Path(name).parent for name in arguments.files]
    try:
        coverage, latency = api_figures(folders)
    except (ValueError, KeyError, TypeError) as error:
        print(
            f"error: unreadable API coverage or latency beside the summaries: {error!r}",
            file=sys.stderr,
        )
        return 1
    for figures in (coverage, latency):
        if figures is not None:
            print(f"\n{figures.markdown()}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
