"""Run the acceptance suite once against a sandbox started with given options, and read the run.

Each run gets its own sandbox process (`steps.sandbox_process`), so a run's faults, defect
and counters are its own; the suite reaches it through `API_URL`, as it would a deployment.
A seeded defect is made in that sandbox (`python -m trust sandbox --defect NAME`) or, for a
defect on the wire, by a defect proxy in front of it (`python -m trust proxy`).
The suite runs as users run it, report included: Allure results and the run summary go to a
scratch folder (never the shared `reports/`), and the failure categories the report gives
are read back from the results' `failure_category` labels.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steps.sandbox_process import SandboxProcess
from trust.defects import Wire, find
from trust.recorder import RECORD_DIR

#: the project's root folder: the suite and the sandbox run from here
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: seconds: a whole suite run that takes longer than this is stopped (it has hung)
RUN_TIMEOUT = 1800
#: seconds the sandbox may take to write its counters and exit
STATS_WAIT = 15


@dataclass(frozen=True, kw_only=True)
class Failure:
    """One failed scenario: its id, the framework's category and what it said."""

    nodeid: str
    category: str | None
    message: str


@dataclass(frozen=True, kw_only=True)
class SuiteRun:
    """What one run of the suite did, seen from both ends."""

    exit_code: int
    wall_seconds: float
    executed: int
    passed: int
    skipped: int
    failures: tuple[Failure, ...]
    client: dict[str, int]
    server: dict[str, Any]
    #: seconds the client waited between attempts: `asked` (the server's `Retry-After`) and
    #: `backoff` (its own), summed over its processes
    waits: Mapping[str, float] = field(default_factory=dict)
    reported: tuple[str, ...] = ()  #: the report's category of each failed scenario
    stopped: str = ""  #: the runner's one-line reason when it stopped the run before any scenario
    #: each scenario's outcome (passed, failed, skipped), by pytest node id
    outcomes: Mapping[str, str] = field(default_factory=dict)
    #: each scenario's answers, in order, as `trust.recorder.answer_signature`s
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def retries(self) -> int:
        """Attempts beyond the first, counted by the client."""
        return self.client.get("attempts", 0) - self.client.get("requests", 0)


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How to run the suite: pytest options after `-m acceptance`, the sandbox's, a defect."""

    sandbox: tuple[str, ...] = ()
    pytest: tuple[str, ...] = ("-n", "2")
    environment: dict[str, str] = field(default_factory=dict)
    defect: str | None = None  #: the name of a seeded defect (`trust.defects`) to run against


@dataclass(frozen=True, kw_only=True)
class _Records:
    scenarios: dict[str, dict[str, Any]]
    answers: dict[str, tuple[str, ...]]
    client: dict[str, int]
    waits: dict[str, float]


def _read_records(folder: Path) -> _Records:
    scenarios: dict[str, dict[str, Any]] = {}
    answers: dict[str, tuple[str, ...]] = {}
    client = {"requests": 0, "attempts": 0}
    waits = {"asked": 0.0, "backoff": 0.0}
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        scenarios.update(record["scenarios"])
        answers.update((nodeid, tuple(seen)) for nodeid, seen in record["answers"].items())
        for name in client:
            client[name] += int(record["client"][name])
        for name in waits:
            waits[name] += float(record["waits"][name])
    return _Records(scenarios=scenarios, answers=answers, client=client, waits=waits)


def _stop_line(output: str) -> str:
    """Why a run ended before any scenario: the runner's one line, else pytest's last."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    runner = [line for line in lines if "acceptance suite:" in line]
    return (runner or lines or ["pytest printed nothing"])[-1]


@contextmanager
def serving(options: RunOptions, stats_file: Path) -> Iterator[str]:
    """What the suite runs against, started, and stopped after: yields its URL.

    A sandbox with `options.sandbox` (and the run's defect when it is made in the sandbox),
    behind a defect proxy when the run's defect is made on the wire.
    """
    with serving_processes(options, stats_file) as started:
        yield started[-1].url


@contextmanager
def serving_processes(
    options: RunOptions, stats_file: Path | None
) -> Iterator[list[SandboxProcess]]:
    """As `serving`, yielding the processes: the sandbox first, the one to talk to last.

    Without a stats file the sandbox keeps no counters (they hold every request's id).
    """
    defect = None if options.defect is None else find(options.defect)
    on_wire = defect is not None and isinstance(defect.made_by, Wire)
    command: tuple[str, ...] = ("sandbox",)
    if defect is not None and not on_wire:
        command = ("trust", "sandbox", "--defect", defect.name)
    started = [
        SandboxProcess.start(
            project_root=PROJECT_ROOT,
            command=command,
            options=[*options.sandbox, *(("--stats-file", str(stats_file)) if stats_file else ())],
        )
    ]
    try:
        if defect is not None and on_wire:
            proxy = ("trust", "proxy", "--defect", defect.name, "--upstream", started[0].url)
            started.append(SandboxProcess.start(project_root=PROJECT_ROOT, command=proxy))
        yield started
    finally:
        for process in reversed(started):
            process.stop()


@contextmanager
def _served(options: RunOptions, stats_file: Path, url: str | None) -> Iterator[str]:
    """`serving(options)`, or the given URL as it is."""
    if url is not None:
        yield url
        return
    with serving(options, stats_file) as started:
        yield started


def run_suite(options: RunOptions, *, log: Path | None = None, url: str | None = None) -> SuiteRun:
    """Start what `options` say, run the suite against it, stop it, and read both ends.

    Given the `url` of an API already serving, run against that instead (nothing is started,
    and there are no server-side counters).
    """
    with tempfile.TemporaryDirectory(prefix="trust-run-") as scratch:
        folder = Path(scratch)
        records = folder / "records"
        records.mkdir()
        stats_file = folder / "stats.json"
        started_here = url is None
        with _served(options, stats_file, url) as url:
            environment = {
                **os.environ,
                **options.environment,
                "API_URL": url,
                RECORD_DIR: str(records),
            }
            done, wall = timed_pytest(
                [
                    "-m",
                    "acceptance",
                    "-p",
                    "trust.recorder",
                    *_QUIET,
                    "-p",
                    "no:cacheprovider",
                    *report_options(folder),
                    *options.pytest,
                ],
                environment,
            )
        if log is not None:
            log.write_text(done.stdout + done.stderr, encoding="utf-8")
        server = _wait_for_stats(stats_file) if started_here else {}
        recorded = _read_records(records)
        reported = reported_categories(folder / "allure-results")
    scenarios = recorded.scenarios
    failures = tuple(
        Failure(nodeid=nodeid, category=entry.get("category"), message=entry.get("message", ""))
        for nodeid, entry in sorted(scenarios.items())
        if entry["outcome"] == "failed"
    )
    outcomes = [entry["outcome"] for entry in scenarios.values()]
    return SuiteRun(
        exit_code=done.returncode,
        wall_seconds=wall,
        executed=outcomes.count("passed") + outcomes.count("failed"),
        passed=outcomes.count("passed"),
        skipped=outcomes.count("skipped"),
        failures=failures,
        client=recorded.client,
        server=server,
        waits=recorded.waits,
        reported=reported,
        stopped="" if scenarios else _stop_line(done.stdout + done.stderr),
        outcomes={nodeid: entry["outcome"] for nodeid, entry in scenarios.items()},
        answers=recorded.answers,
    )


#: pytest options of a run read by a tool rather than a person
_QUIET = ("-q", "--no-header")


def report_options(folder: Path) -> list[str]:
    """The options that put a run's Allure results and summary into ``folder``."""
    # One token each: pytest takes a separate path argument for a rootdir candidate.
    return [f"--alluredir={folder / 'allure-results'}", f"--run-summary={folder / 'summary.md'}"]


def timed_pytest(
    arguments: Sequence[str], environment: Mapping[str, str]
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``python -m pytest arguments`` from the project's root, quietly: what it printed
    and its exit status, and its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "pytest", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return done, time.perf_counter() - started


def reported_categories(results: Path) -> tuple[str, ...]:
    """The `failure_category` label of every failed or broken Allure result, sorted."""
    found: list[str] = []
    for path in results.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        if result.get("status") not in ("failed", "broken"):
            continue
        labels = {label["name"]: label["value"] for label in result.get("labels", ())}
        found.append(labels.get("failure_category", "unclassified"))
    return tuple(sorted(found))


def _wait_for_stats(path: Path) -> dict[str, Any]:
    deadline = time.monotonic() + STATS_WAIT
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def sandbox_options(*, chaos: float | None = None, seed: int = 0) -> tuple[str, ...]:
    """`python -m sandbox` options for chaos."""
    return () if chaos is None else ("--chaos", str(chaos), "--seed", str(seed))


def extend(
    options: RunOptions, *, pytest: Sequence[str] = (), sandbox: Sequence[str] = ()
) -> RunOptions:
    """These options with more pytest or sandbox options."""
    return RunOptions(
        sandbox=(*options.sandbox, *sandbox),
        pytest=(*options.pytest, *pytest),
        environment=options.environment,
        defect=options.defect,
    )
