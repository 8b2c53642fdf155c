"""Step definitions read as code: one that does nothing is refused, controls are found through
calls, and a snippet for an undefined step names its module and the sentences like it."""

from __future__ import annotations

import ast

import pytest
from pytest_bdd import given, parsers

from steps.definitions import ROOT, controls_users, does_nothing, entries, idle, main
from steps.runner import snippet

#: Bodies that do nothing, by what they hold.
IDLE = {
    "a docstring only": '    """Given Alice juggles 3 balls"""\n',
    "pass": '    """Given Alice juggles 3 balls"""\n    pass\n',
    "an ellipsis": "    ...\n",
    "a local name only": "    juggled = count\n",
    "return None": "    return None\n",
    "a bare return": "    if count:\n        return\n",
}

#: Bodies that do something, by what they do.
DOING = {
    "a call": "    cast.introduce(name)\n",
    "an assertion": "    assert count == 3\n",
    "a raise": '    raise PendingStepError("not written yet")\n',
    "a returned value": "    return count\n",
    "a field set on what it was given": "    cast.padded = True\n",
}


def _function(body: str) -> ast.FunctionDef:
    node = ast.parse(f"def step(cast, name, count):\n{body}").body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


@pytest.mark.parametrize("body", IDLE.values(), ids=IDLE)
def test_a_body_that_does_nothing_is_found(body: str) -> None:
    assert does_nothing(_function(body))


@pytest.mark.parametrize("body", DOING.values(), ids=DOING)
def test_a_body_that_does_something_passes(body: str) -> None:
    assert not does_nothing(_function(body))


@given(parsers.parse("Alice juggles {count:d} balls"))
def juggles(count: int) -> None:
    """Given Alice juggles 3 balls"""


def test_a_definition_that_does_nothing_is_reported_with_its_place() -> None:
    [problem] = idle([entry for entry in entries(also=[__name__]) if entry.module == __name__])
    assert problem.startswith("tests/acceptance/test_definitions.py:")
    assert ": does-nothing: " in problem
    assert '"Alice juggles {count:d} balls"' in problem


def test_every_step_definition_of_the_suite_does_something(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0, capsys.readouterr().out


def test_the_controls_are_found_through_the_functions_that_reach_them() -> None:
    users = controls_users()
    assert {"see_price", "buy_at", "advance_clock", "holds_shares", "trades_at"} <= users
    assert not {"fund", "has_deposited", "a_customer_with_cash"} & users


def test_a_snippet_names_the_module_of_the_closest_sentence_and_suggests_it() -> None:
    text = snippet(
        "given",
        "Given",
        "Alice is a customer with 500.00 dollars in cash",
        ROOT / "features" / "orders" / "limit_orders.feature",
    )
    assert text.startswith("Add to steps/customers.py ")
    assert '@given(phrase("{name:Name} is a customer with {amount:Money} dollars in cash"))' in text
    assert "raise PendingStepError(" in text
    assert "Given Alice is a customer with 10,000.00 in cash    (steps/customers.py:" in text


def test_without_a_close_sentence_a_snippet_names_the_module_of_the_features_domain() -> None:
    feature = ROOT / "features" / "market_data" / "quotes.feature"
    text = snippet("then", "Then", "Bob juggles 3 balls and 2 pins worth 2.50", feature)
    assert text.startswith("Add to steps/market.py ")
    assert "did you mean" not in text
    assert "def bob_juggles" not in text
    assert "(cast: Cast, name: str, amount: Decimal, count: int, count_2: int)" in text
