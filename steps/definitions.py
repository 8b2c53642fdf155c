"""The step definitions read as code: their phrases, which do nothing, which use the controls.

``python -m steps.definitions`` prints each step definition whose body does nothing and exits 1
when there is any (``make lint`` runs it). A body does nothing when, past its docstring, it
holds only ``pass`` or ``...``, or nothing that calls, asserts, raises, returns or yields a
value, or sets a field of an object it was given: a definition pasted from the snippet of an
undefined step and emptied would let its scenario pass without checking anything.

The same reading says which definitions use the sandbox controls (prices, faults, clock, rate
limits), directly or through the functions they call, for the feature lint: a scenario using
one must be tagged ``@sandbox``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import inspect
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pytest_bdd.steps import step_function_context_registry

#: The project's root folder.
ROOT = Path(__file__).resolve().parent.parent
#: The folder of the step modules and their domain layer.
STEPS = ROOT / "steps"
#: The attribute through which a customer reaches the sandbox controls.
CONTROLS = "sandbox"
#: How alike (0 to 1, difflib's ratio) an existing sentence must be to be suggested.
SIMILAR = 0.6
#: The most sentences a snippet suggests.
SUGGESTIONS = 3


@dataclass(frozen=True, kw_only=True)
class StepEntry:
    """One step definition: its kind, its phrase, its module, its place and its docstring."""

    kind: str
    phrase: str
    module: str
    name: str
    line: int
    doc: str
    parser: Any  #: pytest-bdd's parser of the phrase (``is_matching(text)``)
    function: Any  #: the step function itself

    @property
    def path(self) -> Path:
        """The step module's file."""
        return ROOT / f"{self.module.replace('.', '/')}.py"

    @property
    def example(self) -> str:
        """The Gherkin sentence of its docstring, without the keyword (``Alice is a customer``)."""
        first = self.doc.partition("\n")[0]
        return first.partition(" ")[2]

    def matches(self, kind: str, text: str) -> bool:
        """Whether a step of ``kind`` (given, when, then) with ``text`` is this definition's."""
        return self.kind in ("step", kind) and bool(self.parser.is_matching(text))


def step_modules() -> list[str]:
    """The step modules the root ``conftest.py`` loads, in its order."""
    tree = ast.parse((ROOT / "conftest.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytest_plugins"
            for target in node.targets
        ):
            names = ast.literal_eval(node.value)
            return [name for name in names if name.startswith("steps.")]
    raise RuntimeError("conftest.py has no pytest_plugins list")


def entries(also: Iterable[str] = ()) -> list[StepEntry]:
    """Every step definition of the step modules (and of the modules named in ``also``)."""
    modules = step_modules()
    for name in modules:
        importlib.import_module(name)
    wanted = {*modules, *also}
    found = []
    for context in list(step_function_context_registry.values()):
        function = context.step_func
        if function.__module__ not in wanted:
            continue
        found.append(
            StepEntry(
                kind=context.type or "step",
                phrase=context.parser.name,
                module=function.__module__,
                name=function.__name__,
                line=inspect.getsourcelines(function)[1],
                doc=inspect.getdoc(function) or "",
                parser=context.parser,
                function=function,
            )
        )
    order = {name: index for index, name in enumerate(modules)}
    return sorted(
        found, key=lambda entry: (order.get(entry.module, len(order)), entry.line, entry.kind)
    )


def _source_of(function: Any) -> ast.FunctionDef | ast.AsyncFunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return node


def _is_none(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def does_nothing(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function's body, past its docstring, has no effect a step could have."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for statement in body:
        for inner in ast.walk(statement):
            if isinstance(
                inner, ast.Call | ast.Assert | ast.Raise | ast.Await | ast.Delete | ast.YieldFrom
            ):
                return False
            if isinstance(inner, ast.Return | ast.Yield) and not _is_none(inner.value):
                return False
            targets: list[ast.expr] = []
            if isinstance(inner, ast.Assign):
                targets = inner.targets
            elif isinstance(inner, ast.AugAssign | ast.AnnAssign):
                targets = [inner.target]
            if any(isinstance(target, ast.Attribute | ast.Subscript) for target in targets):
                return False
    return True


def idle(definitions: Sequence[StepEntry]) -> list[str]:
    """``path:line: does-nothing: …`` for each definition whose body does nothing."""
    found = []
    for entry in definitions:
        if does_nothing(_source_of(entry.function)):
            found.append(
                f"{entry.path.relative_to(ROOT)}:{entry.line}: does-nothing: the definition of "
                f'"{entry.phrase}" ({entry.name}) does nothing, so its scenarios would pass '
                "without a check: write its body (one domain action, or a check), or raise "
                "PendingStepError until it is written"
            )
    return found


def _reaches(node: ast.AST, names: frozenset[str] | set[str]) -> bool:
    """Whether ``node`` reads ``.sandbox`` or calls a function or method named in ``names``."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr == CONTROLS:
            return True
        if isinstance(inner, ast.Call):
            called = inner.func
            if (isinstance(called, ast.Name) and called.id in names) or (
                isinstance(called, ast.Attribute) and called.attr in names
            ):
                return True
    return False


@cache
def controls_users() -> frozenset[str]:
    """The functions of the step modules and ``steps/domain/`` that reach the sandbox
    controls, by name.

    A function reaches them when it reads ``.sandbox`` or calls a function that does, found
    again and again until nothing is added: ``buy_at`` sets a price, so a step that makes a
    customer hold shares uses the controls too.
    """
    files = [ROOT / f"{module.replace('.', '/')}.py" for module in step_modules()]
    functions: dict[str, list[ast.AST]] = {}
    for path in [*files, *sorted((STEPS / "domain").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.setdefault(node.name, []).append(node)
    users: set[str] = set()
    grown = True
    while grown:
        grown = False
        for name, nodes in functions.items():
            if name not in users and any(_reaches(node, users) for node in nodes):
                users.add(name)
                grown = True
    return frozenset(users)


def uses_controls(entry: StepEntry) -> bool:
    """Whether a step definition uses the sandbox controls, itself or through what it calls."""
    return _reaches(_source_of(entry.function), controls_users())


def _plain(text: str) -> str:
    """A sentence with its names and numbers made alike, for comparing wordings."""
    text = re.sub(r"\b(?:Alice|Bob|Carol|Dave|Eve)\b", "Alice", text)
    return re.sub(r"-?\d[\d,]*(?:\.\d+)?", "1", text)


def closest(kind: str, text: str, definitions: Sequence[StepEntry]) -> list[StepEntry]:
    """The existing definitions of ``kind`` whose example sentence reads most like ``text``."""
    scored = []
    plain = _plain(text)
    for entry in definitions:
        if entry.kind in ("step", kind) and entry.example:
            ratio = difflib.SequenceMatcher(None, plain, _plain(entry.example)).ratio()
            if ratio >= SIMILAR:
                scored.append((-ratio, entry.line, entry))
    return [entry for _, _, entry in sorted(scored, key=lambda item: item[:2])][:SUGGESTIONS]


def main(argv: Sequence[str] | None = None) -> int:
    """Print every step definition that does nothing; exit 1 when there is any."""
    parser = argparse.ArgumentParser(
        prog="python -m steps.definitions",
        description="Check that every step definition of the step modules does something.",
    )
    parser.parse_args(argv)
    problems = idle(entries())
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
