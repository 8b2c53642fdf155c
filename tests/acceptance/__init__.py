"""The modules that bind the feature files to pytest, one per business domain."""

from __future__ import annotations

from pathlib import Path

#: The folder of the feature files, one subfolder per domain.
FEATURES = Path(__file__).resolve().parents[2] / "features"
