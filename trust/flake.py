"""The flake audit: the whole suite, many times, while the sandbox injects transient faults.

Every failure counts, whatever its category: under transient faults alone, an environment
failure is as false as any other. The audit reports the flake rate per scenario execution
with its exact 95 % upper bound, the faults the server injected by kind, the retries the
client made, duplicate executions the server saw (must be 0), and the cost in wall time
against a clean run of the same suite.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from trust.stats import median, upper_bound
from trust.suite import RunOptions, SuiteRun, run_suite, sandbox_options


@dataclass(frozen=True, kw_only=True)
class AuditOptions:
    """How the audit runs: chaos runs, fault rate, seed, xdist workers, where logs go."""

    runs: int = 20
    rate: float = 0.10
    seed: int = 1
    workers: str = "2"
    logs: Path | None = None
    max_attempts: int = 4  #: the client's API_MAX_ATTEMPTS in the runs


def _run(options: AuditOptions, label: str, sandbox: tuple[str, ...]) -> SuiteRun:
    log = options.logs / f"{label}.log" if options.logs else None
    return run_suite(RunOptions(sandbox=sandbox, pytest=("-n", options.workers)), log=log)


def audit(options: AuditOptions, *, progress: Callable[[str], object] = print) -> dict[str, Any]:
    """Run one clean run, then `runs` chaos runs (seed, seed+1 …); return the findings."""
    if options.logs:
        options.logs.mkdir(parents=True, exist_ok=True)
    clean = _run(options, "clean", ())
    progress(
        f"clean run: {clean.executed} scenarios, {len(clean.failures)} failed, "
        f"{clean.wall_seconds:.1f} s"
    )
    runs: list[SuiteRun] = []
    for number in range(options.runs):
        seed = options.seed + number
        run = _run(
            options, f"chaos-{number + 1:02d}", sandbox_options(chaos=options.rate, seed=seed)
        )
        runs.append(run)
        progress(
            f"chaos run {number + 1}/{options.runs} (seed {seed}): {run.executed} scenarios, "
            f"{len(run.failures)} failed, {run.retries} retries, {run.wall_seconds:.1f} s"
        )
    return summarise(options, clean, runs)


def summarise(options: AuditOptions, clean: SuiteRun, runs: list[SuiteRun]) -> dict[str, Any]:
    """The audit's findings from its runs (pure: tested without running anything)."""
    # A scenario that fails in the clean run too is broken, not flaky: its failures under
    # faults are listed apart and its executions are left out of the rate.
    broken = {failure.nodeid for failure in clean.failures}
    executions = sum(run.executed for run in runs) - len(runs) * len(broken)
    found = [
        {"run": number, **asdict(failure)}
        for number, run in enumerate(runs, start=1)
        for failure in run.failures
    ]
    failures = [failure for failure in found if failure["nodeid"] not in broken]
    also_clean = [failure for failure in found if failure["nodeid"] in broken]
    stopped = [number for number, run in enumerate(runs, start=1) if run.stopped]
    faults: Counter[str] = Counter()
    for run in runs:
        for name, count in run.server.get("faults", {}).items():
            source, _, kind = name.partition(":")
            if source == "chaos":
                faults[kind] += count
    duplicates = [dup for run in runs for dup in run.server.get("duplicates", [])]
    chaos_wall = median([run.wall_seconds for run in runs]) if runs else 0.0
    requests = sum(run.client.get("requests", 0) for run in runs)
    return {
        "runs": len(runs),
        "rate": options.rate,
        "seeds": [options.seed, options.seed + len(runs) - 1],
        "scenario_executions": executions,
        "failures": failures,
        "failing_also_clean": also_clean,
        "runs_stopped": stopped,
        "flake_rate": len(failures) / executions if executions else 0.0,
        "flake_rate_upper_95": upper_bound(len(failures), executions) if executions else 1.0,
        "faults_injected": dict(sorted(faults.items())),
        "faults_total": sum(faults.values()),
        "client_requests": requests,
        "max_attempts": options.max_attempts,
        # Independent faults at this rate exhaust every attempt of a request with
        # probability rate ** attempts: the failures the retry budget alone predicts (an
        # upper estimate: a delay is trouble but not a failure, and controls meet none).
        "expected_exhausted": requests * options.rate**options.max_attempts,
        "client_retries": sum(run.retries for run in runs),
        "server_requests": sum(run.server.get("requests", 0) for run in runs),
        "server_resent_attempts": sum(run.server.get("resent_attempts", 0) for run in runs),
        "duplicates": duplicates,
        "clean": {
            "executed": clean.executed,
            "failures": [asdict(failure) for failure in clean.failures],
            "wall_seconds": clean.wall_seconds,
            "client_requests": clean.client.get("requests", 0),
        },
        "chaos_wall_seconds_median": chaos_wall,
        "wall_ratio": chaos_wall / clean.wall_seconds if clean.wall_seconds else 0.0,
    }


def render(findings: dict[str, Any]) -> str:
    """The findings as the Markdown the command prints and docs/trust.md quotes."""
    lines = [
        f"Flake audit: {findings['runs']} runs of the whole suite at "
        f"{findings['rate']:.0%} injected faults (seeds {findings['seeds'][0]}"
        f"–{findings['seeds'][1]})",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| scenario executions | {findings['scenario_executions']} |",
        f"| failures (any category) | {len(findings['failures'])} |",
        f"| runs stopped before any scenario | {len(findings['runs_stopped'])} |",
        f"| flake rate | {findings['flake_rate']:.4%} |",
        "| flake rate, 95 % upper bound (exact binomial)"
        f" | {findings['flake_rate_upper_95']:.4%} |",
        f"| faults injected (server) | {findings['faults_total']} |",
        f"| requests sent / retries made (client) | {findings['client_requests']}"
        f" / {findings['client_retries']} |",
        f"| failures the retry budget predicts ({findings['max_attempts']} attempts,"
        f" {findings['rate']:.0%}^{findings['max_attempts']} per request)"
        f" | {findings['expected_exhausted']:.2f} |",
        f"| requests received / resent attempts (server) | {findings['server_requests']}"
        f" / {findings['server_resent_attempts']} |",
        f"| duplicate executions (server) | {len(findings['duplicates'])} |",
        f"| wall time: clean run / chaos median | {findings['clean']['wall_seconds']:.1f} s"
        f" / {findings['chaos_wall_seconds_median']:.1f} s"
        f" (× {findings['wall_ratio']:.2f}) |",
        "",
        "Faults injected by kind: "
        + ", ".join(f"{kind} {count}" for kind, count in findings["faults_injected"].items()),
    ]
    if findings["clean"]["failures"]:
        lines += [
            "",
            f"The clean run itself failed {len(findings['clean']['failures'])} scenarios; they"
            " are broken, not flaky, and are left out of the rate"
            f" ({len(findings['failing_also_clean'])} of their executions failed under faults):",
        ]
        lines += [
            f"- {f['nodeid']}: [{f['category']}] {f['message']}"
            for f in findings["clean"]["failures"]
        ]
    if findings["failures"]:
        lines += ["", "Failures under faults:"]
        lines += [
            f"- run {f['run']}: {f['nodeid']}: [{f['category']}] {f['message']}"
            for f in findings["failures"]
        ]
    if findings["duplicates"]:
        lines += ["", "Duplicate executions:"]
        lines += [f"- {json.dumps(d)}" for d in findings["duplicates"]]
    return "\n".join(lines)


def passed(findings: dict[str, Any]) -> bool:
    """The audit passes with no failure, no stopped run and no duplicate execution."""
    return not findings["failures"] and not findings["runs_stopped"] and not findings["duplicates"]
