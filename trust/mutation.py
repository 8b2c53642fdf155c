"""Mutation testing with cosmic-ray, in a scratch copy of the project: the run and its session.

A run copies the project's files (those git tracks or would track) to a temporary folder,
and cosmic-ray mutates that copy, one mutant at a time, running the test command from it
after each mutation (`cosmic_ray.mutating.mutate_and_test`: the mutation is written, the
command runs, the file is put back). The checkout is only read. The copy is removed when
the run ends, however it ends; a run killed outright leaves a folder in the system's
temporary directory and nothing in the project. The test command's temporary files (a
sandbox's database and log) go to a folder inside the copy, emptied after each mutant, so
that what a process killed there leaves behind goes with it.

Results go to a cosmic-ray session (its SQLite work database, so `cr-report` reads it)
after each mutant. A run with the same selection over the same files resumes the session,
running only what it has not done; anything else starts a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cosmic_ray.mutating import mutate_and_test, mutate_code
from cosmic_ray.plugins import get_operator
from cosmic_ray.testing import run_tests
from cosmic_ray.work_db import WorkDB
from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkItem, WorkResult

from trust.mutants import (
    GitError,
    Mutant,
    MutantId,
    all_mutants,
    changed_lines,
    named,
    sample,
    since,
)

#: seconds a test command may take at least, before it counts as hung (and the mutant killed)
MIN_TIMEOUT = 120
#: a test command may take this many times the unmutated run before it counts as hung
TIMEOUT_FACTOR = 3
#: characters of a test command's output kept per mutant (its end: the failure summary)
OUTPUT_KEPT = 4000
#: seconds a test command gets to stop after SIGTERM when the run is interrupted
STOP_WAIT = 10
#: the folder of the scratch copy that is the test command's TMPDIR (a relative path)
TEMPORARY = ".tmp"

Progress = Callable[[str], object]


@dataclass(frozen=True, kw_only=True)
class Target:
    """What to mutate, and the command that judges each mutant from the scratch copy.

    `command(folder)` is the test command's argument list, run with the scratch copy's
    root `folder` as its working directory; it exits 0 when the tests pass.
    """

    root: Path
    modules: tuple[str, ...]
    command: Callable[[Path], list[str]]
    #: folders (`docs/`) whose files judge no mutant: editing them does not end a session
    unrelated: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Done:
    """What happened to one mutant."""

    mutant: Mutant
    outcome: str  #: killed, survived, annotation or invalid (never run), error, pending
    seconds: float | None = None
    killed_by: str = ""  #: the first failing test, or why the run stopped
    diff: str = ""


class BaselineError(RuntimeError):
    """The test command fails with no mutant at all; the message shows how."""


def project_files(root: Path) -> list[str]:
    """The files git tracks or would track (not ignored ones), that exist, from the root."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and (root / name).is_file()})


@contextmanager
def scratch_copy(root: Path, files: Sequence[str]) -> Iterator[Path]:
    """A temporary copy of these files of the project, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="trust-mutation-"))
    try:
        for name in files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, folder / name)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fingerprint(root: Path, files: Sequence[str], *parts: str) -> str:
    """What a session's results depend on: these files' names and contents, and `parts`."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def job_id(mutant: Mutant) -> str:
    """The mutant's job in the session: derived from its name, so a resume finds it."""
    return hashlib.sha256(str(mutant.id).encode()).hexdigest()[:32]


class Session:
    """A cosmic-ray work database and, beside its tables, what this tool adds per mutant."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.work = WorkDB(str(path), WorkDB.Mode.create)
        self._db = sqlite3.connect(path)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS trust_session (key TEXT, value TEXT)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS trust_mutant (job_id TEXT PRIMARY KEY,"
                " seconds REAL, killed_by TEXT)"
            )

    def close(self) -> None:
        """Close both connections."""
        self._db.close()
        self.work.close()

    def get(self, name: str) -> str | None:
        """A value kept with the session: its `key`, the `baseline` run's seconds."""
        row = self._db.execute("SELECT value FROM trust_session WHERE key = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, name: str, value: str) -> None:
        """Keep a value with the session."""
        with self._db:
            self._db.execute("DELETE FROM trust_session WHERE key = ?", (name,))
            self._db.execute("INSERT INTO trust_session VALUES (?, ?)", (name, value))

    def start(self, selection: str, files: str, mutants: Sequence[Mutant]) -> None:
        """Forget everything and hold these mutants, none run yet (annotations set aside).

        `selection` and `files` are the keys a resume must match (`session_keys`).
        """
        with self._db:
            self._db.execute("DELETE FROM trust_session")
            self._db.execute("DELETE FROM trust_mutant")
        self._hold(mutants)
        self.set("selection", selection)
        self.set("files", files)

    def _hold(self, mutants: Sequence[Mutant]) -> None:
        self.work.clear()
        self.work.add_work_items(
            WorkItem.single(
                job_id(mutant),
                MutationSpec(
                    module_path=Path(mutant.id.file),
                    operator_name=mutant.operator_name,
                    occurrence=mutant.occurrence,
                    start_pos=mutant.start,
                    end_pos=mutant.end,
                    definition_name=mutant.id.function,
                ),
            )
            for mutant in mutants
        )
        aside = [job_id(mutant) for mutant in mutants if mutant.in_annotation]
        if aside:
            self.work.set_multiple_results(
                aside,
                WorkResult(
                    worker_outcome=WorkerOutcome.SKIPPED,
                    output="in a type annotation, which the module never evaluates",
                ),
            )

    def recheck(self, selection: str, files: str, mutants: Sequence[Mutant]) -> int:
        """Hold these mutants, keeping the kills the session has of them: how many.

        Sound only when what changed since can kill more mutants, not fewer: scenarios
        added, none weakened, and the killed mutants' code unchanged (their names say so).
        """
        wanted = {job_id(mutant) for mutant in mutants}
        kept = {
            job: entry
            for job, entry in self.results().items()
            if job in wanted and _verdict(entry[0]) in ("killed", "invalid")
        }
        self._hold(mutants)
        with self._db:
            self._db.execute("DELETE FROM trust_mutant")
        for job, (result, seconds, killed_by) in kept.items():
            self.record(job, result, seconds or 0.0, killed_by)
        self.set("selection", selection)
        self.set("files", files)
        return sum(_verdict(entry[0]) == "killed" for entry in kept.values())

    def record(self, job: str, result: WorkResult, seconds: float, killed_by: str) -> None:
        """Keep one mutant's result."""
        self.work.set_result(job, result)
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO trust_mutant VALUES (?, ?, ?)", (job, seconds, killed_by)
            )

    def results(self) -> dict[str, tuple[WorkResult, float | None, str]]:
        """Each finished job's result, seconds and first failure."""
        extra = {
            row[0]: (row[1], row[2] or "")
            for row in self._db.execute("SELECT job_id, seconds, killed_by FROM trust_mutant")
        }
        return {job: (result, *extra.get(job, (None, ""))) for job, result in self.work.results}


def first_failure(output: str) -> str:
    """The first failing test of pytest's short summary, else the output's last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 1)[1].split(" - ", 1)[0]
    return lines[-1][:300] if lines else "the test command printed nothing"


def _children() -> list[int]:
    """The processes this one started that are still running."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces or parentheses: fields start after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(entry.name))
    return found


def stop_test_commands() -> None:
    """End the test command still running, with all it started (its process group).

    cosmic-ray starts each test command in a session of its own, out of reach of the
    terminal's Ctrl-C, so an interrupted run must end it itself.
    """
    groups = [pid for pid in _children() if _group(pid) == pid]
    for group in groups:
        _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    while any(_alive(group) for group in groups) and time.monotonic() < deadline:
        time.sleep(0.1)
    for group in groups:
        _signal_group(group, signal.SIGKILL)


def end_leftovers(folder: Path) -> list[int]:
    """Kill every process still running from the copy: what a mutant left behind.

    A sandbox runs in a session of its own and stops when its runner ends; a mutant can
    leave it unable to (an event loop that never yields), out of reach of the test
    command's process group. Returns the ids of the processes killed.
    """
    killed = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").readlink()
        except OSError:
            continue
        if cwd == folder or folder in cwd.parents:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed


def empty_temporary(folder: Path) -> Path:
    """The copy's temporary folder, emptied (made when missing): what the test command's
    processes left there, a sandbox's database of one that had to be killed among it."""
    temporary = folder / TEMPORARY
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    return temporary


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return waited == 0


def _signal_group(group: int, number: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(group, number)


def baseline(command: list[str]) -> float:
    """Seconds the test command takes on the unmutated copy; `BaselineError` if it fails."""
    started = time.perf_counter()
    outcome, output = run_tests(shlex.join(command), None)
    if outcome is not TestOutcome.SURVIVED:
        tail = "\n".join(str(output).strip().splitlines()[-15:])
        raise BaselineError(
            "the tests fail with no mutant at all, so no mutant can be judged; fix that first."
            f" The end of their output:\n{tail}"
        )
    return time.perf_counter() - started


def _relative(result: WorkResult, folder: Path) -> WorkResult:
    """The result with the scratch folder taken out of its diff, and its output's end only."""
    return WorkResult(
        worker_outcome=result.worker_outcome,
        test_outcome=result.test_outcome,
        output=(result.output or "")[-OUTPUT_KEPT:],
        diff=(result.diff or "").replace(f"{folder}/", ""),
    )


def execute(
    target: Target,
    folder: Path,
    session: Session,
    mutants: Sequence[Mutant],
    *,
    progress: Progress = print,
) -> None:
    """Run the session's pending mutants against the copy in `folder`, recording each."""
    finished = session.results()
    runnable = [m for m in mutants if not m.in_annotation]
    pending = [m for m in runnable if job_id(m) not in finished]
    done = len(runnable) - len(pending)
    if not pending:
        return
    # `env` first, so the variable reaches the command whatever it is.
    command = ["env", f"TMPDIR={empty_temporary(folder)}", *target.command(folder)]
    if done:
        progress(f"resuming the session: {done} of {len(runnable)} mutants already run")
    progress("the tests on the unmutated copy first …")
    seconds = baseline(command)
    end_leftovers(folder)
    empty_temporary(folder)
    session.set("baseline", f"{seconds:.3f}")
    timeout = max(MIN_TIMEOUT, TIMEOUT_FACTOR * seconds)
    progress(f"they pass in {seconds:.1f} s; a mutant's run is stopped after {timeout:.0f} s")
    try:
        for mutant in pending:
            spec = MutationSpec(
                module_path=folder / mutant.id.file,
                operator_name=mutant.operator_name,
                occurrence=mutant.occurrence,
                start_pos=mutant.start,
                end_pos=mutant.end,
            )
            started = time.perf_counter()
            result = invalid(folder, mutant) or mutate_and_test(
                [spec], shlex.join(command), timeout
            )
            took = time.perf_counter() - started
            killed_by = ""
            if result.test_outcome is TestOutcome.KILLED:
                killed_by = (
                    "timed out" if result.output == "timeout" else first_failure(result.output)
                )
            left = end_leftovers(folder)
            if left:
                progress(f"killed {len(left)} process(es) the mutant left running: {left}")
            empty_temporary(folder)
            session.record(job_id(mutant), _relative(result, folder), took, killed_by)
            done += 1
            progress(_line(done, len(runnable), mutant, result, took, killed_by))
    except BaseException:
        stop_test_commands()
        end_leftovers(folder)
        raise


def invalid(folder: Path, mutant: Mutant) -> WorkResult | None:
    """The result of a mutant that is not valid Python (not run: nothing could judge it).

    Some of cosmic-ray's mutants do not compile (`def f(a, //, b)` from the bare `*` of
    keyword-only parameters); a sandbox made of one would not even start.
    """
    path = folder / mutant.id.file
    operator = get_operator(mutant.operator_name)()
    mutated = mutate_code(path.read_text(encoding="utf-8"), operator, mutant.occurrence)
    try:
        with warnings.catch_warnings():
            # `x is "text"` compiles with a warning: the run judges it, the output need not.
            warnings.simplefilter("ignore", SyntaxWarning)
            compile(mutated or "", str(path), "exec")
    except SyntaxError as exc:
        return WorkResult(
            worker_outcome=WorkerOutcome.NORMAL,
            test_outcome=TestOutcome.INCOMPETENT,
            output=f"not valid Python: {exc.msg} (line {exc.lineno})",
        )
    return None


def _verdict(result: WorkResult) -> str:
    if result.worker_outcome is WorkerOutcome.SKIPPED:
        return "annotation"
    if result.test_outcome is TestOutcome.INCOMPETENT and result.worker_outcome is (
        WorkerOutcome.NORMAL
    ):
        return "invalid"
    if result.worker_outcome is not WorkerOutcome.NORMAL:
        return "error"
    return "survived" if result.test_outcome is TestOutcome.SURVIVED else "killed"


def _line(n: int, total: int, mutant: Mutant, result: WorkResult, took: float, by: str) -> str:
    width = len(str(total))
    verdict = _verdict(result)
    tail = f" ← {by}" if by else ""
    return f"{n:>{width}}/{total} {verdict:<8} {took:6.1f} s  {mutant.id}{tail}"


def outcomes(session: Session, mutants: Sequence[Mutant]) -> list[Done]:
    """Each mutant's outcome in the session (pending when it has not run)."""
    finished = session.results()
    found = []
    for mutant in mutants:
        entry = finished.get(job_id(mutant))
        if entry is None:
            found.append(Done(mutant=mutant, outcome="pending"))
            continue
        result, seconds, killed_by = entry
        found.append(
            Done(
                mutant=mutant,
                outcome=_verdict(result),
                seconds=seconds,
                killed_by=killed_by,
                diff=result.diff or "",
            )
        )
    return found


def session_keys(target: Target, files: Sequence[str], selection: str) -> tuple[str, str]:
    """What a resume must match: the selection (with the modules and the test command's
    shape), and the content of the files that can change a verdict."""
    shape = json.dumps(target.command(Path("<copy>")))
    judging = [
        name for name in files if not name.endswith(".md") and not name.startswith(target.unrelated)
    ]
    return (
        hashlib.sha256("\0".join([selection, *target.modules, shape]).encode()).hexdigest(),
        fingerprint(target.root, judging),
    )


@dataclass(frozen=True, kw_only=True)
class Selection:
    """Which mutants a run takes: a sample, those on lines changed since a git ref, or all."""

    sample: int | None = None
    seed: int = 0
    since: str | None = None  #: a git ref
    #: the mutants a report names (a report.json), with the report's name
    named: tuple[tuple[MutantId, ...], str] | None = None

    def describe(self, chosen: int, total: int, since_commit: str | None) -> str:
        """One sentence, for the report and the session's key."""
        where = ""
        if self.since is not None:
            where = f" in lines changed since {self.since} ({(since_commit or '')[:12]})"
        if self.sample is not None:
            return (
                f"A sample of {chosen} of the {total} mutants{where}, drawn with seed {self.seed}."
            )
        return f"All {chosen} mutants{where}." if where else f"All {total} mutants."


def resolve(root: Path, ref: str) -> str:
    """The commit a git ref names; `GitError` with git's reason when it names none."""
    done = subprocess.run(  # noqa: S603 - git, with our own arguments
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise GitError(f"{ref!r} names no commit of this repository (git rev-parse)")
    return done.stdout.strip()


def choose(
    root: Path, mutants: Sequence[Mutant], selection: Selection, modules: Sequence[str]
) -> tuple[list[Mutant], str]:
    """The selected mutants and the sentence that describes them."""
    chosen = list(mutants)
    commit = None
    if selection.named is not None:
        names, source = selection.named
        chosen, gone = named(chosen, names)
        return chosen, (
            f"The {len(chosen)} mutants named by {source} that are still in the code"
            f" ({gone} of its {len(names)} are gone: their lines changed)."
        )
    if selection.since is not None:
        commit = resolve(root, selection.since)
        chosen = since(chosen, changed_lines(root, commit, modules))
    if selection.sample is not None:
        chosen = sample(chosen, selection.sample, selection.seed)
    return chosen, selection.describe(len(chosen), len(mutants), commit)


@dataclass(frozen=True, kw_only=True)
class Finished:
    """What a run leaves: every selected mutant's outcome so far, and how it ended."""

    done: list[Done]
    selection: str  #: the sentence describing the selection
    baseline_seconds: float | None  #: the unmutated run's, when the session has one
    interrupted: bool = False  #: stopped by Ctrl-C or SIGTERM: pending mutants remain


def run(
    target: Target,
    selection: Selection,
    session_path: Path,
    *,
    progress: Progress = print,
    listing: bool = False,
    recheck: bool = False,
) -> Finished:
    """Run the selected mutants (what the session has not done yet) and read every outcome.

    An interrupt (KeyboardInterrupt) ends the run between or during mutants; what finished
    is kept and returned. With `listing`, nothing runs: every selected mutant is pending.
    With `recheck`, a session of the same selection over other files keeps its kills and
    judges its survivors again (after scenarios were added).
    """
    files = project_files(target.root)
    with scratch_copy(target.root, files) as folder:
        mutants = all_mutants(folder, target.modules)
        chosen, described = choose(target.root, mutants, selection, target.modules)
        if listing:
            return Finished(
                done=[Done(mutant=m, outcome="pending") for m in chosen],
                selection=described,
                baseline_seconds=None,
            )
        selection_key, files_key = session_keys(target, files, described)
        session = Session(session_path)
        interrupted = False
        try:
            same = (session.get("selection"), session.get("files")) == (selection_key, files_key)
            if recheck and not same and session.get("selection") is not None:
                kept = session.recheck(selection_key, files_key, chosen)
                progress(f"keeping the session's {kept} kills of these mutants")
            elif not same:
                if session.get("selection") is not None:
                    progress("a new session: the files or the selection differ from the last one")
                session.start(selection_key, files_key, chosen)
            try:
                execute(target, folder, session, chosen, progress=progress)
            except KeyboardInterrupt:
                interrupted = True
            seconds = session.get("baseline")
            return Finished(
                done=outcomes(session, chosen),
                selection=described,
                baseline_seconds=None if seconds is None else float(seconds),
                interrupted=interrupted,
            )
        finally:
            session.close()


#: the sandbox's business modules: the trading rules, input validation, the sandbox's
#: in-memory state, idempotency keys and the request pipeline
SANDBOX_MODULES = (
    "sandbox/service.py",
    "sandbox/validation.py",
    "sandbox/controls.py",
    "sandbox/idempotency.py",
    "sandbox/app.py",
)
#: folders of the project that play no part in an acceptance run: the tools, their tests,
#: documents, CI set-up (Markdown files anywhere are left out too)
UNRELATED = ("trust/", "tests/trust/", "docs/", "benchmarks/", ".github/", ".ci/")
#: settings that point the suite at another API: a mutation run always starts its own
_TARGET_SETTINGS = ("API_URL", "API_USERNAME", "API_PASSWORD")


def acceptance_command(workers: str, select: Sequence[str] = ()) -> Callable[[Path], list[str]]:
    """The acceptance suite, run from the copy, against the sandbox it starts from the copy.

    It stops at its first failure (`-x`), in a fixed order (no random order), and never
    against a configured API: the settings that name one are removed. ``select`` adds
    pytest options that narrow the suite (``-k``, ``-m``).
    """

    def command(folder: Path) -> list[str]:
        unset = [part for name in _TARGET_SETTINGS for part in ("-u", name)]
        return [
            *("env", "-C", str(folder), *unset),
            *(sys.executable, "-m", "pytest", "tests/acceptance", "-m", "acceptance"),
            *("-x", "-n", workers),
            *("-p", "no:randomly", "-p", "no:cacheprovider", "-q", "--no-header", *select),
        ]

    return command
