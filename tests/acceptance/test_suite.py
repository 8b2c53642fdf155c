"""The suite as a whole: its size, the error codes it covers, its catalogue, its step matching."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pytest_bdd import given, parsers
from pytest_bdd.steps import step_function_context_registry

from models.common import ErrorCode
from steps.catalogue import main, step_matches
from steps.definitions import StepEntry, entries
from steps.lint import FEATURES, missing_codes, registered_tags, scenarios
from steps.runner import BINDINGS_DIR

#: Error codes no scenario needs to show, each with the reason (none: every code is shown).
EXCLUDED: dict[str, str] = {}

#: The domains of the suite: one folder of features and one tag each.
DOMAINS = (
    "accounts",
    "market_data",
    "orders",
    "payments",
    "notifications",
    "security",
    "resilience",
    "idempotency",
)


def test_every_error_code_of_the_contract_is_in_a_scenario() -> None:
    missing = missing_codes(ErrorCode, EXCLUDED)
    assert missing == [], f"no scenario shows {missing}: write one, or exclude it with a reason"


def test_a_code_no_scenario_names_is_reported(tmp_path: Path) -> None:
    (tmp_path / "one.feature").write_text(
        "Feature: One\n  Scenario Outline: Refused <n>\n"
        "    Then the order is refused with reason INVALID_QUANTITY\n"
        "    And the refusal names <code>\n\n    Examples:\n"
        "      | n | code          |\n      | 1 | INVALID_PRICE |\n"
    )
    codes = ["INVALID_QUANTITY", "INVALID_PRICE", "INVALID_SIDE", "RATE_LIMITED"]
    assert missing_codes(codes, ["RATE_LIMITED"], [tmp_path]) == ["INVALID_SIDE"]


def test_the_suite_counts_at_least_150_scenarios_in_every_domain() -> None:
    counted: Counter[str] = Counter()
    for scenario in scenarios():
        counted[scenario.path.parent.name] += scenario.counted
        assert scenario.path.parent.name in scenario.tags, f"{scenario.name} lacks its domain tag"
    assert sorted(counted) == sorted(DOMAINS)
    assert sum(counted.values()) >= 150, counted


def test_the_smoke_set_covers_every_domain() -> None:
    smoke = {scenario.path.parent.name for scenario in scenarios() if "smoke" in scenario.tags}
    assert smoke == set(DOMAINS)


def test_the_step_catalogue_is_up_to_date() -> None:
    assert main(["--check"]) == 0, "docs/steps.md is out of date: run make steps-doc"


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry.phrase)
def test_every_step_documents_gherkin_that_it_matches(entry: StepEntry) -> None:
    siblings = [  # one function may carry several phrases (singular and plural)
        context
        for context in step_function_context_registry.values()
        if (context.step_func.__module__, context.step_func.__name__) == (entry.module, entry.name)
    ]
    example = entry.doc.partition("\n")[0]
    keyword, _, text = example.partition(" ")
    assert keyword in ("Given", "When", "Then", "And", "But"), (
        f"the docstring of {entry.phrase!r} does not start with a Gherkin example"
    )
    assert any(context.parser.is_matching(text) for context in siblings), (
        f"{example!r} does not match {entry.phrase!r}"
    )


def test_every_step_of_every_feature_matches_exactly_one_definition() -> None:
    assert step_matches([FEATURES]) == []


def test_a_step_with_no_definition_or_two_is_reported(tmp_path: Path) -> None:
    (tmp_path / "steps.feature").write_text(
        "Feature: Steps\n  Scenario Outline: Rows\n    Given Alice is a customer\n"
        "    When Alice juggles <n> balls\n\n    Examples:\n      | n |\n      | 3 |\n"
    )
    assert step_matches([tmp_path]) == ["steps.feature: When Alice juggles 3 balls: no definition"]

    @given(parsers.parse("Alice is a customer"))
    def twin() -> None:
        """Given Alice is a customer"""

    found = step_matches([tmp_path], also=[__name__])
    assert "steps.feature: Given Alice is a customer: a_customer, twin" in found


def test_only_scenarios_carry_the_registered_markers() -> None:
    """A run whose ``-m`` needs one of them collects the binding modules alone (steps.runner):
    a test elsewhere carrying one would silently drop out of such a run."""
    tags = "|".join(sorted(registered_tags()))
    marked = re.compile(rf"\bmark\.(?:{tags})\b")
    bindings = {BINDINGS_DIR / f"test_{domain}.py" for domain in DOMAINS}
    tests = Path(__file__).resolve().parents[1]
    carrying = [
        str(path.relative_to(tests))
        for path in sorted(tests.rglob("*.py"))
        if path not in bindings and marked.search(path.read_text(encoding="utf-8"))
    ]
    assert carrying == [], f"tests outside the binding modules carry scenario markers: {carrying}"
