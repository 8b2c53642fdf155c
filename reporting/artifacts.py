"""A run's artifacts belong to that run: folders claimed under a lock, earlier files removed,
data stamped with the run's id, and data read back only from the run that wrote it.

An acceptance run writes its summary (``summary.md``, ``summary.json``) and its API coverage
and latency (``api-coverage.json``, ``api-latency.json``) into the summary's folder, and the
same data with its Allure results into ``--alluredir``. When it starts it claims each folder
(an exclusive ``flock`` on ``.acceptance-run.lock`` in it, held until the process ends, so a
second run writing the same paths is refused at once, while runs writing elsewhere go on side
by side), removes what an earlier run left there, and writes its run record: a
``summary.json`` saying the run has not finished, replaced by the full summary at the end.
So a run that stops at its start leaves "not finished", never an earlier run's "passed".

The data files carry the id of the run that wrote them; :func:`read_run_data` refuses a file
whose run is not the one the folder's record names (see ``python -m trust coverage``).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: The run record of a folder: the run summary's data.
RUN_RECORD = "summary.json"
#: The lock file each claimed folder holds while a run writes it.
LOCK_FILE = ".acceptance-run.lock"
#: Files an earlier run leaves in an Allure results folder (Allure's own, and the run's data).
ALLURE_FILES = (
    "*-result.json",
    "*-container.json",
    "*-attachment*",
    "*-globals.json",
    "environment.properties",
)
#: Files of a run's data, beside its summary and among its Allure results.
DATA_FILES = ("api-coverage.json", "api-latency.json")


class FolderBusyError(Exception):
    """Another run holds the folder; the message names it and says what to do."""

    def __init__(self, message: str, *, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class RunDataError(ValueError):
    """Data that is not the data of the folder's last run; the message says why."""


@dataclass(frozen=True, kw_only=True)
class Run:
    """One run: its id and when it started (ISO 8601, UTC)."""

    id: str
    started: str

    @classmethod
    def new(cls) -> Run:
        """A run starting now."""
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return cls(id=uuid.uuid4().hex[:16], started=started)

    def record(self, *, finished: bool, **more: Any) -> dict[str, Any]:
        """The ``run`` object of the run record."""
        return {"id": self.id, "started": self.started, "finished": finished, **more}


def make_folder(folder: Path, *, what: str, option: str) -> None:
    """Create ``folder`` if need be; ``OSError`` with one line naming it and why not."""
    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            raise OSError(
                f"cannot write {what} to {folder}: {path} is a file, not a folder; "
                f"choose another place with {option}"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(
            f"cannot write {what} to {folder}: {error.strerror or error}; "
            f"choose another place with {option}"
        ) from None


def claim(folder: Path, *, what: str, option: str) -> IO[str]:
    """Lock ``folder`` (created if need be) for this process; keep the returned file open.

    Raises ``FolderBusyError`` when another run holds it, and ``OSError`` (with a message
    naming the folder) when it cannot be created or written.
    """
    make_folder(folder, what=what, option=option)
    try:
        handle = (folder / LOCK_FILE).open("a+", encoding="utf-8")
    except OSError as error:
        raise OSError(
            f"cannot write {what} to {folder}: {error.strerror or error}; "
            f"choose another place with {option}"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise FolderBusyError(
            f"another run ({holder}) is writing {what} in {folder}: wait for it to end, or "
            f"give this run its own place with {option}",
            holder=holder,
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}, started {time.strftime('%X')}")
    handle.flush()
    return handle


def remove_stale(folder: Path, patterns: tuple[str, ...]) -> None:
    """Remove the files an earlier run left in ``folder`` (``OSError`` names the file)."""
    for pattern in patterns:
        for path in folder.glob(pattern):
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                raise OSError(
                    f"cannot remove {path}, left by an earlier run: {error.strerror or error}"
                ) from None


def stamp(text: str, run: Run) -> str:
    """A data file's JSON with the id of the run that wrote it."""
    data = json.loads(text)
    data["run"] = run.id
    return json.dumps(data, indent=1) + "\n"


def read_run_data(folder: Path, name: str) -> str | None:
    """The ``name`` data file in ``folder``, if the folder's last run wrote one.

    ``None`` when that run measured nothing (its record says why, if anything); a
    ``RunDataError`` when the data is not that run's: no run record beside it, a run that
    has not finished, or another run's id.
    """
    record_path, path = folder / RUN_RECORD, folder / name
    if not record_path.exists():
        if path.exists():
            raise RunDataError(
                f"{path} has no run record ({RUN_RECORD}) beside it, so which run wrote it is "
                "unknown: rerun the suite"
            )
        return None
    run = json.loads(record_path.read_text(encoding="utf-8")).get("run") or {}
    if not run.get("finished"):
        raise RunDataError(
            f"the last run in {folder} (started {run.get('started', 'at an unknown time')}) has "
            "not finished: it is still running, or it stopped or was killed before its end; "
            "rerun the suite"
        )
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    written_by = json.loads(text).get("run")
    if written_by != run.get("id"):
        raise RunDataError(
            f"{path} is from another run ({written_by or 'an older version of the suite'}) "
            f"than the last one in {folder} ({run.get('id')}): rerun the suite"
        )
    return text
