"""The speed benchmark's workflow (`python -m trust speed`): a 100-row outline on the suite's steps.

Run only by the benchmark, which names this file; `make test` collects `tests/` alone.
"""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).resolve().parent / "workflow.feature"))
