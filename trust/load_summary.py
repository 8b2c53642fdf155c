"""What a load run found, as figures and as the text it prints and writes (`reports/load/`).

Plain data and text only: the Locust process fills it in (`trust.load`), the tests read it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from trust.conservation import Verdict
from trust.load_profile import Run

#: Bytes in a mebibyte.
MIB = 1 << 20


@dataclass(frozen=True, kw_only=True, slots=True)
class ProcessReading:
    """The sandbox process's resident memory (bytes), open descriptors and CPU time used so far
    (seconds, user and system) at one moment."""

    rss: int
    descriptors: int
    cpu_seconds: float = 0.0
    #: of its main thread, the one that runs the sandbox's event loop
    main_thread_cpu_seconds: float = 0.0

    def text(self) -> str:
        """``41.2 MiB, 23 descriptors``."""
        return f"{self.rss / MIB:.1f} MiB, {self.descriptors} descriptors"


@dataclass(frozen=True, kw_only=True, slots=True)
class Minute:
    """One minute of a run: its logical requests and their latency (ms), and the sandbox."""

    minute: int
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    sandbox: ProcessReading | None = None


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Everything a load run reports."""

    target: str
    shape: str  #: users, spawn rate, duration, workers, seed in words
    run: Run
    #: p50, p95 and p99 (ms) of every logical request of the run together
    latency: Mapping[str, float] = field(default_factory=dict)
    minutes: Sequence[Minute] = ()
    sandbox_start: ProcessReading | None = None
    sandbox_end: ProcessReading | None = None
    #: CPU seconds this process (Locust and, unless distributed, its users) used during the load
    generator_cpu: float | None = None
    #: the share of all the machine's cores busy during the load, whatever process used them
    machine_busy: float | None = None
    verdicts: Sequence[Verdict] = ()
    breaches: Sequence[str] = ()
    journey_errors: int = 0
    opened: Sequence[str] = ()  #: "username account_id" of every account the run opened
    files: Mapping[str, str] = field(default_factory=dict)  #: what -> path

    @property
    def unconserved(self) -> list[Verdict]:
        """The accounts on which money was not conserved."""
        return [verdict for verdict in self.verdicts if not verdict.held]

    def resolutions(self) -> Counter[str]:
        """How the requests of unknown outcome turned out, counted."""
        return Counter(
            outcome for verdict in self.verdicts for outcome in verdict.resolved.values()
        )

    def exit_status(self) -> int:
        """1: money not conserved (a product defect); 3: the profile broken (a performance
        finding) or journeys that failed on their own code; 0: neither."""
        if self.unconserved:
            return 1
        return 3 if self.breaches or self.journey_errors else 0

    def verdict_lines(self) -> list[str]:
        """The closing lines: each finding in its own line, or that the run held."""
        lines = []
        if self.unconserved:
            lines.append(
                f"product defect: money was not conserved on {len(self.unconserved)} of"
                f" {len(self.verdicts)} accounts"
            )
        lines += [f"performance finding: {breach}" for breach in self.breaches]
        if self.journey_errors:
            lines.append(
                f"test defect: {self.journey_errors} journeys failed on their own code"
                " (see the exceptions file)"
            )
        if not lines:
            lines.append(
                f"load run held: money conserved on all {len(self.verdicts)} accounts, every"
                " profile limit kept"
            )
        return lines

    def text(self) -> str:
        """The summary as the terminal shows it and `summary.md` keeps it (Markdown)."""
        run = self.run
        attempts = sum(each.attempts for each in run.operations)
        limited = sum(each.rate_limited for each in run.operations)
        lines = [
            "# Load run",
            "",
            f"Target {self.target}; {self.shape}.",
            "",
            f"{run.requests} logical requests in {run.seconds:.0f} s ({run.throughput:.1f}/s),"
            f" {run.failures} failed ({run.error_rate:.2%}); {attempts} attempts"
            f" ({attempts - run.requests} retries), {limited} answered 429.",
            "",
            "## Per operation",
            "",
            "Logical requests (their retries and waits included), latency in ms from Locust's"
            " statistics; attempts and 429s counted per attempt.",
            "",
            "| operation | requests | failures | p50 | p95 | p99 | requests/s | attempts | 429s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for each in run.operations:
            rate = each.requests / run.seconds if run.seconds else 0.0
            p = each.percentiles
            lines.append(
                f"| `{each.operation}` | {each.requests} | {each.failures} | {p['p50']:g}"
                f" | {p['p95']:g} | {p['p99']:g} | {rate:.1f} | {each.attempts}"
                f" | {each.rate_limited} |"
            )
        if self.minutes:
            lines += [
                "",
                "## Per minute",
                "",
                "| minute | requests | failures | p50 | p95 | p99 | sandbox memory, descriptors |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            ]
            lines += [
                f"| {m.minute} | {m.requests} | {m.failures} | {m.p50:g} | {m.p95:g} | {m.p99:g}"
                f" | {m.sandbox.text() if m.sandbox else '—'} |"
                for m in self.minutes
            ]
        lines += ["", "## The sandbox process", ""]
        if self.sandbox_start and self.sandbox_end:
            start, end = self.sandbox_start, self.sandbox_end
            cpu = end.cpu_seconds - start.cpu_seconds
            loop = end.main_thread_cpu_seconds - start.main_thread_cpu_seconds
            per_request = f"{cpu / run.requests * 1000:.2f} ms" if run.requests else "—"
            lines.append(
                f"At the start of the load {start.text()}; at its end {end.text()}. CPU time in"
                f" between {cpu:.1f} s ({loop:.1f} s on the event loop's thread), {per_request}"
                " a logical request."
                + (
                    f" The load process (Locust and its users) used {self.generator_cpu:.1f} s"
                    " of CPU meanwhile."
                    if self.generator_cpu is not None
                    else ""
                )
                + (
                    f" The machine's cores were {self.machine_busy:.0%} busy (every process)."
                    if self.machine_busy is not None
                    else ""
                )
            )
        else:
            lines.append("Not measured: the target is not a sandbox this run started.")
        lines += ["", "## Money conservation", ""]
        resolutions = self.resolutions()
        resolved = ", ".join(f"{count} {how}" for how, count in sorted(resolutions.items()))
        lines.append(
            f"{len(self.verdicts)} accounts checked against their snapshot and the client's"
            f" record: {len(self.verdicts) - len(self.unconserved)} held,"
            f" {len(self.unconserved)} did not. Requests of unknown outcome resolved by"
            f" resending them under their key: {sum(resolutions.values())}"
            + (f" ({resolved})." if resolved else ".")
        )
        for verdict in self.unconserved:
            lines.append(f"- {verdict.username}:")
            lines += [f"  - {problem}" for problem in verdict.problems]
        lines += ["", "## Accounts opened", ""]
        lines.append(
            f"{len(self.opened)} accounts opened by this run (the API has no way to delete"
            " them)" + (f": listed in {self.files['opened']}." if "opened" in self.files else ".")
        )
        if self.files:
            lines += ["", "## Files", ""]
            lines += [f"- {what}: {path}" for what, path in self.files.items()]
        lines += ["", "## Verdict", "", *self.verdict_lines()]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The figures as JSON (for scripts and the tests)."""
        data = {
            "target": self.target,
            "shape": self.shape,
            "requests": self.run.requests,
            "failures": self.run.failures,
            "seconds": self.run.seconds,
            "users": self.run.users,
            "latency": dict(self.latency),
            "operations": [asdict(each) for each in self.run.operations],
            "minutes": [asdict(each) for each in self.minutes],
            "sandbox_start": asdict(self.sandbox_start) if self.sandbox_start else None,
            "sandbox_end": asdict(self.sandbox_end) if self.sandbox_end else None,
            "generator_cpu": self.generator_cpu,
            "machine_busy": self.machine_busy,
            "conservation": [
                {"username": v.username, "problems": list(v.problems), "resolved": v.resolved}
                for v in self.verdicts
            ],
            "breaches": list(self.breaches),
            "journey_errors": self.journey_errors,
            "opened": len(self.opened),
            "exit_status": self.exit_status(),
        }
        return json.dumps(data, indent=2) + "\n"
