"""`python -m trust <command>`: flake-audit, defects, sandbox, proxy, drift, benchmarks, speed,
coverage, latency-gate, mutation, load, concurrency.

See docs/trust.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from trust.mutants import MutantId

#: where the commands write their machine-readable results
RESULTS_DIR = Path("reports") / "trust"
#: the record of equivalent mutants
EQUIVALENTS_FILE = Path("trust") / "mutation_equivalents.toml"
#: the API contract, beside the project's folder as the team shares it
CONTRACT_FILE = Path("..") / "shared" / "trading-api.md"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"trust: {message} (see python -m trust --help)\n")


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0 < rate < 1:
        raise argparse.ArgumentTypeError(
            f"must be a share between 0 and 1 (0.10 is 10%), not {text!r}"
        )
    return rate


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}")
    return int(text)


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _flake_audit(args: argparse.Namespace) -> int:
    from framework.settings import load_settings
    from trust.flake import AuditOptions, audit, passed, render

    options = AuditOptions(
        max_attempts=load_settings().api_max_attempts,
        runs=args.runs,
        rate=args.rate,
        seed=args.seed,
        workers=args.workers,
        logs=RESULTS_DIR / "flake-logs",
    )
    findings = audit(options, progress=lambda line: print(line, flush=True))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "flake-audit.json").write_text(json.dumps(findings, indent=2) + "\n")
    print()
    print(render(findings))
    return 0 if passed(findings) else 1


def _defect(text: str) -> str:
    from trust.defects import UnknownDefectError, find

    try:
        return find(text).name
    except UnknownDefectError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _upstream(text: str) -> str:
    from trust.proxy import UPSTREAM_URL

    if not UPSTREAM_URL.fullmatch(text):
        # Not echoed: a URL with credentials or a query may carry a secret.
        raise argparse.ArgumentTypeError(
            "must be the API's base URL: http:// or https://, a host and maybe a path, with no"
            " credentials, query or fragment (http://127.0.0.1:8000)"
        )
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 (any free port) to 65535, not {text!r}")
    return int(text)


def _defects(args: argparse.Namespace) -> int:
    from trust import kill_matrix
    from trust.defects import catalogue_text
    from trust.seeded import render, run_clean, run_defects

    if args.list:
        print(catalogue_text())
        return 0

    def progress(line: str) -> None:
        print(line, flush=True)

    clean = run_clean(workers=args.workers, progress=progress)
    print("| defect | section | expected | result | categories given | match |", flush=True)
    verdicts = run_defects(args.only, workers=args.workers, progress=progress)
    matrix = kill_matrix.build(clean, verdicts)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "defects.md").write_text(
        f"{render(verdicts)}\n\n{kill_matrix.render(matrix, shown=None)}\n", encoding="utf-8"
    )
    (RESULTS_DIR / "kill-matrix.json").write_text(
        json.dumps(matrix.as_json(), indent=2) + "\n", encoding="utf-8"
    )
    print()
    print(render(verdicts))
    print()
    print(kill_matrix.render(matrix))
    print(f"\nEvery scenario of the matrix: {RESULTS_DIR / 'defects.md'}")
    return 0 if all(found.ok for found in verdicts) else 1


def _sandbox(args: argparse.Namespace) -> int:
    from sandbox.__main__ import main as serve_sandbox
    from trust.defects import WrongToolError, find, seed

    try:
        rules = seed(find(args.defect))
    except WrongToolError as exc:
        print(f"trust: {exc}", file=sys.stderr)
        return 2
    return serve_sandbox(args.sandbox_options, rules=rules)


def _proxy(args: argparse.Namespace) -> int:
    from trust.defects import Wire, find
    from trust.proxy import ProxyStartError, serve

    wire = find(args.defect).made_by
    if not isinstance(wire, Wire):
        print(
            f"trust: {args.defect} is made inside the sandbox, not on the wire: start a sandbox"
            f" with it, `python -m trust sandbox --defect {args.defect}`",
            file=sys.stderr,
        )
        return 2
    parent = os.getppid() if args.exit_with_parent else None
    try:
        serve(upstream=args.upstream, wire=wire, host=args.host, port=args.port, parent=parent)
    except ProxyStartError as exc:
        print(f"trust: {exc}", file=sys.stderr)
        return 1
    return 0


def _drift(args: argparse.Namespace) -> int:
    from trust.drift import compare, explained
    from trust.openapi_source import DocumentError, fetch_document

    try:
        document, source = fetch_document(url=args.url, file=args.file)
    except DocumentError as exc:
        print(f"trust: {exc}", file=sys.stderr)
        return 2
    differences = compare(document)
    unexplained = [d for d in differences if explained(d) is None]
    print(f"drift check of {source} against models/:")
    for difference in differences:
        reason = explained(difference)
        print(f"  {difference}" + (f"\n    explained: {reason}" if reason else ""))
    print(
        f"{len(unexplained)} difference(s), {len(differences) - len(unexplained)} explained"
        if differences
        else "no differences"
    )
    return 1 if unexplained else 0


def _benchmarks(args: argparse.Namespace) -> int:
    from trust.benchmarks import measure, render, write

    measured = measure(args.rounds, progress=lambda line: print(line, flush=True))
    section = render(measured, rounds=args.rounds, load=os.getloadavg())
    write(args.output, section)
    print(section)
    return 0


def _concurrency(args: argparse.Namespace) -> int:
    from trust import concurrency
    from trust.benchmarks import write

    measured = concurrency.measure(
        args.rounds, args.duration, progress=lambda line: print(line, flush=True)
    )
    section = concurrency.render(
        measured, rounds=args.rounds, duration=args.duration, load=os.getloadavg()
    )
    write(args.output, section, begin=concurrency.BEGIN, end=concurrency.END)
    print(section)
    return 0


def _speed(args: argparse.Namespace) -> int:
    from trust import speed

    rounds = speed.measure(args.rounds, progress=lambda line: print(line, flush=True))
    section = speed.render(rounds, load=os.getloadavg())
    speed.write_section(args.output, section)
    print(section)
    return 0


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a percentage from 0 to 100, not {text!r}")
    return value


def _read_run_data(folders: list[Path], name: str) -> list[str]:
    """The ``name`` file of each folder's last run (or the file given); ``OSError`` with a
    one-line reason when there is none, ``RunDataError`` when it is another run's."""
    from reporting.artifacts import read_run_data

    texts = []
    for given in folders:
        folder = given if given.is_dir() else given.parent
        text = read_run_data(folder, name if given.is_dir() else given.name)
        if text is None:
            raise OSError(
                f"no {name} of the last run in {folder}: run the suite first (make acceptance), "
                "or pass the folder of a run's summary or Allure results with --results"
            )
        texts.append(text)
    return texts


def _coverage(args: argparse.Namespace) -> int:
    from reporting.artifacts import RunDataError
    from trust.coverage import COVERAGE_FILE, Coverage, percent

    try:
        runs = [Coverage.from_json(text) for text in _read_run_data(args.results, COVERAGE_FILE)]
        coverage = runs[0]
        for run in runs[1:]:
            coverage = coverage.merged(run)
    except (OSError, RunDataError) as exc:
        print(f"trust: {exc}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, TypeError) as exc:
        print(f"trust: not the coverage data of a run ({exc!r}); rerun the suite", file=sys.stderr)
        return 2
    print(coverage.text())
    shortfalls = [
        f"{what} {percent(*counts):.1f}% < {minimum:g}%"
        for what, counts, minimum in (
            ("operations", coverage.operations, args.min_operations),
            ("statuses", coverage.statuses, args.min_statuses),
        )
        if percent(*counts) < minimum
    ]
    if shortfalls:
        print(f"coverage below the bar: {'; '.join(shortfalls)}")
    return 1 if shortfalls else 0


def _latency_gate(args: argparse.Namespace) -> int:
    from reporting.artifacts import RunDataError
    from trust.latency import (
        LATENCY_FILE,
        BudgetError,
        Judgement,
        Latency,
        judge,
        load_budgets,
        render_verdicts,
    )

    try:
        runs = [Latency.from_json(text) for text in _read_run_data(args.results, LATENCY_FILE)]
        latency = runs[0]
        for run in runs[1:]:
            latency = latency.merged(run)
        budgets = load_budgets(args.budgets, known=latency.operations)
    except (OSError, BudgetError, RunDataError) as exc:
        print(f"trust: {exc}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, TypeError) as exc:
        print(f"trust: not the latency data of a run ({exc!r}); rerun the suite", file=sys.stderr)
        return 2
    verdicts = judge(latency, budgets)
    print(f"latency per attempt (ms) against {args.budgets}:")
    print(render_verdicts(verdicts))
    return 1 if any(v.judgement is Judgement.OVER for v in verdicts) else 0


def _module(text: str) -> str:
    from trust.suite import PROJECT_ROOT

    path = Path(text)
    if path.suffix != ".py" or path.is_absolute() or not (PROJECT_ROOT / path).is_file():
        raise argparse.ArgumentTypeError(
            f"must be a Python file of the project, as a path from its root"
            f" (sandbox/service.py), not {text!r}"
        )
    return path.as_posix()


def _interrupt(number: int, frame: object) -> NoReturn:
    """SIGTERM stops a run as Ctrl-C does, so that it cleans up after itself."""
    raise KeyboardInterrupt(signal.Signals(number).name)


def _names(path: Path) -> tuple[MutantId, ...]:
    """The mutants a report.json lists; ValueError in one line when it is not one."""
    from trust.mutants import MutantId

    try:
        items = json.loads(path.read_text("utf-8"))["mutants"]
        return tuple(
            MutantId(
                file=item["file"],
                function=item["function"],
                operator=item["operator"],
                text=item["text"],
                occurrence=item["occurrence"],
            )
            for item in items
        )
    except (ValueError, KeyError, TypeError):
        raise ValueError(
            f"{path} is not a mutation report's JSON (reports/trust/mutation/report.json)"
        ) from None


def _mutation(args: argparse.Namespace) -> int:
    from trust import equivalents
    from trust.mutants import GitError, all_mutants
    from trust.mutation import (
        SANDBOX_MODULES,
        UNRELATED,
        BaselineError,
        Selection,
        Target,
        acceptance_command,
        run,
    )
    from trust.mutation_report import Report, as_json, compare, judge, render
    from trust.suite import PROJECT_ROOT

    if args.sample is None and args.since is None and not args.all and args.mutants is None:
        print(
            "trust: choose the mutants: --sample N [--seed S], --since REF, --mutants REPORT"
            " or --all (a full run of the sandbox takes hours; see docs/trust.md)",
            file=sys.stderr,
        )
        return 2
    try:
        entries = equivalents.load(args.equivalents)
        before = json.loads(args.compare.read_text("utf-8")) if args.compare else None
        names = None if args.mutants is None else (_names(args.mutants), str(args.mutants))
    except (equivalents.EquivalenceFileError, OSError, ValueError, KeyError, TypeError) as exc:
        print(f"trust: {exc!s}".rstrip(), file=sys.stderr)
        return 2
    modules = tuple(dict.fromkeys(args.module or SANDBOX_MODULES))
    target = Target(
        root=PROJECT_ROOT,
        modules=modules,
        command=acceptance_command(args.workers),
        unrelated=UNRELATED,
    )
    selection = Selection(sample=args.sample, seed=args.seed, since=args.since, named=names)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        finished = run(
            target,
            selection,
            args.session,
            progress=lambda line: print(line, flush=True),
            listing=args.list,
            recheck=args.recheck,
        )
    except (GitError, BaselineError) as exc:
        print(f"trust: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trust: mutation run interrupted before any mutant ran", file=sys.stderr)
        return 130
    if args.list:
        print(finished.selection)
        for each in finished.done:
            print(f"  {each.mutant.id}")
        return 0
    contract = args.contract.read_text("utf-8") if args.contract.is_file() else None
    unquoted = equivalents.unquoted(entries, contract) if contract is not None else []
    report = Report(
        title=f"Mutation testing of {', '.join(modules)} by the acceptance suite",
        selection=f"{finished.selection} cosmic-ray {_version('cosmic-ray')}, every core operator.",
        judged=tuple(judge(finished.done, [e for e in entries if e not in unquoted])),
        stale=tuple(
            equivalents.stale(
                [e for e in entries if e.mutant.file in modules],
                [m.id for m in all_mutants(PROJECT_ROOT, modules)],
            )
        ),
        unquoted=tuple(unquoted),
        contract_checked=contract is not None,
        baseline_seconds=finished.baseline_seconds,
    )
    text = render(report)
    folder = RESULTS_DIR / "mutation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(text, encoding="utf-8")
    (folder / "report.json").write_text(json.dumps(as_json(report), indent=2) + "\n", "utf-8")
    print()
    print(text)
    if before is not None:
        print(compare(before, as_json(report)))
    if finished.interrupted:
        print(
            "trust: mutation run interrupted; every finished mutant is kept in the session:"
            " the same command goes on from there",
            file=sys.stderr,
        )
        return 130
    return 0 if report.clean else 1


_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(s|m|h)?")
_UNITS = {"s": 1, "m": 60, "h": 3600}


def _duration(text: str) -> float:
    match = _DURATION.fullmatch(text.strip())
    seconds = float(match[1]) * _UNITS[match[2] or "s"] if match else 0.0
    if not seconds:
        raise argparse.ArgumentTypeError(
            f"must be a positive time in seconds, minutes or hours (60s, 10m, 1h), not {text!r}"
        )
    return seconds


def _spawn_rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 10_000:
        raise argparse.ArgumentTypeError(
            f"must be users started a second, more than 0 (0.5, 10), not {text!r}"
        )
    return rate


def _pause(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        pause = (float(low), float(high or low))
    except ValueError:
        pause = (-1.0, -1.0)
    if not 0 <= pause[0] <= pause[1] <= 3600:
        raise argparse.ArgumentTypeError(
            f"must be seconds or a range of them (0.1-0.5; 0 for no pause), not {text!r}"
        )
    return pause


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) > 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 64, not {text!r}")
    return int(text)


def _load(args: argparse.Namespace) -> int:
    if args.worker and (args.master_host is None or not args.master_port):
        print(
            "trust: a worker needs the master's address: --master-host HOST --master-port N",
            file=sys.stderr,
        )
        return 2
    if args.customers is not None and not args.customers.is_file():
        print(f"trust: --customers {args.customers}: no such file", file=sys.stderr)
        return 2
    # Imported only now: Locust patches the process with gevent, and a bad option is told at once.
    from trust import load

    if args.worker:
        return load.run_worker(args.master_host, args.master_port)
    options = load.LoadOptions(
        users=args.users,
        spawn_rate=args.spawn_rate if args.spawn_rate is not None else float(args.users),
        duration=args.duration,
        seed=args.seed,
        workers=args.workers,
        remote_workers=args.remote_workers,
        master_bind=args.master_bind,
        master_port=args.master_port or 0,
        web=args.web,
        web_port=args.web_port,
        allow_real_target=args.allow_real_target,
        customers=args.customers,
        accounts=args.accounts,
        profile=args.profile,
        output=args.output,
        defect=args.defect,
        **({"pause": args.pause} if args.pause is not None else {}),
    )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return load.main(options)
    except KeyboardInterrupt:
        print("trust: load run interrupted; nothing was judged", file=sys.stderr)
        return 130


def _add_load(commands: Any) -> None:
    loading = commands.add_parser(
        "load",
        help="load or soak the API with the suite's journeys (Locust); money checked after",
        description="Users take the suite's journeys (trust/journeys.py) against API_URL or a"
        " sandbox started for the run, on Locust; afterwards every account is checked for"
        " money conservation and the figures against the load profile. Exit status: 0 held,"
        " 1 money not conserved (a product defect), 3 a profile limit broken (a performance"
        " finding), 2 the run could not be made.",
    )
    loading.add_argument("--users", type=_count, default=10, help="concurrent users (default 10)")
    loading.add_argument(
        "--spawn-rate", type=_spawn_rate, metavar="R", help="users started a second (default: all)"
    )
    loading.add_argument(
        "--duration", type=_duration, default=60.0, help="60s, 10m, 1h (default 60s)"
    )
    loading.add_argument("--seed", type=_seed, default=0, help="the users' random seed")
    loading.add_argument(
        "--pause",
        type=_pause,
        metavar="S",
        help="seconds between two journeys of a user, a range (default 0.1-0.5; 0: none)",
    )
    loading.add_argument(
        "--workers", type=_workers, default=0, help="Locust workers on this machine (default 0)"
    )
    loading.add_argument(
        "--remote-workers",
        type=_workers,
        default=0,
        metavar="N",
        help="Locust workers to wait for from other machines (see the README)",
    )
    loading.add_argument(
        "--master-bind", default="127.0.0.1", metavar="HOST", help="where the master listens"
    )
    loading.add_argument(
        "--master-port", type=_port, metavar="N", help="the master's port (default: a free one)"
    )
    loading.add_argument("--web", action="store_true", help="serve Locust's web UI during the run")
    loading.add_argument("--web-port", type=_port, default=8089, help="its port (default 8089)")
    loading.add_argument(
        "--allow-real-target",
        action="store_true",
        help="load an API that is not a sandbox (it opens accounts there unless --customers)",
    )
    loading.add_argument(
        "--customers",
        type=Path,
        metavar="FILE",
        help="the customers to act as, one username and password a line"
        " (needed with SUITE_OPEN_ACCOUNTS=false)",
    )
    loading.add_argument(
        "--accounts",
        type=_count,
        metavar="N",
        help="accounts the run opens for its users (default: one for every two users)",
    )
    loading.add_argument(
        "--profile",
        type=Path,
        default=Path("load-profile.toml"),
        help="the load profile (default: %(default)s)",
    )
    loading.add_argument(
        "--output", type=Path, default=Path("reports/load"), help="default: %(default)s"
    )
    loading.add_argument(
        "--defect",
        type=_defect,
        metavar="NAME",
        help="seed this defect into the sandbox the run starts (python -m trust defects --list)",
    )
    loading.add_argument("--worker", action="store_true", help="be a worker of a load master")
    loading.add_argument("--master-host", metavar="HOST", help="a worker's master")
    loading.set_defaults(run=_load)


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = _Parser(prog="python -m trust", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    flake = commands.add_parser("flake-audit", help="the suite N times under injected faults")
    flake.add_argument("--runs", type=_count, default=20, help="chaos runs (default 20)")
    flake.add_argument("--rate", type=_rate, default=0.10, help="share of requests faulted")
    flake.add_argument("--seed", type=int, default=1, help="seed of the first run (then +1 …)")
    flake.add_argument("--workers", default="2", help="pytest -n value (default 2)")
    flake.set_defaults(run=_flake_audit)
    seeded = commands.add_parser("defects", help="the suite once per seeded defect")
    seeded.add_argument(
        "--only", nargs="+", type=_defect, default=[], metavar="NAME", help="these defects"
    )
    seeded.add_argument("--workers", default="auto", help="pytest -n value (default auto)")
    seeded.add_argument("--list", action="store_true", help="print the catalogue and stop")
    seeded.set_defaults(run=_defects)
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the sandbox with one defect of its rules or seams",
        description="Serve the sandbox with one seeded defect; every other option is the"
        " sandbox's own (python -m sandbox --help).",
    )
    sandbox.add_argument("--defect", type=_defect, required=True, metavar="NAME")
    sandbox.set_defaults(run=_sandbox)
    proxy = commands.add_parser(
        "proxy",
        help="a reverse proxy that seeds one wire defect in front of an API",
        description="Forward every request to the upstream API and pass its answers back,"
        " changed only as the defect says (resets and lost answers pass through too).",
    )
    proxy.add_argument("--defect", type=_defect, required=True, metavar="NAME")
    proxy.add_argument(
        "--upstream", type=_upstream, required=True, metavar="URL", help="the API's base URL"
    )
    proxy.add_argument("--host", default="127.0.0.1", help="address to listen on")
    proxy.add_argument("--port", type=_port, default=8001, help="0 picks a free port")
    proxy.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop as soon as the process that started this one has ended",
    )
    proxy.set_defaults(run=_proxy)
    drift = commands.add_parser("drift", help="the target's OpenAPI document against models/")
    source = drift.add_mutually_exclusive_group()
    source.add_argument("--url", help="the API's base URL (default: start a sandbox)")
    source.add_argument("--file", type=Path, help="a saved OpenAPI document (JSON)")
    drift.set_defaults(run=_drift)
    bench = commands.add_parser("benchmarks", help="suite wall time: variants side by side")
    bench.add_argument("--rounds", type=_count, default=3, help="interleaved rounds (default 3)")
    bench.add_argument(
        "--output", type=Path, default=Path("docs/BENCHMARKS.md"), help="the document to update"
    )
    bench.set_defaults(run=_benchmarks)
    concurrent = commands.add_parser(
        "concurrency",
        help="sandbox throughput and p95 at 1-64 users, the suite at -n 1/2/4, side by side",
    )
    concurrent.add_argument("--rounds", type=_count, default=2, help="rounds (default 2)")
    concurrent.add_argument(
        "--duration", type=_duration, default=20.0, help="seconds of load a variant (default 20s)"
    )
    concurrent.add_argument(
        "--output", type=Path, default=Path("docs/BENCHMARKS.md"), help="the document to update"
    )
    concurrent.set_defaults(run=_concurrency)
    fast = commands.add_parser(
        "speed", help="one scenario, the suite at -n 0/2/auto, chaos, the client's floor"
    )
    fast.add_argument("--rounds", type=_count, default=3, help="rotated rounds (default 3)")
    fast.add_argument(
        "--output", type=Path, default=Path("docs/BENCHMARKS.md"), help="the document to update"
    )
    fast.set_defaults(run=_speed)
    results_help = (
        "a run's summary or Allure results folder; repeat to merge CI shards (default: reports)"
    )
    cover = commands.add_parser("coverage", help="documented operations and statuses a run used")
    cover.add_argument("--results", type=Path, action="append", metavar="FOLDER", help=results_help)
    cover.add_argument(
        "--min-operations",
        type=_percent,
        default=0.0,
        metavar="PCT",
        help="exit 1 when fewer documented operations were exercised (default 0: report only)",
    )
    cover.add_argument(
        "--min-statuses",
        type=_percent,
        default=0.0,
        metavar="PCT",
        help="exit 1 when fewer documented statuses were received (default 0: report only)",
    )
    cover.set_defaults(run=_coverage)
    gate = commands.add_parser("latency-gate", help="a run's p95 per operation against budgets")
    gate.add_argument("--results", type=Path, action="append", metavar="FOLDER", help=results_help)
    gate.add_argument(
        "--budgets",
        type=Path,
        default=Path("latency-budgets.toml"),
        help="the budgets file (default: %(default)s)",
    )
    gate.set_defaults(run=_latency_gate)
    mutation = commands.add_parser(
        "mutation",
        help="mutants of the sandbox (cosmic-ray) against the acceptance suite: the score",
        description="Mutate the sandbox's business modules in a scratch copy of the project,"
        " one mutant at a time, and run the acceptance suite against a sandbox started from"
        " the copy, stopping at its first failure. A run resumes the last one when the files"
        " and the selection are the same.",
    )
    mutation.add_argument("--sample", type=_count, metavar="N", help="a sample of N mutants")
    mutation.add_argument(
        "--seed", type=_seed, default=0, metavar="S", help="the sample's seed (default 0)"
    )
    mutation.add_argument(
        "--since", metavar="REF", help="only mutants in lines changed since this git ref"
    )
    mutation.add_argument("--all", action="store_true", help="every mutant (hours)")
    mutation.add_argument(
        "--mutants",
        type=Path,
        metavar="REPORT",
        help="the mutants an earlier report.json lists (those still in the code): the same"
        " mutants again, however the code moved",
    )
    mutation.add_argument(
        "--module",
        action="append",
        type=_module,
        metavar="PATH",
        help="a module to mutate instead of the business modules (repeat for more)",
    )
    mutation.add_argument("--workers", default="2", help="pytest -n value (default 2)")
    mutation.add_argument(
        "--session",
        type=Path,
        default=RESULTS_DIR / "mutation" / "session.sqlite",
        help="the cosmic-ray session to resume or start (default: %(default)s)",
    )
    mutation.add_argument(
        "--equivalents",
        type=Path,
        default=EQUIVALENTS_FILE,
        help="the record of equivalent mutants (default: %(default)s)",
    )
    mutation.add_argument(
        "--contract",
        type=Path,
        default=CONTRACT_FILE,
        help="the API contract that kind c entries quote (default: %(default)s)",
    )
    mutation.add_argument(
        "--compare", type=Path, metavar="JSON", help="an earlier report.json: what moved since"
    )
    mutation.add_argument("--list", action="store_true", help="print the selected mutants and stop")
    mutation.add_argument(
        "--recheck",
        action="store_true",
        help="after scenarios were added: keep the last session's kills of the mutants"
        " selected now and judge only the others",
    )
    mutation.set_defaults(run=_mutation)
    _add_load(commands)
    # Options after `sandbox --defect NAME` are the sandbox's own: its parser judges them.
    arguments, rest = parser.parse_known_args(argv)
    if rest and arguments.command != "sandbox":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    arguments.sandbox_options = rest
    if getattr(arguments, "results", "absent") is None:
        arguments.results = [Path("reports")]
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status says whether what it checks held."""
    args = parse(sys.argv[1:] if argv is None else argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
