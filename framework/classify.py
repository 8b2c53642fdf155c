"""Failure classification: what kind of failure any exception is, for reports and summaries."""

from __future__ import annotations

import requests

from framework.errors import FailureCategory

__all__ = ["FailureCategory", "classify"]

#: Exceptions raised without a category of their own, checked in order; the first match decides.
_CATEGORIES: tuple[tuple[tuple[type[BaseException], ...], FailureCategory], ...] = (
    ((requests.RequestException, TimeoutError, ConnectionError), FailureCategory.ENVIRONMENT),
    ((AssertionError,), FailureCategory.PRODUCT_DEFECT),
)


def classify(exc: BaseException) -> FailureCategory:
    """Say what a failure is.

    A failure raised with its category (every framework error, and the suite's own
    ``SuiteDefectError``) says it itself: that is where what went wrong is known. Of the
    rest, a network error or a timeout is the environment, a failed assertion (a behaviour
    check) is a product defect, and anything else (a ``KeyError`` in step code …) is a test
    defect.
    """
    category = getattr(exc, "category", None)
    if isinstance(category, FailureCategory):
        return category
    for types, found in _CATEGORIES:
        if isinstance(exc, types):
            return found
    return FailureCategory.TEST_DEFECT
