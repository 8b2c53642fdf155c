"""A pytest plugin for one test: records each secret the run's clients learn, in a file.

The test then searches the run's Allure results for every one of them. Loaded with
``-p tests.reporting.secret_spy`` and ``SECRET_SPY_FILE`` naming the file (one JSON string a
line; xdist workers append to the same file).
"""

from __future__ import annotations

import json
import os

import pytest

from framework.redaction import Redactor


def pytest_configure(config: pytest.Config) -> None:
    """Record every value passed to ``Redactor.learn`` before the redactor sees it."""
    path = os.environ["SECRET_SPY_FILE"]
    learn = Redactor.learn

    def recording_learn(self: Redactor, secret: str) -> None:
        with open(path, "a", encoding="utf-8") as spied:
            spied.write(json.dumps(secret) + "\n")
        learn(self, secret)

    Redactor.learn = recording_learn  # type: ignore[method-assign]
    config.add_cleanup(lambda: setattr(Redactor, "learn", learn))
