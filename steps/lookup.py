"""One search per step text for the step definitions that match it, not one per step run.

pytest-bdd (9.0.1) finds the definitions matching a step by asking pytest, for every fixture
name of the session, which of its definitions the scenario sees, then matching the step's
text against each step definition among them: about 1.7 ms a step here, a third of a short
scenario's own time, and the same answer for every scenario of a module that has a step
with that keyword and text. :func:`install` wraps that search in a memo with this key.

The memo returns what the search would: step definitions are fixtures registered while the
suite is collected (the step modules are plugins; a test module may define its own), and
which of them a scenario sees depends only on its module and the folders above it, as a
scenario is a function of its module. A step definition registered later (none is) would
not be seen by a step text already looked up in that module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from importlib.metadata import version
from typing import Any
from weakref import WeakKeyDictionary

#: The pytest-bdd release whose search this memo was checked against (tests/acceptance/
#: test_lookup.py); with another release the search is left as it is.
CHECKED_RELEASE = "9.0.1"

_Search = Callable[..., Iterable[Any]]
#: The module of the search (``pytest_bdd.scenario`` as an attribute is its function
#: ``scenario``, not this module).
_scenario: Any = importlib.import_module("pytest_bdd.scenario")
_original: _Search = _scenario.find_fixturedefs_for_step


def installed() -> bool:
    """Whether pytest-bdd's search goes through the memo."""
    return _scenario.find_fixturedefs_for_step is not _original


def install() -> Callable[[], None]:
    """Put the memo in front of pytest-bdd's search; returns what takes it away again.

    Nothing is changed when pytest-bdd is not the release the memo was checked against, or
    when the memo is already in place (a run inside a run, as pytester makes).
    """
    if installed() or version("pytest-bdd") != CHECKED_RELEASE:
        return lambda: None
    _scenario.find_fixturedefs_for_step = memoized(_original)

    def uninstall() -> None:
        _scenario.find_fixturedefs_for_step = _original

    return uninstall


def memoized(search: _Search) -> _Search:
    """``search``, answering again from memory for the same session, module and step."""
    found: WeakKeyDictionary[Any, dict[tuple[str, str | None, str], list[Any]]]
    found = WeakKeyDictionary()

    def find(step: Any, fixturemanager: Any, node: Any) -> list[Any]:
        module = node.parent.nodeid if node.parent is not None else ""
        key = (module, step.type, step.name)
        known = found.setdefault(fixturemanager, {})
        if key not in known:
            known[key] = list(search(step=step, fixturemanager=fixturemanager, node=node))
        return known[key]

    return find
