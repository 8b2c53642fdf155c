"""Hypothesis' profiles are registered before its plugin reads ``--hypothesis-profile``."""

from __future__ import annotations

import pytest

from tests import hypothesis_profiles


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """A profile named on the command line must exist before Hypothesis' plugin loads it,
    whichever tests the run collects."""
    if config.getoption("hypothesis_profile", None):
        hypothesis_profiles.use()
