"""The scenarios of features/notifications/."""

from __future__ import annotations

from pytest_bdd import scenarios

from tests.acceptance import FEATURES

scenarios(str(FEATURES / "notifications"))
