"""The step catalogue: every step definition with its Gherkin example, generated from the code.

``python -m steps.catalogue`` prints it; ``--write`` writes ``docs/steps.md`` (``make
steps-doc``); ``--check`` exits 1 when ``docs/steps.md`` is out of date. The steps are
those of the step modules the root ``conftest.py`` loads, grouped by module, in the
order they are defined.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_bdd.parser import FeatureParser

from steps.definitions import entries
from steps.lint import feature_files

#: The project's root folder.
ROOT = Path(__file__).resolve().parent.parent
#: Where the catalogue is written.
DOC = ROOT / "docs" / "steps.md"


def step_matches(paths: Sequence[Path], *, also: Sequence[str] = ()) -> list[str]:
    """Each step of the features under ``paths`` that matches no definition or several.

    pytest-bdd silently takes one of several matching definitions, whichever pytest lists
    last; a step must therefore match exactly one. Outlines are checked row by row. The
    definitions are those of the step modules, and of the modules named in ``also``.
    """
    definitions = entries(also)
    problems: list[str] = []
    for path in feature_files(paths):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            rows = [row for examples in template.examples for row in examples.as_contexts()]
            for row in rows or [{}]:
                for step in template.render(row).steps:
                    matching = [
                        entry.name for entry in definitions if entry.matches(step.type, step.name)
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
