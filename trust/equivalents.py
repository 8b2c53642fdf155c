"""Mutants recorded as equivalent: changes that no request can tell from the original.

The record is a TOML file of `[[equivalent]]` entries, each naming one mutant as
`trust.mutants.MutantId` does (file, function, operator, text, and occurrence when it is
not 1) with its kind and a one-line reason. Three kinds are accepted, no others:

- `a`: the change is in a type annotation (code that never runs);
- `b`: no request can reach the changed code (the reason says why);
- `c`: the change alters nothing the contract lets a client observe; the entry quotes,
  in `contract`, the contract's words that make it unobservable.

Mutants inside the annotations of a module with `from __future__ import annotations` are
kind `a` by construction and need no entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from trust.mutants import MutantId


class Kind(StrEnum):
    """Why a mutant is equivalent."""

    ANNOTATION = "a"
    UNREACHABLE = "b"
    UNOBSERVABLE = "c"

    @property
    def label(self) -> str:
        """How the report names the kind."""
        return {
            "a": "(a) type annotation",
            "b": "(b) unreachable by any request",
            "c": "(c) unobservable under the contract",
        }[self.value]


@dataclass(frozen=True, kw_only=True, slots=True)
class Equivalence:
    """One entry of the record."""

    mutant: MutantId
    kind: Kind
    reason: str
    contract: str | None = None  #: the contract's words (kind c)


class EquivalenceFileError(ValueError):
    """The record cannot be used; the message names the file, the entry and what is wrong."""


_REQUIRED = ("file", "function", "operator", "text", "kind", "reason")
_ALLOWED = {*_REQUIRED, "occurrence", "contract"}


def _one_line(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\n" not in value


def _entry(raw: Any, where: str) -> Equivalence:
    if not isinstance(raw, dict):
        raise EquivalenceFileError(f"{where}: must be a table of keys")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise EquivalenceFileError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(raw) - _ALLOWED)
    if unknown:
        raise EquivalenceFileError(
            f"{where}: unknown key {', '.join(unknown)} (keys: {', '.join(sorted(_ALLOWED))})"
        )
    for key in ("file", "function", "operator", "text", "reason"):
        if not _one_line(raw[key]):
            raise EquivalenceFileError(f"{where}: {key} must be one line of text")
    try:
        kind = Kind(raw["kind"])
    except ValueError:
        raise EquivalenceFileError(
            f"{where}: kind must be a (type annotation), b (unreachable) or c (unobservable"
            f" under the contract), not {raw['kind']!r}"
        ) from None
    contract = raw.get("contract")
    if kind is Kind.UNOBSERVABLE and not _one_line(contract):
        raise EquivalenceFileError(
            f"{where}: kind c needs contract, the contract's words that make the change"
            " unobservable, quoted on one line"
        )
    if kind is not Kind.UNOBSERVABLE and contract is not None:
        raise EquivalenceFileError(f"{where}: contract is for kind c only")
    occurrence = raw.get("occurrence", 1)
    if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1:
        raise EquivalenceFileError(f"{where}: occurrence must be a whole number from 1")
    return Equivalence(
        mutant=MutantId(
            file=raw["file"],
            function=raw["function"],
            operator=raw["operator"],
            text=raw["text"],
            occurrence=occurrence,
        ),
        kind=kind,
        reason=raw["reason"].strip(),
        contract=None if contract is None else " ".join(contract.split()),
    )


def load(path: Path) -> list[Equivalence]:
    """The entries of the record at `path` (none when there is no file)."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EquivalenceFileError(f"{path}: not TOML ({exc})") from None
    unknown = sorted(set(data) - {"equivalent"})
    if unknown:
        raise EquivalenceFileError(f"{path}: unknown table {', '.join(unknown)} ([[equivalent]])")
    raw_entries = data.get("equivalent", [])
    if not isinstance(raw_entries, list):
        raise EquivalenceFileError(f"{path}: equivalent must be an array of tables")
    entries = [_entry(raw, f"{path}, entry {n}") for n, raw in enumerate(raw_entries, 1)]
    seen: set[MutantId] = set()
    for n, entry in enumerate(entries, 1):
        if entry.mutant in seen:
            raise EquivalenceFileError(f"{path}, entry {n}: the same mutant is recorded twice")
        seen.add(entry.mutant)
    return entries


def unquoted(entries: Iterable[Equivalence], contract_text: str) -> list[Equivalence]:
    """Kind c entries whose quote is not in the contract (blanks compared as one space)."""
    words = " ".join(contract_text.split())
    return [e for e in entries if e.contract is not None and e.contract not in words]


def stale(entries: Iterable[Equivalence], mutants: Iterable[MutantId]) -> list[Equivalence]:
    """Entries that name no mutant of the code as it is now."""
    existing = set(mutants)
    return [entry for entry in entries if entry.mutant not in existing]


def entry_text(mutant: MutantId) -> str:
    """A ready-to-fill TOML entry for a mutant (kind, reason and contract left to write)."""
    lines = [
        "[[equivalent]]",
        f"file = {_toml_string(mutant.file)}",
        f"function = {_toml_string(mutant.function)}",
        f"operator = {_toml_string(mutant.operator)}",
        f"text = {_toml_string(mutant.text)}",
    ]
    if mutant.occurrence > 1:
        lines.append(f"occurrence = {mutant.occurrence}")
    lines += ['kind = ""  # a, b or c', 'reason = ""', 'contract = ""  # kind c only']
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    """A TOML literal string when the text allows one (code reads best unescaped)."""
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
