"""Failure classification of each kind of failure: its own category first, else its type."""

from __future__ import annotations

import pytest
import requests

from framework.classify import FailureCategory, classify
from framework.errors import (
    ConfigurationError,
    ConnectError,
    ConnectTimeout,
    ContractViolation,
    ReadError,
    ReadTimeout,
    RetriesExhausted,
    SuiteDefectError,
    UnexpectedStatus,
)


@pytest.mark.parametrize(
    ("failure", "category"),
    [
        (ContractViolation("drift", mismatches=()), FailureCategory.CONTRACT_DRIFT),
        (RetriesExhausted("gone", last_error=None), FailureCategory.ENVIRONMENT),
        (ConnectError("refused", detail="x"), FailureCategory.ENVIRONMENT),
        (ConnectTimeout("slow", detail="x"), FailureCategory.ENVIRONMENT),
        (ReadError("reset", detail="x"), FailureCategory.ENVIRONMENT),
        (ReadTimeout("slow", detail="x"), FailureCategory.ENVIRONMENT),
        (ConfigurationError("API_URL wrong"), FailureCategory.ENVIRONMENT),
        (requests.ConnectionError("raw"), FailureCategory.ENVIRONMENT),
        (TimeoutError(), FailureCategory.ENVIRONMENT),
        (UnexpectedStatus("500", status=500, expected=(200,)), FailureCategory.PRODUCT_DEFECT),
        (
            UnexpectedStatus("400 X", status=400, expected=(201,), code="X", drift=True),
            FailureCategory.CONTRACT_DRIFT,
        ),
        (SuiteDefectError("Alice was introduced twice"), FailureCategory.TEST_DEFECT),
        (AssertionError("balance is 90, expected 100"), FailureCategory.PRODUCT_DEFECT),
        (KeyError("price"), FailureCategory.TEST_DEFECT),
        (TypeError("bad call"), FailureCategory.TEST_DEFECT),
        (ZeroDivisionError(), FailureCategory.TEST_DEFECT),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_classify(failure: BaseException, category: FailureCategory) -> None:
    assert classify(failure) is category


class _CategorisedError(AssertionError):
    """An assertion raised with a category of its own: the category wins over the type."""

    category = FailureCategory.TEST_DEFECT


def test_a_category_given_where_the_failure_is_raised_wins_over_its_type() -> None:
    assert classify(_CategorisedError("the step reads another action's refusal")) is (
        FailureCategory.TEST_DEFECT
    )


def test_categories_read_as_words() -> None:
    assert [str(c) for c in FailureCategory] == [
        "product defect",
        "contract drift",
        "environment",
        "test defect",
    ]
