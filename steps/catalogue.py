"""The step catalogue: every step definition with its Gherkin example, generated from the code.

``python -m steps.catalogue`` prints it; ``--write`` writes ``docs/steps.md`` (``make
steps-doc``); ``--check`` exits 1 when ``docs/steps.md`` is out of date. The steps are
those of the step modules the root ``conftest.py`` loads, grouped by module, in the
order they are defined.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.parser import FeatureParser
from pytest_bdd.steps import step_function_context_registry

from steps.lint import feature_files

#: The project's root folder.
ROOT = Path(__file__).resolve().parent.parent
#: Where the catalogue is written.
DOC = ROOT / "docs" / "steps.md"


@dataclass(frozen=True, kw_only=True)
class StepEntry:
    """One step definition: its kind, its phrase, its module and its docstring."""

    kind: str
    phrase: str
    module: str
    name: str
    line: int
    doc: str


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


def entries() -> list[StepEntry]:
    """Every step definition of the step modules."""
    modules = step_modules()
    for name in modules:
        importlib.import_module(name)
    found = []
    for context in list(step_function_context_registry.values()):
        function = context.step_func
        if function.__module__ not in modules:
            continue
        found.append(
            StepEntry(
                kind=context.type or "step",
                phrase=context.parser.name,
                module=function.__module__,
                name=function.__name__,
                line=inspect.getsourcelines(function)[1],
                doc=inspect.getdoc(function) or "",
            )
        )
    order = {name: index for index, name in enumerate(modules)}
    return sorted(found, key=lambda entry: (order[entry.module], entry.line, entry.kind))


def step_matches(paths: Sequence[Path], *, also: Sequence[str] = ()) -> list[str]:
    """Each step of the features under ``paths`` that matches no definition or several.

    pytest-bdd silently takes one of several matching definitions, whichever pytest lists
    last; a step must therefore match exactly one. Outlines are checked row by row. The
    definitions are those of the step modules, and of the modules named in ``also``.
    """
    entries()  # loads the step modules
    modules = {*step_modules(), *also}
    contexts = [
        context
        for context in step_function_context_registry.values()
        if context.step_func.__module__ in modules
    ]
    problems: list[str] = []
    for path in feature_files(paths):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            rows = [row for examples in template.examples for row in examples.as_contexts()]
            for row in rows or [{}]:
                for step in template.render(row).steps:
                    matching = [
                        context.step_func.__name__
                        for context in contexts
                        if context.type in (None, step.type)
                        and context.parser.is_matching(step.name)
                    ]
                    if len(matching) != 1:
                        found = ", ".join(matching) or "no definition"
                        problems.append(f"{path.name}: {step.keyword} {step.name}: {found}")
    return sorted(set(problems))


def render() -> str:
    """The catalogue as Markdown."""
    lines = [
        "# Step catalogue",
        "",
        "Generated from the step definitions by `python -m steps.catalogue --write`",
        "(`make steps-doc`); do not edit by hand. Each step shows the phrase it matches",
        "(`{field:Type}` fields are described in [suite.md](suite.md)) and, from its",
        "docstring, the Gherkin that uses it.",
    ]
    module = None
    for entry in entries():
        if entry.module != module:
            module = entry.module
            summary = (sys.modules[module].__doc__ or "").strip().splitlines()[0]
            lines += ["", f"## `{module}`", "", summary]
        example, _, notes = entry.doc.partition("\n")
        lines += ["", f"- **{entry.kind}** `{entry.phrase}`"]
        if example:
            lines += ["", "  ```gherkin", f"  {example}", "  ```"]
        lines += [f"  {line}".rstrip() for line in notes.strip().splitlines() if notes.strip()]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the catalogue, write it (``--write``) or check it is up to date (``--check``)."""
    args = sys.argv[1:] if argv is None else list(argv)
    text = render()
    if args == ["--write"]:
        DOC.write_text(text, encoding="utf-8")
    elif args == ["--check"]:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run `make steps-doc`", file=sys.stderr)
            return 1
    elif not args:
        sys.stdout.write(text)
    else:
        print("usage: python -m steps.catalogue [--write | --check]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
