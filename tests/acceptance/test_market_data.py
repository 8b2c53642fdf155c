"""The scenarios of features/market_data/."""

from __future__ import annotations

from pytest_bdd import scenarios

from tests.acceptance import FEATURES

scenarios(str(FEATURES / "market_data"))
