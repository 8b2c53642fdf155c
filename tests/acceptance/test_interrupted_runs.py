"""An interrupted run leaves nothing behind: no sandbox serving, no temporary folder, no log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from steps.runner import PROJECT_ROOT
from steps.sandbox_process import SandboxProcess
from tests.acceptance.suite_run import start_suite

#: Seconds a run may take to reach its first scenario, or to end once interrupted.
BOUND = 60


def _leftovers(folder: Path) -> list[str]:
    """What a sandbox left in the temporary folder: its database folder or its log."""
    return sorted(path.name for path in folder.glob("sandbox-*"))


def _serving(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def _wait_for(path: Path) -> str:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        if path.exists() and path.read_text(encoding="utf-8"):
            return path.read_text(encoding="utf-8")
        time.sleep(0.1)
    raise AssertionError(f"the run never reached its first scenario ({path} stayed empty)")


def _start(tmp_path: Path, mode: str, *options: str) -> tuple[subprocess.Popen[str], Path, Path]:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    told = tmp_path / "url.txt"
    process = start_suite(
        None,
        "-m",
        "smoke",
        "-p",
        "tests.acceptance.interrupting",
        *options,
        artifacts=tmp_path,
        TMPDIR=str(temporary),
        INTERRUPTING=mode,
        INTERRUPTING_FILE=str(told),
    )
    return process, temporary, told


def _finish(process: subprocess.Popen[str]) -> str:
    try:
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        process.kill()
    return stdout + stderr


@pytest.mark.parametrize(
    ("number", "workers"),
    [(signal.SIGTERM, "2"), (signal.SIGTERM, "0"), (signal.SIGINT, "2")],
    ids=["SIGTERM under xdist", "SIGTERM", "SIGINT under xdist"],
)
def test_a_signal_to_pytest_stops_the_sandbox_and_removes_its_files(
    tmp_path: Path, number: signal.Signals, workers: str
) -> None:
    process, temporary, told = _start(tmp_path, "hold", "-n", workers)
    url = _wait_for(told)
    assert _serving(url)
    process.send_signal(number)
    output = _finish(process)
    assert process.returncode not in (0, None), output[-2000:]
    assert not _serving(url), output[-2000:]
    assert _leftovers(temporary) == [], output[-2000:]


@pytest.mark.parametrize(
    ("mode", "workers"),
    [("crash-worker", "2"), ("crash-pytest", "0")],
    ids=["a worker crashes", "pytest crashes"],
)
def test_a_crash_stops_the_sandbox_and_removes_its_files(
    tmp_path: Path, mode: str, workers: str
) -> None:
    process, temporary, told = _start(tmp_path, mode, "-n", workers)
    output = _finish(process)
    url = told.read_text(encoding="utf-8")
    assert process.returncode not in (0, None), output[-2000:]
    assert "crashed" in output or "INTERNALERROR" in output, output[-2000:]
    assert not _serving(url), output[-2000:]
    assert _leftovers(temporary) == [], output[-2000:]


PARENT = """
import sys, time
from pathlib import Path
from steps.sandbox_process import SandboxProcess
sandbox = SandboxProcess.start(project_root=Path(sys.argv[1]))
print(sandbox.url, flush=True)
time.sleep(60)
"""


def test_the_sandbox_exits_by_itself_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(PROJECT_ROOT)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        url = parent.stdout.readline().strip()
        assert _serving(url)
        parent.kill()
        parent.wait(BOUND)
        # Its database folder goes last; the log was its dead parent's to remove.
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline and (
            _serving(url) or any(not name.endswith(".log") for name in _leftovers(tmp_path))
        ):
            time.sleep(0.2)
    finally:
        parent.kill()
    assert not _serving(url)
    assert [name for name in _leftovers(tmp_path) if not name.endswith(".log")] == []


def test_a_stopped_sandbox_leaves_neither_its_database_folder_nor_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the sandbox makes its folder
    sandbox = SandboxProcess.start(project_root=PROJECT_ROOT)
    assert _leftovers(tmp_path) != []
    sandbox.stop()
    assert _leftovers(tmp_path) == []
    assert not sandbox.log_path.exists()
