"""Running the project's acceptance suite in a fresh process, as a user would, for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from steps.runner import PROJECT_ROOT

#: Seconds an inner run may take before the test fails instead of hanging.
RUN_TIMEOUT = 240


def run_suite(
    url: str | None,
    *options: str,
    artifacts: Path,
    timeout: float = RUN_TIMEOUT,
    **variables: str,
) -> subprocess.CompletedProcess[str]:
    """``pytest tests/acceptance -m acceptance`` against ``url`` (None: the sandbox it starts).

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
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/acceptance",
            "-m",
            "acceptance",
            "-q",
            "-rs",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            f"--run-summary={artifacts / 'summary.md'}",
            *options,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
