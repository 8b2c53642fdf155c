"""Schemathesis 4 against the live sandbox's /openapi.json: the server honours its document."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.sandbox.conftest import ROOT, Running

HERE = Path(__file__).resolve().parent
#: test cases per operation and phase: enough to find schema drift, bounded in time
MAX_EXAMPLES = 15
#: seconds: the run must finish well within the two-minute budget
BUDGET = 110


def test_the_sandbox_honours_its_openapi_document(sandbox: Running, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        f"{sandbox.url}/openapi.json",
        # Checks are chosen in the config file, where per-operation exceptions can apply;
        # stateful sequences do not fit requests that each run as a new customer.
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--seed",
        "20261127",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--no-color",
    ]
    environment = {
        **os.environ,
        "SANDBOX_URL": sandbox.url,
        "SCHEMATHESIS_HOOKS": str(HERE / "schemathesis_hooks.py"),
    }
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=BUDGET,
        check=False,
    )
    summary = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    # The report was just written by the run above: trusted input.
    cases = ElementTree.parse(junit).getroot().iter("testcase")  # noqa: S314
    tested = {case.get("name") for case in cases}
    assert len(tested) == 23, (sorted(str(name) for name in tested), summary)
