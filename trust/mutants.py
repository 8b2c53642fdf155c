"""The mutants of some modules, as cosmic-ray makes them, each named by what it changes.

cosmic-ray names a mutation by its operator and its occurrence: the n-th place in the
module where that operator applies. An edit anywhere above renumbers every place below it.
A `Mutant` here is named instead by its file, the function it is in (a qualified name such
as `Sandbox._key`), cosmic-ray's operator and the original text of the line it changes
(plus, when several places share all four, which of them in source order). An edit that
leaves a line and its function alone leaves its mutants' names alone.

The places are cosmic-ray's own (its operators, over its parso tree, in the order its
mutation visitor counts them), so that `occurrence` is what cosmic-ray applies.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cosmic_ray.ast import ast_nodes, get_ast
from cosmic_ray.plugins import get_operator, operator_names

#: cosmic-ray's provider prefix of its built-in operators, left out of a mutant's name
CORE = "core/"
#: how a module declares that its annotations are never evaluated (PEP 563)
_POSTPONED = re.compile(r"^from __future__ import (?:[\w, ]+, )?annotations\b", re.MULTILINE)
#: what encloses the changed text in a mutant's line
MARK = ("⟦", "⟧")
_HUNK = re.compile(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True, kw_only=True, slots=True, order=True)
class MutantId:
    """What a mutant changes, independent of line numbers."""

    file: str  #: the module's path from the project's root, with forward slashes
    function: str  #: qualified name of the enclosing function or class; `<module>` outside
    operator: str  #: cosmic-ray's operator, without its `core/` prefix
    text: str  #: the original line, the changed text marked ⟦so⟧, blanks made one space
    occurrence: int = 1  #: which of the places sharing the four fields above, from 1

    def __str__(self) -> str:
        which = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.file} · {self.function} · {self.operator}{which} · `{self.text}`"

    def as_dict(self) -> dict[str, Any]:
        """The fields, as the JSON results and the equivalence file name them."""
        return {
            "file": self.file,
            "function": self.function,
            "operator": self.operator,
            "text": self.text,
            "occurrence": self.occurrence,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class Mutant:
    """One mutation cosmic-ray can apply: its name, and where it is today."""

    id: MutantId
    operator_name: str  #: cosmic-ray's full operator name (`core/NumberReplacer`)
    occurrence: int  #: cosmic-ray's occurrence of the operator in the module, from 0
    start: tuple[int, int]  #: (line, column) of the change, lines from 1
    end: tuple[int, int]
    in_annotation: bool  #: inside a type annotation of a module that never evaluates them

    @property
    def lines(self) -> range:
        """The lines the change spans."""
        return range(self.start[0], self.end[0] + 1)


def _normalised(line: str) -> str:
    return " ".join(line.split())


def _defined_name(node: Any) -> str | None:
    if node.type in ("funcdef", "classdef"):
        return str(node.name.value)
    if node.type == "async_stmt":
        return _defined_name(node.children[-1])
    return None


def qualified_name(node: Any) -> str:
    """`Class.method` (or `function`, `<module>`) of the definition a node belongs to.

    A decorator belongs to what it decorates; a lambda to the function it is written in.
    """
    names: list[str] = []
    child, parent = node, node.parent
    if (own := _defined_name(node)) is not None:
        names.append(own)
    while parent is not None:
        if parent.type in ("funcdef", "classdef"):
            names.append(str(parent.name.value))
        elif parent.type == "decorated" and child is not parent.children[-1]:
            names.append(_defined_name(parent.children[-1]) or "<decorated>")
        child, parent = parent, parent.parent
    return ".".join(reversed(names)) or "<module>"


def in_annotation(node: Any) -> bool:
    """Whether a node is part of a parameter's, a return's or a variable's annotation."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "tfpdef" and child is parent.children[-1]:
            return True
        if parent.type == "annassign" and len(parent.children) > 1 and child is parent.children[1]:
            return True
        if parent.type == "funcdef" and child is parent.annotation:
            return True
        child, parent = parent, parent.parent
    return False


def _marked(line: str, start: tuple[int, int], end: tuple[int, int]) -> str:
    """The line with the changed text between ⟦ and ⟧ (to the line's end when it goes on)."""
    stop = end[1] if end[0] == start[0] else len(line)
    return _normalised(f"{line[: start[1]]}{MARK[0]}{line[start[1] : stop]}{MARK[1]}{line[stop:]}")


def module_mutants(root: Path, module: str) -> list[Mutant]:
    """Every mutant of one module (a path from `root`) under every core operator, in order."""
    source = (root / module).read_text(encoding="utf-8")
    lines = source.splitlines()
    postponed = bool(_POSTPONED.search(source))
    nodes = list(ast_nodes(get_ast(source)))
    places = []
    for name in operator_names():
        operator_class = get_operator(name)
        if operator_class.arguments():
            continue  # operators that need settings of their own are not used
        operator = operator_class()
        # cosmic-ray's occurrence: the n-th place of this operator in a pre-order walk.
        positions = (
            (node, start, end) for node in nodes for start, end in operator.mutation_positions(node)
        )
        for occurrence, (node, start, end) in enumerate(positions):
            places.append((start, name, occurrence, end, node))
    seen: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    mutants = []
    for start, name, occurrence, end, node in sorted(places, key=lambda place: place[:3]):
        function = qualified_name(node)
        operator_text = name.removeprefix(CORE)
        text = _marked(lines[start[0] - 1], start, end)
        seen[function, operator_text, text] += 1
        mutants.append(
            Mutant(
                id=MutantId(
                    file=module,
                    function=function,
                    operator=operator_text,
                    text=text,
                    occurrence=seen[function, operator_text, text],
                ),
                operator_name=name,
                occurrence=occurrence,
                start=start,
                end=end,
                in_annotation=postponed and in_annotation(node),
            )
        )
    return mutants


def all_mutants(root: Path, modules: Sequence[str]) -> list[Mutant]:
    """Every mutant of these modules, module by module, each in source order."""
    return [mutant for module in modules for mutant in module_mutants(root, module)]


class GitError(RuntimeError):
    """git could not say what changed; the message says why."""


def changed_lines(root: Path, ref: str, modules: Iterable[str]) -> dict[str, set[int]]:
    """The lines of each module, as it is now, that differ from the module at git ref `ref`."""
    changed: dict[str, set[int]] = {}
    for module in modules:
        done = subprocess.run(  # noqa: S603 - git, with our own arguments
            ["git", "diff", "--no-color", "--no-ext-diff", "--unified=0", ref, "--", module],  # noqa: S607
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            why = done.stderr.strip().splitlines()[0] if done.stderr.strip() else "git failed"
            raise GitError(f"cannot compare with {ref!r}: {why}")
        changed[module] = {
            line
            for start, count in _HUNK.findall(done.stdout)
            for line in range(int(start), int(start) + int(count or 1))
        }
    return changed


def since(mutants: Iterable[Mutant], changed: dict[str, set[int]]) -> list[Mutant]:
    """The mutants that change a line `changed` lists."""
    return [m for m in mutants if changed.get(m.id.file, set()).intersection(m.lines)]


def sample(mutants: Sequence[Mutant], size: int, seed: int) -> list[Mutant]:
    """`size` of the mutants drawn with `seed` (all when there are fewer), in their order.

    Each mutant's draw is a hash of the seed and its name, and the `size` lowest win, so
    the sample depends only on the seed and the names, not on their order; and code added
    or removed elsewhere only brings in or pushes out the few mutants whose draw beats
    (or lost to) a sample member's, instead of drawing a new sample.
    """
    if size >= len(mutants):
        return list(mutants)

    def draw(mutant: Mutant) -> str:
        return hashlib.sha256(f"{seed}\0{mutant.id!s}".encode()).hexdigest()

    drawn = {m.id for m in sorted(mutants, key=draw)[:size]}
    return [m for m in mutants if m.id in drawn]


def named(mutants: Sequence[Mutant], names: Iterable[MutantId]) -> tuple[list[Mutant], int]:
    """The mutants with these names, in their order, and how many names matched none."""
    wanted = set(names)
    found = [m for m in mutants if m.id in wanted]
    return found, len(wanted) - len(found)
