"""The feature lint catches each kind of problem, and the suite's own features have none."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.lint import FEATURES, SMOKE_MAX, Wording, lint, main

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
        ("the response status is 201", "status-code"),
        ("Alice gets a 404", "status-code"),
        ("the API returns 422 for the order", "status-code"),
        ("Alice gets a 429 error", "status-code"),
        ('Alice sends {"symbol": "AAPL"}', "json"),
        ("Alice sends an order with the Idempotency-Key header", "header"),
        ("Alice sends X-Request-ID abc", "header"),
        ('Alice signs in with password: "hunter2hunter2"', "secret"),
        ('Alice signs in with password "hunter2"', "secret"),
        ('Alice signs in with the password is "hunter2"', "secret"),
        ('Alice signs in with "hunter2" as her password', "secret"),
        ("Alice has paid in 100.00", "wording"),
        ("Alice is notified once that her order was filled", "wording"),
        ("AAPL moves to 140.00 in Alice's market", "sandbox"),
        ("Alice moves her clock on by 10 seconds", "sandbox"),
        ("Alice signs in with Bearer abcdef", "secret"),
        ("Alice uses eyJhbGciOiJub25lIn0 to sign in", "secret"),
        ("Alice uses k3y9XqLr2VbN8mT4wPz7Yc1 to sign in", "secret"),
    ],
)
def test_each_rule_catches_its_mistake_in_a_step(tmp_path: Path, step: str, rule: str) -> None:
    problems = lint([_feature(tmp_path, step)], tags=TAGS)
    assert rule in {problem.rule for problem in problems}, problems
    assert all(problem.line == 5 for problem in problems if problem.rule == rule)


@pytest.mark.parametrize(
    "step",
    [
        "Alice places a market order to buy 200 AAPL",
        "Alice signs in for 300 seconds",
        "Alice lists her orders 200 at a time",
        "Alice deposits 404.00 by card",
        "Alice deposits 1,404.00 by card",
        "Alice opens an account with a password of 12 characters",
    ],
)
def test_counts_and_amounts_are_not_status_codes(tmp_path: Path, step: str) -> None:
    assert lint([_feature(tmp_path, step)], tags=TAGS) == []


def _outline(tmp_path: Path, step: str, column: str, *values: str, tags: str = "") -> Path:
    path = tmp_path / "outline.feature"
    rows = "".join(f"      | {value} |\n" for value in values)
    path.write_text(
        f"Feature: Outline\n  {tags}\n  Scenario Outline: Rows of <{column}>\n"
        f"    Given Alice is a customer\n    When {step}\n\n"
        f"    Examples:\n      | {column} |\n{rows}"
    )
    return path


def test_numbers_in_examples_are_amounts_and_quantities(tmp_path: Path) -> None:
    path = _outline(tmp_path, "Alice places a market order to buy <n> AAPL", "n", "404", "500")
    assert lint([path], tags=TAGS) == []


def test_a_status_code_an_outline_renders_is_caught(tmp_path: Path) -> None:
    path = _outline(tmp_path, "the API returns <status>", "status", "201", "404")
    problems = [problem for problem in lint([path], tags=TAGS) if problem.rule == "status-code"]
    assert [problem.line for problem in problems] == [5, 5]
    assert ["row of line 9" in problems[0].message, "row of line 10" in problems[1].message] == [
        True,
        True,
    ]


def test_sandbox_controls_in_an_examples_cell_need_the_tag(tmp_path: Path) -> None:
    step, column = "<request>", "request"
    cells = ("Alice asks for AAPL to trade at 100.00 in her market", "Alice lists her orders")
    untagged = _outline(tmp_path, step, column, *cells)
    assert [problem.rule for problem in lint([untagged], tags=TAGS)] == ["sandbox"]
    tagged = _outline(tmp_path, step, column, *cells, tags="@sandbox")
    assert lint([tagged], tags=TAGS) == []


def test_a_secret_in_a_password_column_is_caught(tmp_path: Path) -> None:
    path = _outline(tmp_path, "Alice signs in", "password", "letmein", "qwerty")
    problems = lint([path], tags=TAGS)
    assert [(problem.rule, problem.line) for problem in problems] == [
        ("secret", 9),
        ("secret", 10),
    ]


def test_a_one_row_outline_is_caught(tmp_path: Path) -> None:
    one = _outline(tmp_path, "Alice places a market order to buy <n> AAPL", "n", "1")
    assert [problem.rule for problem in lint([one], tags=TAGS)] == ["one-row-outline"]


def test_a_configured_wording_names_the_one_to_use(tmp_path: Path) -> None:
    wording = [Wording(concept="paying in", use="has deposited", avoid=("has paid in",))]
    path = _feature(tmp_path, "Alice has paid in 100.00")
    [problem] = lint([path], tags=TAGS, wording=wording)
    assert (problem.rule, problem.line) == ("wording", 5)
    assert "'has paid in'" in problem.message
    assert "'has deposited'" in problem.message


def test_problems_are_sorted_by_file_and_line(tmp_path: Path) -> None:
    second = tmp_path / "b.feature"
    second.write_text(GOOD.replace("Then the order is filled", "Then Alice gets a 404"))
    first = _feature(tmp_path, "Alice sends POST with an order", name="a.feature")
    first.write_text(first.read_text().replace("Then the order is filled", "Then Alice gets 201"))
    places = [
        (problem.path.name, problem.line)
        for problem in lint([second, first], tags=TAGS)
        if problem.rule != "duplicate-name"
    ]
    assert places == [("a.feature", 5), ("a.feature", 6), ("b.feature", 6)]


def test_help_says_what_the_lint_checks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m steps.lint")
    assert "one wording per concept" in out


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
