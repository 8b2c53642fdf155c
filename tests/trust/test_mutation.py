"""Mutation testing: mutants named without line numbers, a scratch copy, a resumable session.

Most tests mutate a tiny module of a throwaway git project whose "tests" are one script
(milliseconds a mutant); one runs a mutant of the real sandbox against real scenarios.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from trust import equivalents
from trust.equivalents import EquivalenceFileError, Kind
from trust.mutants import GitError, MutantId, all_mutants, changed_lines, sample, since
from trust.mutation import (
    BaselineError,
    Done,
    Selection,
    Session,
    Target,
    acceptance_command,
    end_leftovers,
    execute,
    outcomes,
    project_files,
    run,
    scratch_copy,
)
from trust.mutation_report import Report, as_json, compare, judge, render
from trust.suite import PROJECT_ROOT

from .commands import python_module

LIMITS = '''"""Limits."""

from __future__ import annotations


def over(value: int, limit: int | None) -> bool:
    """Whether a value passes its limit (none: never)."""
    return limit is not None and value > limit
'''
#: the tiny project's tests: they never try a value equal to its limit
CHECK = """import limits
assert limits.over(5, 3)
assert not limits.over(1, 3)
assert not limits.over(5, None)
"""
#: the one mutant CHECK cannot kill: `>` made `>=`
BOUNDARY = MutantId(
    file="limits.py",
    function="over",
    operator="ReplaceComparisonOperator_Gt_GtE",
    text="return limit is not None and value ⟦>⟧ limit",
)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "limits.py").write_text(LIMITS)
    (root / "check.py").write_text(CHECK)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "limits")
    return root


def _target(root: Path, script: str = "check.py") -> Target:
    return Target(
        root=root,
        modules=("limits.py",),
        command=lambda folder: ["env", "-C", str(folder), sys.executable, script],
    )


def _digest(root: Path) -> str:
    return hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
    ).hexdigest()


def test_every_mutant_is_judged_in_a_copy_and_the_project_is_left_as_it_was(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "temporary"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = _digest(project)
    lines: list[str] = []
    finished = run(_target(project), Selection(), tmp_path / "s.sqlite", progress=lines.append)
    verdicts = {d.mutant.id: d.outcome for d in finished.done}
    assert finished.selection == "All 20 mutants."
    # The union's `|` in the annotation: 11 operators, never run (the module postpones them).
    assert sum(v == "annotation" for v in verdicts.values()) == 11
    assert [m for m, v in verdicts.items() if v == "survived"] == [BOUNDARY]
    assert sum(v == "killed" for v in verdicts.values()) == 8
    assert finished.baseline_seconds is not None
    assert not finished.interrupted
    assert lines[-1].startswith("9/9 killed") or lines[-1].startswith("9/9 survived")
    assert _digest(project) == before
    assert list(scratch.iterdir()) == []


def test_a_name_does_not_move_when_code_above_it_does(project: Path) -> None:
    first = {m.id: m.start for m in all_mutants(project, ["limits.py"])}
    source = (project / "limits.py").read_text()
    (project / "limits.py").write_text(
        source.replace(
            "\n\ndef over",
            "\n\nWIDTH = 3\n\n\ndef under(value: int) -> bool:\n"
            "    return value < WIDTH\n\n\ndef over",
        )
    )
    second = {m.id: m.start for m in all_mutants(project, ["limits.py"])}
    assert first.keys() <= second.keys()
    assert second[BOUNDARY][0] == first[BOUNDARY][0] + 7


def test_a_sample_is_reproducible_and_independent_of_order(project: Path) -> None:
    mutants = all_mutants(project, ["limits.py"])
    drawn = sample(mutants, 5, seed=7)
    assert len(drawn) == 5
    assert [m.id for m in sample(list(reversed(mutants)), 5, seed=7)] == [
        m.id for m in reversed(drawn)
    ]
    assert {m.id for m in sample(mutants, 5, seed=8)} != {m.id for m in drawn}
    assert sample(mutants, 100, seed=7) == mutants
    # Code added elsewhere brings in at most as many mutants as it adds.
    source = (project / "limits.py").read_text()
    (project / "limits.py").write_text(
        source + "\n\ndef under(value: int) -> bool:\n    return value < 3\n"
    )
    grown = all_mutants(project, ["limits.py"])
    again = sample(grown, 5, seed=7)
    assert len({m.id for m in again} - {m.id for m in drawn}) <= len(grown) - len(mutants)
    assert len({m.id for m in again} & {m.id for m in drawn}) >= 5 - (len(grown) - len(mutants))


def test_the_mutants_of_an_earlier_report_are_found_again_by_name(
    project: Path, tmp_path: Path
) -> None:
    first = run(_target(project), Selection(sample=6, seed=3), tmp_path / "s.sqlite", progress=str)
    report = as_json(Report(title="t", selection="s", judged=tuple(judge(first.done, []))))
    names = tuple(
        MutantId(**{k: item[k] for k in ("file", "function", "operator", "text", "occurrence")})
        for item in report["mutants"]
    )
    source = (project / "limits.py").read_text()
    (project / "limits.py").write_text("WIDTH = 3\n\n\n" + source)
    listed = run(
        _target(project),
        Selection(named=(names, "r.json")),
        tmp_path / "s.sqlite",
        progress=str,
        listing=True,
    )
    assert [d.mutant.id for d in listed.done] == [d.mutant.id for d in first.done]
    assert listed.selection.startswith("The 6 mutants named by r.json that are still in the code")


def test_since_a_ref_only_the_changed_lines_are_mutated(project: Path) -> None:
    source = (project / "limits.py").read_text()
    (project / "limits.py").write_text(source.replace("value > limit", "value > limit + 0"))
    changed = changed_lines(project, "HEAD", ["limits.py"])
    assert changed == {"limits.py": {8}}
    chosen = since(all_mutants(project, ["limits.py"]), changed)
    assert chosen
    assert {m.start[0] for m in chosen} == {8}
    with pytest.raises(GitError, match="cannot compare with 'nosuch'"):
        changed_lines(project, "nosuch", ["limits.py"])


def test_an_interrupted_run_goes_on_where_it_stopped(project: Path, tmp_path: Path) -> None:
    session = tmp_path / "s.sqlite"
    seen: list[str] = []

    def stop_after_three(line: str) -> None:
        seen.append(line)
        if line.startswith("3/9"):
            raise KeyboardInterrupt

    stopped = run(_target(project), Selection(), session, progress=stop_after_three)
    assert stopped.interrupted
    assert [d.outcome for d in stopped.done].count("pending") == 6
    again: list[str] = []
    finished = run(_target(project), Selection(), session, progress=again.append)
    assert again[0] == "resuming the session: 3 of 9 mutants already run"
    assert [line.split()[0] for line in again[3:]] == [f"{n}/9" for n in range(4, 10)]
    assert all(d.outcome != "pending" for d in finished.done)
    # Other files: a new session, unless asked to judge only the survivors again.
    (project / "check.py").write_text(CHECK + "assert not limits.over(3, 3)\n")
    rechecked: list[str] = []
    finished = run(_target(project), Selection(), session, progress=rechecked.append, recheck=True)
    assert rechecked[0] == "keeping the session's 8 kills of these mutants"
    assert rechecked[1] == "resuming the session: 8 of 9 mutants already run"
    assert rechecked[-1].split()[:2] == ["9/9", "killed"]
    assert [d.outcome for d in finished.done].count("killed") == 9
    # Another selection is another session, from scratch.
    fresh: list[str] = []
    run(_target(project), Selection(sample=12, seed=1), session, progress=fresh.append)
    assert fresh[0].startswith("a new session")


def test_an_interrupt_ends_the_test_command_that_is_running(project: Path, tmp_path: Path) -> None:
    (project / "slow.py").write_text(
        "import pathlib, sys, time\n"
        "if pathlib.Path('limits.py').read_text() != sys.argv[1]:\n"
        "    time.sleep(60)\n"
    )
    target = Target(
        root=project,
        modules=("limits.py",),
        command=lambda folder: [
            *("env", "-C", str(folder), sys.executable, "slow.py", LIMITS),
        ],
    )
    # A real signal, as Ctrl-C sends: it interrupts the wait for the test command.
    timer = threading.Timer(3.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        finished = run(target, Selection(), tmp_path / "s.sqlite", progress=str)
    finally:
        timer.cancel()
    assert finished.interrupted
    assert time.monotonic() - started < 20
    left = subprocess.run(["pgrep", "-f", "slow.py"], capture_output=True, text=True, check=False)
    assert left.stdout.strip() == ""


#: a process that makes a temporary folder, as the sandbox does for its database, says where
#: (in made.txt), and stays
STAYS = (
    "import pathlib, tempfile, time\n"
    "made = tempfile.mkdtemp(prefix='sandbox-')\n"
    "pathlib.Path('made.txt').write_text(made)\n"
    "time.sleep(60)\n"
)


def test_a_process_a_mutant_leaves_running_is_ended_and_its_temporary_folder_removed(
    project: Path, tmp_path: Path
) -> None:
    # The "tests" start a process of their own session, as the runner starts the sandbox,
    # which outlives them unless the run ends it; they end once it has made its folder.
    (project / "leave.py").write_text(
        "import pathlib, subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {STAYS!r}],"
        " start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "deadline = time.monotonic() + 10\n"
        "while not pathlib.Path('made.txt').exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
    )
    lines: list[str] = []
    with scratch_copy(project, project_files(project)) as folder:
        target = _target(project, "leave.py")
        mutants = [m for m in all_mutants(folder, ["limits.py"]) if not m.in_annotation][:1]
        session = Session(tmp_path / "s.sqlite")
        try:
            session.start("selection", "files", mutants)
            execute(target, folder, session, mutants, progress=lines.append)
        finally:
            session.close()
        assert end_leftovers(folder) == []
        made = Path((folder / "made.txt").read_text())
        assert folder in made.parents, "the test command's temporary files are in the copy"
        assert not made.exists()
    assert lines[-2].startswith("killed 1 process(es) the mutant left running")


def test_tests_that_fail_unmutated_judge_nothing(project: Path, tmp_path: Path) -> None:
    (project / "broken.py").write_text("raise SystemExit('the database is down')\n")
    with pytest.raises(BaselineError, match="fail with no mutant"):
        run(_target(project, "broken.py"), Selection(), tmp_path / "s.sqlite", progress=str)


def test_a_mutant_that_is_not_python_is_never_run(project: Path, tmp_path: Path) -> None:
    (project / "limits.py").write_text(
        '"""Limits."""\n\n\ndef over(value, *, limit):\n    return value > limit\n'
    )
    (project / "check.py").write_text("import limits\nassert limits.over(5, limit=3)\n")
    done = run(_target(project), Selection(), tmp_path / "s.sqlite", progress=str).done
    invalid = [d for d in done if d.outcome == "invalid"]
    # The bare `*` of keyword-only parameters, taken by cosmic-ray for a multiplication.
    assert invalid
    assert {d.mutant.id.text for d in invalid} == {"def over(value, ⟦*⟧, limit):"}
    report = Report(title="t", selection="s", judged=tuple(judge(done, [])))
    assert report.scored == len(done) - len(invalid)
    assert "not valid Python (never run, in neither score)" in render(report)


RECORD = """
[[equivalent]]
file = "limits.py"
function = "over"
operator = "ReplaceComparisonOperator_Gt_GtE"
text = "return limit is not None and value ⟦>⟧ limit"
kind = "c"
reason = "a value equal to its limit is never sent"
contract = "the limit is never reached"

[[equivalent]]
file = "limits.py"
function = "under"
operator = "NumberReplacer"
text = "WIDTH = ⟦3⟧"
kind = "b"
reason = "gone"
"""


def test_the_record_makes_survivors_equivalent_and_reports_stale_entries(
    project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "record.toml"
    path.write_text(RECORD)
    entries = equivalents.load(path)
    done = run(_target(project), Selection(), tmp_path / "s.sqlite", progress=str).done
    report = Report(
        title="t",
        selection="s",
        judged=tuple(judge(done, entries)),
        stale=tuple(equivalents.stale(entries, [d.mutant.id for d in done])),
    )
    assert report.count("survived") == 0
    assert report.kinds == {Kind.ANNOTATION: 11, Kind.UNOBSERVABLE: 1}
    assert report.scores() == (8 / 20, 1.0)
    assert report.clean
    text = render(report)
    assert "**Score: killed / all 40.0 % (8/20); killed / non-equivalent 100.0 % (8/8).**" in text
    assert "| &nbsp;&nbsp;(c) unobservable under the contract | 1 |" in text
    assert "stale entry (no such mutant in the code now): limits.py · under" in text
    assert equivalents.unquoted(entries, "Then the limit is never\n reached.") == []
    assert [e.kind for e in equivalents.unquoted(entries, "nothing of the kind")] == [Kind("c")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[equivalent]]\nfile = 'a.py'\n", "entry 1: missing function, operator, text, kind"),
        (RECORD.replace('kind = "b"', 'kind = "d"'), "entry 2: kind must be a (type annotation)"),
        (RECORD.replace('contract = "the limit is never reached"', ""), "kind c needs contract"),
        (RECORD.replace('reason = "gone"', 'reason = "gone"\ncontract = "x"'), "for kind c only"),
        (RECORD.replace('reason = "gone"', 'reason = ""'), "reason must be one line of text"),
        (RECORD.replace('reason = "gone"', 'reason = "gone"\nline = 3'), "unknown key line"),
        (RECORD + RECORD.split("\n\n")[1], "entry 3: the same mutant is recorded twice"),
        ("[[equivalent]\n", "not TOML"),
    ],
)
def test_a_bad_record_is_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "record.toml"
    path.write_text(text)
    with pytest.raises(EquivalenceFileError, match=r"record\.toml") as caught:
        equivalents.load(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_committed_record_is_valid() -> None:
    entries = equivalents.load(PROJECT_ROOT / "trust" / "mutation_equivalents.toml")
    assert all(entry.mutant.file.startswith("sandbox/") for entry in entries)


def test_two_reports_compare_mutant_by_mutant(project: Path, tmp_path: Path) -> None:
    done = run(_target(project), Selection(), tmp_path / "s.sqlite", progress=str).done
    before = as_json(Report(title="t", selection="s", judged=tuple(judge(done, []))))
    entries = equivalents.load(tmp_path / "none.toml")
    after = dict(before, score_non_equivalent=1.0)
    after["mutants"] = [
        dict(item, verdict="killed") if item["operator"].endswith("Gt_GtE") else item
        for item in before["mutants"]
    ]
    text = compare(before, after)
    assert entries == []
    assert "| killed / non-equivalent | 88.9 % | 100.0 % |" in text
    assert (
        "ReplaceComparisonOperator_Gt_GtE · `return limit is not None and value ⟦>⟧ limit`:"
        " survived → killed" in text
    )


def test_an_entry_to_fill_in_is_valid_toml_for_any_line() -> None:
    mutant = MutantId(
        file="a.py", function="f", operator="AddNot", text="""if x == 'it\\'s "so"':"""
    )
    text = equivalents.entry_text(mutant).replace('kind = ""', 'kind = "b"')
    text = text.replace('reason = ""', 'reason = "r"').replace('contract = ""  # kind c only', "")
    path = Path(tempfile.mkdtemp()) / "e.toml"
    path.write_text(text)
    assert equivalents.load(path)[0].mutant == mutant


def test_the_command_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    record = tmp_path / "bad.toml"
    record.write_text("[[equivalent]]\nkind = 'z'\n")
    for args, expected in [
        ((), "trust: choose the mutants: --sample N [--seed S], --since REF, --mutants REPORT"),
        (("--mutants", "README.md"), "README.md is not a mutation report's JSON"),
        (("--all", "--module", "nosuch.py"), "must be a Python file of the project"),
        (("--all", "--equivalents", str(record)), "entry 1: missing file"),
        (("--since", "nosuch-ref", "--list"), "'nosuch-ref' names no commit"),
    ]:
        done = python_module("trust", "mutation", *args)
        assert done.returncode == 2, done.stderr
        assert expected in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_sandbox_mutant_is_served_from_the_copy_and_killed_by_a_scenario(
    tmp_path: Path,
) -> None:
    # One mutant of the real sandbox, judged by the real scenarios about other customers'
    # accounts: the owner check made `==` lets only other customers' accounts through.
    files = project_files(PROJECT_ROOT)
    target = Target(
        root=PROJECT_ROOT,
        modules=("sandbox/service.py",),
        command=acceptance_command("0", select=("-k", "own_account_by_its_number")),
    )
    with scratch_copy(PROJECT_ROOT, files) as folder:
        (mutant,) = [
            m
            for m in all_mutants(folder, target.modules)
            if m.id.function == "account_by_id"
            and m.id.operator == "ReplaceComparisonOperator_NotEq_Eq"
        ]
        session = Session(tmp_path / "s.sqlite")
        try:
            session.start("selection", "files", [mutant])
            execute(target, folder, session, [mutant], progress=str)
            (found,) = outcomes(session, [mutant])
        finally:
            session.close()
    assert found.outcome == "killed", found
    assert "::" in found.killed_by
    assert "-    if account_id != caller.account_id:" in found.diff
    assert "a/sandbox/service.py" in found.diff


def test_outcomes_render_with_every_kind_of_result() -> None:
    mutants = all_mutants(PROJECT_ROOT, ["sandbox/idempotency.py"])[:4]
    done = [
        Done(mutant=mutants[0], outcome="killed", seconds=3.0, killed_by="timed out"),
        Done(mutant=mutants[1], outcome="killed", seconds=5.0, killed_by="t.py::test_a"),
        Done(mutant=mutants[2], outcome="survived", seconds=50.0, diff="--- a\n+++ b\n"),
        Done(mutant=mutants[3], outcome="pending"),
    ]
    report = Report(title="t", selection="s", judged=tuple(judge(done, [])), baseline_seconds=48)
    text = render(report)
    assert "killed by a time-out | 1 |" in text
    assert "killed by a failing scenario | 1 |" in text
    assert "not run yet (the same command goes on) | 1 |" in text
    assert "Time: 58 s for 3 mutant runs, a median of 5.0 s a mutant" in text
    assert "### Survivors (1)" in text
    assert not report.clean
