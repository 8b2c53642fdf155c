"""An undefined step fails with a ready-to-paste definition, in outlines too."""

from __future__ import annotations

import pytest

from steps.runner import PROJECT_ROOT

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


def test_an_undefined_step_shows_a_definition_to_paste(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_deployment: str
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    monkeypatch.setenv("API_URL", real_deployment)
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
