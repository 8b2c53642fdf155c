"""Running the project's acceptance suite in a fresh process, as a user would, for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from steps.runner import PROJECT_ROOT

#: Seconds an inner run may take before the test fails instead of hanging.
RUN_TIMEOUT = 240


def start_suite(
    url: str | None, *options: str, artifacts: Path, **variables: str
) -> subprocess.Popen[str]:
    """Start ``pytest tests/acceptance -m acceptance`` against ``url`` (None: the sandbox).

    Only ``variables`` among the suite's settings are set; the summary and its data go to
    ``artifacts``, never to the project's own ``reports/`` (an outer run may be writing it).
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("API_", "SUITE_", "PYTEST_", "ENVIRONMENT"))
    }
    if url is not None:
        env["API_URL"] = url
    env.update(variables)
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "pytest", "tests/acceptance", "-m", "acceptance"),
            *("-q", "-rs", "-p", "no:randomly", "-p", "no:cacheprovider"),
            f"--run-summary={artifacts / 'summary.md'}",
            *options,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_suite(
    url: str | None,
    *options: str,
    artifacts: Path,
    timeout: float = RUN_TIMEOUT,
    **variables: str,
) -> subprocess.CompletedProcess[str]:
    """Run the suite as :func:`start_suite` starts it, to the end (at most ``timeout`` s)."""
    process = start_suite(url, *options, artifacts=artifacts, **variables)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        process.kill()
        process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
