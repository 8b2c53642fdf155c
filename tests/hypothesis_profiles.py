"""Hypothesis profiles: "ci" (a fixed seed) when CI is set, "dev" (a new seed each run) elsewhere.

Neither has a per-example deadline: on a shared machine a deadline is a timed test. Choose
one by hand with ``pytest --hypothesis-profile=ci`` (or ``HYPOTHESIS_PROFILE=ci``).
Hypothesis is imported only by :func:`use`, called where its tests are collected, so that a
run without them (the acceptance suite) does not spend a second importing it.
"""

from __future__ import annotations

import functools
import os


@functools.cache
def use() -> None:
    """Register both profiles and load the one the environment names, once per process (so
    that a later call never undoes the profile ``--hypothesis-profile`` loaded)."""
    from hypothesis import settings

    settings.register_profile("dev", deadline=None)
    # derandomize: every run draws the same examples (the seed comes from each test), so a red
    # CI run is reproduced by running the same commit; no example database carries over.
    settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
    settings.load_profile(
        os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    )
