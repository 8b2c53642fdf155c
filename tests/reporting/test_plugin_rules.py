"""The report plugin's rules alone: tags with a tracker id, and how failures are classified."""

from __future__ import annotations

import pytest

from framework.classify import FailureCategory
from framework.errors import (
    ContractViolation,
    RetriesExhausted,
    SuiteDefectError,
    UnexpectedStatus,
)
from reporting.pytest_plugin import categorize, is_product_failure, pytest_bdd_apply_tag


def _scenario() -> None:
    """Stands for a scenario function pytest-bdd applies tags to."""


@pytest.mark.parametrize(
    ("tag", "marker"),
    [("defect:TRD-123", "defect"), ("issue:OPS-9", "issue"), ("req:REQ-7.2", "req")],
)
def test_a_tag_with_a_tracker_id_becomes_a_marker_with_the_id(tag: str, marker: str) -> None:
    def scenario() -> None:
        """A scenario."""

    assert pytest_bdd_apply_tag(tag, scenario) is True
    [mark] = scenario.pytestmark  # type: ignore[attr-defined]
    assert (mark.name, mark.args) == (marker, (tag.split(":", 1)[1],))


@pytest.mark.parametrize("tag", ["defect", "defect:", "issue:has space", "req::x"])
def test_a_tag_without_a_valid_id_stops_with_the_right_form(tag: str) -> None:
    kind = tag.split(":", 1)[0]
    with pytest.raises(pytest.UsageError, match=rf"needs a tracker id.*e\.g\. @{kind}:TRD-123"):
        pytest_bdd_apply_tag(tag, _scenario)


@pytest.mark.parametrize("tag", ["smoke", "defects", "critical", "sandbox"])
def test_other_tags_are_left_to_pytest_bdd(tag: str) -> None:
    assert pytest_bdd_apply_tag(tag, _scenario) is None


@pytest.mark.parametrize(
    ("error", "category"),
    [
        (AssertionError("the order was refused"), FailureCategory.PRODUCT_DEFECT),
        (ContractViolation("GET /x: 1 mismatched field", mismatches=()), "contract drift"),
        (KeyError("missing"), FailureCategory.TEST_DEFECT),
        (AssertionError("[environment] the clock of the test host is off"), "environment"),
        (NotImplementedError("[Test Defect] not written yet"), "test defect"),
        (pytest.fail.Exception("Timeout (>60.0s) from pytest-timeout."), "environment"),
        (pytest.fail.Exception("no target API"), FailureCategory.TEST_DEFECT),
    ],
)
def test_a_failure_is_classified_by_its_tag_else_by_its_type(
    error: BaseException, category: str
) -> None:
    assert categorize(error) == category


@pytest.mark.parametrize(
    ("error", "known"),
    [
        (AssertionError("the order was refused"), True),
        (UnexpectedStatus("500", status=500, expected=(200,)), True),
        (UnexpectedStatus("400 X", status=400, expected=(201,), code="X", drift=True), True),
        (ContractViolation("1 mismatched field", mismatches=()), True),
        (RetriesExhausted("still 503", last_error=None), False),
        (SuiteDefectError("the step speaks of the deposit"), False),
        (KeyError("missing"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_a_known_defect_matches_only_the_products_failures(
    error: BaseException, known: bool
) -> None:
    assert is_product_failure(error) is known
