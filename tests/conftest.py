"""Hypothesis profiles: "ci" (a fixed seed) when CI is set, "dev" (a new seed each run) elsewhere.

Neither has a per-example deadline: on a shared machine a deadline is a timed test. Choose
one by hand with ``pytest --hypothesis-profile=ci`` (or ``HYPOTHESIS_PROFILE=ci``).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
# derandomize: every run draws the same examples (the seed comes from each test), so a red
# CI run is reproduced by running the same commit; no example database carries over.
settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
