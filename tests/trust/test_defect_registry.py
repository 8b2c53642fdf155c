"""The seeded-defect catalogue: complete, well-formed, and switched on only by name."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from sandbox import defects, openapi
from sandbox.api import OPERATIONS
from sandbox.defects import CATALOGUE, Kind, Section
from tests.trust.commands import python_module


@pytest.fixture
def switched_off() -> Iterator[None]:
    """Whatever a test turns on is off again afterwards (the switch is per process)."""
    yield
    defects.enable(None)


def test_there_are_at_least_twenty_with_unique_snake_case_names() -> None:
    names = [defect.name for defect in CATALOGUE]
    assert len(names) >= 20
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z_]+", name) for name in names)


def test_every_defect_has_a_section_a_kind_and_a_description() -> None:
    for defect in CATALOGUE:
        assert isinstance(defect.section, Section), defect.name
        assert isinstance(defect.kind, Kind), defect.name
        assert defect.description, defect.name


def test_every_section_of_the_contract_has_a_defect() -> None:
    assert {defect.section for defect in CATALOGUE} == set(Section)


def test_every_kind_has_a_defect() -> None:
    assert {defect.kind for defect in CATALOGUE} == set(Kind)


def test_nothing_is_on_until_enabled(switched_off: None) -> None:
    assert not any(defects.active(defect.name) for defect in CATALOGUE)
    defects.enable("outage")
    assert [defect.name for defect in CATALOGUE if defects.active(defect.name)] == ["outage"]


def test_an_unknown_name_is_refused_with_where_to_look() -> None:
    with pytest.raises(defects.UnknownDefectError, match="--defect list"):
        defects.find("cash_evaporates")


@pytest.mark.parametrize(
    "name", [defect.name for defect in CATALOGUE if defect.schema_change is not None]
)
def test_a_drift_defect_changes_the_published_document_only_while_on(
    name: str, switched_off: None
) -> None:
    before = openapi.build(OPERATIONS)["components"]["schemas"]
    defects.enable(name)
    during = openapi.build(OPERATIONS)["components"]["schemas"]
    defects.enable(None)
    after = openapi.build(OPERATIONS)["components"]["schemas"]
    assert during != before
    assert after == before


def test_defect_list_prints_the_catalogue() -> None:
    done = python_module("sandbox", "--defect", "list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [defect.name for defect in CATALOGUE]
    assert "payments" in lines[[d.name for d in CATALOGUE].index("withdrawal_limit_ignored")]


def test_an_unknown_defect_at_start_is_one_clear_line() -> None:
    done = python_module("sandbox", "--port", "0", "--defect", "cash_evaporates")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "sandbox: argument --defect: no defect named 'cash_evaporates': "
        "`python -m sandbox --defect list` shows the catalogue (see python -m sandbox --help)\n"
    )
