"""Running a project command (`python -m …`) as a user would, bounded in time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reporting.artifacts import RUN_RECORD, Run, stamp

ROOT = Path(__file__).resolve().parents[2]
#: seconds a command may take
TIMEOUT = 60


def python_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` from the project's root, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def write_run(folder: Path, data: dict[str, str], *, summary: str | None = None) -> Run:
    """Write ``data`` (file name -> JSON text) into ``folder`` as one finished run wrote it:
    each file stamped with the run's id, beside the run's record (``summary``, or none)."""
    run = Run.new()
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in data.items():
        (folder / name).write_text(stamp(text, run), encoding="utf-8")
    record = json.loads(summary or '{"scenarios": []}')
    record["run"] = run.record(finished=True)
    (folder / RUN_RECORD).write_text(json.dumps(record), encoding="utf-8")
    return run
