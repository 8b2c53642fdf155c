"""The memo of pytest-bdd's step search answers as the search itself, for every step of the
suite, and is in place for the pinned pytest-bdd."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd.parser import FeatureParser

from steps import lookup
from steps.lint import FEATURES, feature_files


def every_step() -> list[Any]:
    """One step of each keyword and text in the feature files, outlines row by row."""
    found: dict[tuple[str | None, str], Any] = {}
    for path in feature_files([FEATURES]):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            rows = [row for examples in template.examples for row in examples.as_contexts()]
            for row in rows or [{}]:
                for step in template.render(row).steps:
                    found.setdefault((step.type, step.name), step)
    return list(found.values())


def test_the_memo_is_in_place_for_the_pinned_release() -> None:
    assert lookup.installed(), (
        f"pytest-bdd is not {lookup.CHECKED_RELEASE}: check steps/lookup.py against its "
        "find_fixturedefs_for_step, then update CHECKED_RELEASE"
    )


def test_the_memo_finds_what_the_search_finds_for_every_step(
    request: pytest.FixtureRequest,
) -> None:
    manager, node = request._fixturemanager, request.node
    memo = lookup._scenario.find_fixturedefs_for_step
    steps = every_step()
    assert len(steps) > 100
    for step in steps:
        searched = list(lookup._original(step=step, fixturemanager=manager, node=node))
        assert len(searched) == 1, f"{step.keyword} {step.name}: {searched}"
        assert list(memo(step=step, fixturemanager=manager, node=node)) == searched
        assert list(memo(step=step, fixturemanager=manager, node=node)) == searched  # remembered


def test_the_memo_keeps_apart_what_each_module_sees() -> None:
    calls: list[str] = []

    def search(*, step: Any, fixturemanager: Any, node: Any) -> list[str]:
        calls.append(node.parent.nodeid)
        return [f"{node.parent.nodeid}:{step.name}"]

    class Node:
        def __init__(self, module: str) -> None:
            self.parent = type("Module", (), {"nodeid": module})()

    class Manager:
        """Stands for a session's fixture manager."""

    step = type("Step", (), {"type": "given", "name": "Alice is a customer"})()
    find, manager = lookup.memoized(search), Manager()
    assert find(step, manager, Node("a.py")) == ["a.py:Alice is a customer"]
    assert find(step, manager, Node("b.py")) == ["b.py:Alice is a customer"]
    assert find(step, manager, Node("a.py")) == ["a.py:Alice is a customer"]
    assert calls == ["a.py", "b.py"]
    assert find(step, Manager(), Node("a.py")) == ["a.py:Alice is a customer"]
    assert calls == ["a.py", "b.py", "a.py"], "another session searches anew"
