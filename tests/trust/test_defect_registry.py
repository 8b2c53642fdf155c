"""The seeded-defect catalogue: complete, well-formed, made outside `sandbox/`, and by name only."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import sandbox
from sandbox.rules import CONTRACT, Rules
from tests.trust.commands import python_module
from trust.defects import (
    CATALOGUE,
    Kind,
    Seam,
    Section,
    UnknownDefectError,
    Wire,
    WrongToolError,
    find,
    seed,
)

SEAMS = [defect for defect in CATALOGUE if isinstance(defect.made_by, Seam)]


def _sandbox_modules() -> list[ModuleType]:
    names = sorted(path.stem for path in Path(sandbox.__file__).parent.glob("*.py"))
    return [importlib.import_module(f"sandbox.{name}") for name in names if name != "__main__"]


@pytest.fixture
def restored() -> Iterator[None]:
    """Every seam a test replaces is put back afterwards (a replacement lasts for the process)."""
    saved = []
    for defect in SEAMS:
        assert isinstance(defect.made_by, Seam)
        owner, attribute = defect.made_by._owner()
        saved.append((owner, attribute, inspect.getattr_static(owner, attribute)))
    yield
    for owner, attribute, value in saved:
        setattr(owner, attribute, value)


def test_there_are_at_least_twenty_with_unique_snake_case_names() -> None:
    names = [defect.name for defect in CATALOGUE]
    assert len(names) >= 20
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z_]+", name) for name in names)


def test_every_defect_has_a_section_a_kind_a_description_and_a_way_to_be_made() -> None:
    for defect in CATALOGUE:
        assert isinstance(defect.section, Section), defect.name
        assert isinstance(defect.kind, Kind), defect.name
        assert defect.description, defect.name
        assert isinstance(defect.made_by, Rules | Seam | Wire), defect.name


def test_every_section_every_kind_and_every_way_of_making_has_a_defect() -> None:
    assert {defect.section for defect in CATALOGUE} == set(Section)
    assert {defect.kind for defect in CATALOGUE} == set(Kind)
    assert {type(defect.made_by) for defect in CATALOGUE} == {Rules, Seam, Wire}


def test_other_rules_differ_from_the_contract_in_one_value() -> None:
    for defect in CATALOGUE:
        if isinstance(defect.made_by, Rules):
            changed = [
                rule.name
                for rule in dataclasses.fields(Rules)
                if getattr(defect.made_by, rule.name) != getattr(CONTRACT, rule.name)
            ]
            assert len(changed) == 1, (defect.name, changed)


@pytest.mark.parametrize("name", [defect.name for defect in SEAMS])
def test_a_seam_is_a_function_the_sandbox_calls_through_the_replaced_name(name: str) -> None:
    seam = find(name).made_by
    assert isinstance(seam, Seam)
    original = seam.original()
    assert inspect.isfunction(original), seam.name
    assert seam.module.startswith("sandbox.")
    # Another module holding the function under its own name would call the original and
    # bypass the replacement (a `from … import` of it); only where it is defined may hold it.
    holders = [
        module.__name__
        for module in _sandbox_modules()
        if module.__name__ not in (seam.module, original.__module__)
        and any(value is original for value in vars(module).values())
    ]
    assert holders == [], f"{seam.name} is also bound in {holders}"


@pytest.mark.usefixtures("restored")
def test_seeding_a_seam_replaces_its_function_and_keeps_the_contracts_rules() -> None:
    for defect in SEAMS:
        assert isinstance(defect.made_by, Seam)
        before = defect.made_by.original()
        assert seed(defect) == CONTRACT
        assert defect.made_by.original() is not before, defect.name


def test_seeding_other_rules_returns_them_and_a_wire_defect_is_refused() -> None:
    assert seed(find("quantity_unbounded")) == Rules(max_quantity=10**9)
    with pytest.raises(WrongToolError, match="python -m trust proxy --defect outage"):
        seed(find("outage"))


def test_an_unknown_name_is_refused_with_where_to_look() -> None:
    with pytest.raises(UnknownDefectError, match="defects --list"):
        find("cash_evaporates")


def test_the_sandbox_knows_nothing_of_defects() -> None:
    for module in _sandbox_modules():
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) trust\b", source, re.MULTILINE), module.__name__
        assert "defect" not in source.lower(), module.__name__
    assert "--defect" not in python_module("sandbox", "--help").stdout


def test_defects_list_prints_the_catalogue_with_how_each_is_made() -> None:
    done = python_module("trust", "defects", "--list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [defect.name for defect in CATALOGUE]
    withdrawals = lines[[d.name for d in CATALOGUE].index("withdrawal_limit_ignored")]
    assert "payments" in withdrawals
    assert "rules" in withdrawals
    assert (
        "seam sandbox.service._settle_cash"
        in lines[[d.name for d in CATALOGUE].index("buy_not_debited")]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("sandbox", "--port", "0", "--defect", "cash_evaporates"),
            "trust: argument --defect: no defect named 'cash_evaporates': "
            "`python -m trust defects --list` shows the catalogue (see python -m trust --help)\n",
        ),
        (
            ("sandbox", "--defect", "outage", "--port", "0"),
            "trust: outage changes what goes over the wire, not the sandbox: put "
            "`python -m trust proxy --defect outage --upstream URL` in front of a sandbox\n",
        ),
        (
            ("proxy", "--defect", "buy_not_debited", "--upstream", "http://127.0.0.1:9"),
            "trust: buy_not_debited is made inside the sandbox, not on the wire: start a sandbox"
            " with it, `python -m trust sandbox --defect buy_not_debited`\n",
        ),
        (
            ("proxy", "--defect", "outage", "--upstream", "https://user:secret@staging.example"),
            "trust: argument --upstream: must be the API's base URL: http:// or https://, a host"
            " and maybe a path, with no credentials, query or fragment (http://127.0.0.1:8000)"
            " (see python -m trust --help)\n",
        ),
        (
            ("defects", "--only", "cash_evaporates"),
            "trust: argument --only: no defect named 'cash_evaporates': "
            "`python -m trust defects --list` shows the catalogue (see python -m trust --help)\n",
        ),
    ],
    ids=["unknown", "wire-in-sandbox", "seam-in-proxy", "bad-upstream", "unknown-only"],
)
def test_a_bad_defect_command_is_one_clear_line(args: tuple[str, ...], message: str) -> None:
    done = python_module("trust", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == message
