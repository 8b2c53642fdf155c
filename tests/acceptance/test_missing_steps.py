"""An undefined step fails with a ready-to-paste definition, in outlines too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from steps.runner import PROJECT_ROOT
from tests.acceptance.test_runner import _RealDeployment

FEATURE = """\
Feature: Steps nobody has written yet
  Scenario: A plain scenario
    Given Alice juggles 10.00 worth of balls

  Scenario Outline: An outline
    Given Bob juggles <amount> worth of balls

    Examples:
      | amount |
      | 20.00  |
"""


@pytest.fixture
def healthy_api() -> Iterator[str]:
    """A server on 127.0.0.1 that answers the runner's health check."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RealDeployment)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_undefined_step_shows_a_definition_to_paste(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, healthy_api: str
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    monkeypatch.setenv("API_URL", healthy_api)
    pytester.makefile(".feature", missing=FEATURE)
    pytester.makeconftest('pytest_plugins = ["steps.runner"]')
    pytester.makepyfile(
        test_bound="from pytest_bdd import scenarios\n\nscenarios('missing.feature')\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(failed=2)
    snippet = '@given(phrase("{name:Name} juggles {amount:Money} worth of balls"))'
    assert result.stdout.str().count(snippet) == 2, result.stdout.str()
    result.stdout.fnmatch_lines(["*def _(cast: Cast, name: str, amount: Decimal) -> None:*"])
