"""A pytest plugin for tests of interrupted runs (``-p tests.acceptance.interrupting``).

In the first scenario to run it writes the run's API URL to ``$INTERRUPTING_FILE``, then does
what ``$INTERRUPTING`` says: ``hold`` (wait, for the test to signal the run), ``crash-worker``
(the xdist worker running it dies at once, once per run) or ``crash-pytest`` (the controller,
or the only process, fails in a hook: an INTERNALERROR).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from framework.client import ApiClient

#: Seconds a held scenario waits at most for the test to interrupt the run.
HOLD_LIMIT = 60


def _claim(path: Path) -> bool:
    """Whether this process is the first of the run to get here (the file did not exist)."""
    try:
        with path.open("x", encoding="utf-8"):
            return True
    except FileExistsError:
        return False


@pytest.fixture(autouse=True)
def _interrupting(api_client: ApiClient) -> None:
    """Tell the test where the API is; then hold, or crash the worker."""
    target = Path(os.environ["INTERRUPTING_FILE"])
    if not _claim(target.with_suffix(".claimed")):
        return
    target.write_text(api_client.transport.base_url, encoding="utf-8")
    mode = os.environ["INTERRUPTING"]
    if mode == "hold":
        time.sleep(HOLD_LIMIT)
    elif mode == "crash-worker":
        os._exit(70)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Crash the run's own process in a hook, once a scenario has reported."""
    if os.environ["INTERRUPTING"] == "crash-pytest" and report.when == "call":
        raise RuntimeError("a crash of pytest itself")
