"""An undefined step fails with a ready-to-paste definition, in outlines too; pasted as it is,
the definition fails as pending (a test defect) until it is written."""

from __future__ import annotations

import json

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


def _project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, url: str, plugins: list[str]
) -> None:
    """The feature above, bound to no step definition, run with ``plugins`` against ``url``."""
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    monkeypatch.setenv("API_URL", url)
    pytester.makefile(".feature", missing=FEATURE)
    pytester.makeconftest(f"pytest_plugins = {plugins!r}")
    pytester.makepyfile(
        test_bound="from pytest_bdd import scenarios\n\nscenarios('missing.feature')\n"
    )


def test_an_undefined_step_shows_a_definition_to_paste(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_deployment: str
) -> None:
    _project(pytester, monkeypatch, real_deployment, ["steps.runner"])
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(failed=2)
    snippet = '@given(phrase("{name:Name} juggles {amount:Money} worth of balls"))'
    assert result.stdout.str().count(snippet) == 2, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*Add to steps/*",
            "*def juggles_worth_of_balls(cast: Cast, name: str, amount: Decimal) -> None:*",
        ]
    )


def test_the_definition_pasted_as_it_is_fails_as_pending(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_deployment: str
) -> None:
    _project(pytester, monkeypatch, real_deployment, ["steps.runner", "reporting.pytest_plugin"])
    first = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    output = first.stdout.str()
    start = output.index('@given(phrase("{name:Name} juggles')
    pasted = output[start : output.index("\n\n", start)]
    pytester.makepyfile(
        pasted_steps="from decimal import Decimal\n\nfrom pytest_bdd import given\n\n"
        "from framework.errors import PendingStepError\nfrom steps.domain.customers import Cast\n"
        f"from steps.vocabulary import phrase\n\n\n{pasted}\n"
    )
    pytester.makeconftest(
        "pytest_plugins = ['steps.runner', 'reporting.pytest_plugin', 'pasted_steps']"
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    assert "missing step definition" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*test defect*PendingStepError*not written yet*"])


def test_the_definition_to_paste_is_in_the_report_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_deployment: str
) -> None:
    _project(pytester, monkeypatch, real_deployment, ["steps.runner", "reporting.pytest_plugin"])
    results = pytester.path / "allure-results"
    result = pytester.runpytest_subprocess(
        *("-p", "no:randomly", "-p", "no:cacheprovider", "--alluredir", str(results))
    )
    result.assert_outcomes(failed=2)
    found = []
    for path in results.glob("*-result.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["statusDetails"]["message"].startswith(
            "[test defect] no step definition matches: Given "
        )
        [attachment] = [
            a for a in document["attachments"] if a["name"] == "missing step definition"
        ]
        found.append((results / attachment["source"]).read_text(encoding="utf-8"))
    assert len(found) == 2
    assert all("juggles {amount:Money} worth of balls" in text for text in found)
