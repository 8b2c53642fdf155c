"""Start the built-in sandbox as a subprocess on a free port, and stop it again."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

#: Seconds the sandbox may take to print its ready line.
START_TIMEOUT = 30.0
#: Seconds it may take to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0

_URL = re.compile(r"https?://[\w.\-\[\]:]+")


class SandboxStartError(RuntimeError):
    """The sandbox did not come up; the message says why and where its log is."""


class SandboxProcess:
    """One `python -m sandbox --port 0` process, serving until ``stop()`` or its parent ends."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        log_path: Path,
        *,
        found: list[str],
        ready: threading.Event,
    ) -> None:
        self._process = process
        self._found = found
        self._ready = ready
        self.log_path = log_path

    def __repr__(self) -> str:
        url = self._found[0] if self._found else None
        return f"SandboxProcess(url={url!r}, pid={self._process.pid})"

    @property
    def pid(self) -> int:
        """The process id of the server (to read its memory and descriptors)."""
        return self._process.pid

    @property
    def url(self) -> str:
        """Its base URL, once :meth:`wait_ready` has returned."""
        if not self._found:
            raise SandboxStartError("the sandbox's URL is not known until it is ready")
        return self._found[0]

    @classmethod
    def start(
        cls,
        *,
        project_root: Path,
        timeout: float = START_TIMEOUT,
        options: Sequence[str] = (),
        command: Sequence[str] = ("sandbox",),
    ) -> SandboxProcess:
        """Start it and wait until it serves (:meth:`launch`, then :meth:`wait_ready`)."""
        started = cls.launch(project_root=project_root, options=options, command=command)
        started.wait_ready(timeout)
        return started

    @classmethod
    def launch(
        cls,
        *,
        project_root: Path,
        options: Sequence[str] = (),
        command: Sequence[str] = ("sandbox",),
    ) -> SandboxProcess:
        """Start it and return at once, its output drained into its log; :meth:`wait_ready`
        then waits for its ready line, so that the caller can do other work meanwhile.

        ``options`` are more `python -m sandbox` options (``--chaos 0.1``). ``command`` is
        what follows `python -m` when it is not the sandbox itself, but a server that takes
        the same `--host`, `--port` and `--exit-with-parent` and prints its URL the same way
        (the trust tools' defect proxy).
        """
        log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the sandbox
            "w", prefix="sandbox-", suffix=".log", delete=False, encoding="utf-8"
        )
        process = subprocess.Popen(  # noqa: S603 - our interpreter; options from our own callers
            [
                *(sys.executable, "-m", *command, "--host", "127.0.0.1", "--port", "0"),
                "--exit-with-parent",
                *options,
            ],
            cwd=project_root,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            bufsize=1,
            # Out of the terminal's process group: Ctrl-C reaches the run, which then stops
            # the sandbox, rather than stopping the sandbox under scenarios still running.
            start_new_session=True,
        )
        assert process.stdout is not None
        found: list[str] = []
        ready = threading.Event()
        threading.Thread(
            target=_drain, args=(process.stdout, log_file, found, ready), daemon=True
        ).start()
        return cls(process, Path(log_file.name), found=found, ready=ready)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait for its ready line (its URL); if it exits or stays silent for ``timeout``
        seconds, kill it and raise :class:`SandboxStartError` saying where its output is."""
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._process.kill()
                self._process.wait(STOP_TIMEOUT)
                why = (
                    f"exited with status {self._process.returncode}"
                    if self._process.returncode not in (None, -9)
                    else f"printed no URL within {timeout:.0f} s"
                )
                raise SandboxStartError(f"the sandbox {why}; its output is in {self.log_path}")

    def stop(self) -> None:
        """Terminate it and wait (kill it if it does not exit in time), then remove its log.

        A sandbox that had already exited by itself keeps its log: its output says why.
        """
        if self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(STOP_TIMEOUT)
        self.log_path.unlink(missing_ok=True)


def _drain(stream: IO[str], log: IO[str], found: list[str], ready: threading.Event) -> None:
    """Copy the sandbox's output to its log (so a full pipe never blocks it); spot the URL."""
    for line in stream:
        log.write(line)
        log.flush()
        if not ready.is_set() and (match := _URL.search(line)):
            found.append(match.group(0).rstrip("/"))
            ready.set()
    log.close()
