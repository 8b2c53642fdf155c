"""The feature lint catches each kind of problem, and the suite's own features have none."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.lint import FEATURES, SMOKE_MAX, lint, main

TAGS = frozenset({"orders", "smoke", "sandbox"})

GOOD = """\
@orders
Feature: Good
  Scenario: A customer places an order
    Given Alice is a customer
    When Alice places a market order to buy 1 AAPL
    Then the order is filled
"""


def _feature(tmp_path: Path, step: str, *, name: str = "bad.feature") -> Path:
    path = tmp_path / name
    path.write_text(GOOD.replace("Alice places a market order to buy 1 AAPL", step))
    return path


def test_a_good_feature_has_no_problem(tmp_path: Path) -> None:
    assert lint([_feature(tmp_path, "Alice places a market order to buy 1 AAPL")], tags=TAGS) == []


@pytest.mark.parametrize(
    ("step", "rule"),
    [
        ("Alice calls https://api.example.com/orders", "url"),
        ("Alice sends an order to /orders", "url"),
        ("Alice sends POST with an order", "http-verb"),
        ("the answer is status 201", "status-code"),
        ("the answer is 404 Not Found", "status-code"),
        ('Alice sends {"symbol": "AAPL"}', "json"),
        ("Alice sends an order with the Idempotency-Key header", "header"),
        ("Alice sends X-Request-ID abc", "header"),
        ('Alice signs in with password: "hunter2hunter2"', "secret"),
        ("Alice signs in with Bearer abcdef", "secret"),
        ("Alice uses eyJhbGciOiJub25lIn0 to sign in", "secret"),
        ("Alice uses k3y9XqLr2VbN8mT4wPz7Yc1 to sign in", "secret"),
    ],
)
def test_each_rule_catches_its_mistake_in_a_step(tmp_path: Path, step: str, rule: str) -> None:
    problems = lint([_feature(tmp_path, step)], tags=TAGS)
    assert rule in {problem.rule for problem in problems}, problems
    assert all(problem.line == 5 for problem in problems if problem.rule == rule)


def test_mechanics_in_examples_cells_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "outline.feature"
    path.write_text(
        "Feature: Outline\n  Scenario Outline: Orders of <n>\n"
        "    When Alice places a market order to buy <n> AAPL\n\n"
        "    Examples:\n      | n          |\n      | 1          |\n      | GET /orders |\n"
    )
    rules = {problem.rule for problem in lint([path], tags=TAGS)}
    assert {"http-verb", "url"} <= rules


def test_duplicate_names_in_a_feature_and_across_features_are_caught(tmp_path: Path) -> None:
    twice = tmp_path / "twice.feature"
    twice.write_text(GOOD + GOOD.split("\n", 2)[2].replace("Scenario", "Scenario", 1))
    other = tmp_path / "zother.feature"
    other.write_text(GOOD)
    problems = [
        problem for problem in lint([tmp_path], tags=TAGS) if problem.rule == "duplicate-name"
    ]
    assert {problem.path.name for problem in problems} == {"twice.feature", "zother.feature"}


def test_unregistered_tags_and_tags_on_examples_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "tags.feature"
    path.write_text(
        GOOD.replace("@orders", "@orders @ordres")
        + "\n  Scenario Outline: Tagged rows <n>\n    When Alice waits <n>\n\n"
        "    @smoke\n    Examples:\n      | n |\n      | 1 |\n"
    )
    problems = lint([path], tags=TAGS)
    assert {"unknown-tag", "examples-tag"} <= {problem.rule for problem in problems}
    assert any("@ordres" in problem.message for problem in problems)


def test_a_smoke_scenario_cannot_need_the_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "smoke.feature"
    path.write_text(GOOD.replace("  Scenario:", "  @smoke @sandbox\n  Scenario:"))
    assert [problem.rule for problem in lint([path], tags=TAGS)] == ["smoke"]


def test_the_smoke_set_is_small(tmp_path: Path) -> None:
    body = "".join(
        f"  @smoke\n  Scenario: Smoke {index}\n    Given Alice is a customer\n"
        for index in range(SMOKE_MAX + 1)
    )
    path = tmp_path / "smoke.feature"
    path.write_text(f"Feature: Many\n{body}")
    problems = lint([path], tags=TAGS)
    assert [problem.rule for problem in problems] == ["smoke"]
    assert f"{SMOKE_MAX + 1} scenarios" in problems[0].message


def test_the_command_prints_each_problem_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _feature(tmp_path, "Alice sends POST with an order")
    assert main([str(path)]) == 1
    assert "bad.feature:5: http-verb: 'POST'" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.feature")]) == 2


def test_the_suites_features_have_no_problem() -> None:
    assert [str(problem) for problem in lint([FEATURES])] == []
