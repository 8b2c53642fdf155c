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
from trust.coverage import COVERAGE_FILE, Coverage
from trust.latency import LATENCY_FILE, Latency

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
    """One scenario as the summary shows it; ``faults`` are the kinds retries absorbed."""

    nodeid: str
    outcome: Outcome
    category: FailureCategory | None = None
    message: str = ""
    faults: tuple[str, ...] = ()


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
        """Fault kind -> the scenarios whose retries absorbed it (once per fault)."""
        found: dict[str, list[str]] = {}
        for scenario in sorted(self.scenarios, key=lambda s: s.nodeid):
            for kind in scenario.faults:
                found.setdefault(kind, []).append(scenario.nodeid)
        return dict(sorted(found.items()))

    def to_json(self) -> str:
        """The summary's data, for :meth:`from_json` (CI merges its shards' files)."""
        scenarios = [
            {
                "nodeid": s.nodeid,
                "outcome": str(s.outcome),
                "category": str(s.category) if s.category else None,
                "message": s.message,
                "faults": list(s.faults),
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
                    faults=tuple(item["faults"]),
                )
                for document in documents
                for item in document["scenarios"]
            ),
            rerun=documents[0]["rerun"] if documents else "pytest",
            report_hint=report_hint,
            stopped="; ".join(d["stopped"] for d in documents if d.get("stopped")) or None,
        )

    def rerun_command(self, nodeid: str) -> str:
        """The command that reruns just this scenario."""
        return f"{self.rerun} {shlex.quote(nodeid)}"

    @property
    def not_run(self) -> tuple[str, ...]:
        """The scenarios selected that never ran, in node id order."""
        return tuple(sorted(s.nodeid for s in self.scenarios if s.outcome is Outcome.NOT_RUN))

    def headline(self) -> str:
        """``130 scenarios: 126 passed, 2 failed, 1 skipped, 0 known defects`` (then
        ``, 4 not run`` when some were not)."""
        parts = [
            f"{self._counts[outcome]} {outcome}"
            + ("s" if outcome is Outcome.KNOWN_DEFECT and self._counts[outcome] != 1 else "")
            for outcome in Outcome
            if outcome is not Outcome.NOT_RUN or self._counts[outcome]
        ]
        return f"{len(self.scenarios)} scenarios: {', '.join(parts)}"

    def stop_line(self) -> str | None:
        """The one line saying why the run stopped early, and what that left undone."""
        if self.stopped is None:
            return None
        return (
            f"acceptance suite: the run stopped: {self.stopped}; "
            f"{len(self.not_run)} scenarios not run (never counted as passed)"
        )

    def text(self) -> str:
        """The summary for the terminal."""
        lines = [self.headline()]
        stop = self.stop_line()
        if stop is not None:
            lines.append(stop)
        if self.failures:
            lines.append("failures by category:")
            lines += [
                f"  {category:<15} {count}"
                for category, count in self.by_category().items()
                if count
            ]
        lines += self._absorbed_lines()
        for failure in self.failures:
            lines.append(f"[{failure.category}] {failure.nodeid}")
            if failure.message:
                lines.append(f"    {failure.message}")
            lines.append(f"    rerun: {self.rerun_command(failure.nodeid)}")
        lines += self._where_lines()
        return "\n".join(lines)

    def _absorbed_lines(self) -> list[str]:
        absorbed = self.absorbed()
        if not absorbed:
            return ["transient faults absorbed by retries: none"]
        total = sum(len(nodeids) for nodeids in absorbed.values())
        lines = [f"transient faults absorbed by retries: {total}"]
        for kind, nodeids in absorbed.items():
            lines.append(f"  {kind} ×{len(nodeids)}:")
            lines += [f"    {nodeid}" for nodeid in dict.fromkeys(nodeids)]
        return lines

    def _where_lines(self) -> list[str]:
        lines = []
        if self.results_dir:
            lines.append(f"Allure results: {self.results_dir}")
        if self.report_hint:
            lines.append(f"report: {self.report_hint}")
        return lines

    def markdown(self) -> str:
        """The summary for CI's job summary (GitHub-flavoured Markdown)."""
        status = "failed" if self.failures else "incomplete" if self.not_run else "passed"
        if self.stopped is not None:
            status = "stopped"
        lines = [f"## Acceptance suite: {status}", "", self.headline(), ""]
        stop = self.stop_line()
        if stop is not None:
            lines += [stop, ""]
        if self.failures:
            lines += ["| category | failed scenarios |", "| --- | ---: |"]
            lines += [f"| {c} | {n} |" for c, n in self.by_category().items()]
            lines.append("")
        absorbed = self.absorbed()
        if absorbed:
            lines += ["Transient faults absorbed by retries:", ""]
            lines += ["| fault | times | scenarios |", "| --- | ---: | --- |"]
            for kind, nodeids in absorbed.items():
                names = "<br>".join(f"`{nodeid}`" for nodeid in dict.fromkeys(nodeids))
                lines.append(f"| {kind} | {len(nodeids)} | {names} |")
        else:
            lines.append("Transient faults absorbed by retries: none.")
        lines.append("")
        if self.failures:
            lines += ["### Failures", ""]
            for failure in self.failures:
                lines.append(f"- **{failure.category}** `{failure.nodeid}`")
                if failure.message:
                    lines.append(f"  {failure.message}")
                lines += ["  ```", f"  {self.rerun_command(failure.nodeid)}", "  ```"]
            lines.append("")
        if self.not_run:
            lines += ["### Not run", ""]
            lines += [f"- `{nodeid}`" for nodeid in self.not_run]
            lines.append("")
        lines += [f"{line}  " for line in self._where_lines()]
        return "\n".join(lines).rstrip() + "\n"


def api_figures(folders: Iterable[Path]) -> tuple[Coverage | None, Latency | None]:
    """The API coverage and latency found in ``folders`` (beside summaries, or in Allure
    results), merged: CI's shards each measured their part of the run."""
    coverage: Coverage | None = None
    latency: Latency | None = None
    for folder in folders:
        if (folder / COVERAGE_FILE).exists():
            found = Coverage.from_json((folder / COVERAGE_FILE).read_text(encoding="utf-8"))
            coverage = found if coverage is None else coverage.merged(found)
        if (folder / LATENCY_FILE).exists():
            more = Latency.from_json((folder / LATENCY_FILE).read_text(encoding="utf-8"))
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
            report_hint=f"[HTML report]({arguments.report_url})" if arguments.report_url else None,
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
