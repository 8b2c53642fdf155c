"""Failure classification: what kind of failure any exception is, for reports and summaries."""

from __future__ import annotations

from enum import StrEnum

import requests

from framework.errors import (
    ConfigurationError,
    ContractViolation,
    RetriesExhausted,
    TransportError,
    UnexpectedStatus,
)


class FailureCategory(StrEnum):
    """The four kinds of failure a run reports."""

    PRODUCT_DEFECT = "product defect"  #: the API behaved wrongly: a behaviour check failed
    CONTRACT_DRIFT = "contract drift"  #: a body no longer matches its declared model
    ENVIRONMENT = "environment"  #: unreachable, timed out, retries exhausted, misconfigured
    TEST_DEFECT = "test defect"  #: anything else: an error in the test code itself


#: Exception types checked in order; the first match decides.
_CATEGORIES: tuple[
    tuple[type[BaseException] | tuple[type[BaseException], ...], FailureCategory], ...
] = (
    (ContractViolation, FailureCategory.CONTRACT_DRIFT),
    (
        (
            RetriesExhausted,
            TransportError,
            ConfigurationError,
            requests.RequestException,
            TimeoutError,
            ConnectionError,
        ),
        FailureCategory.ENVIRONMENT,
    ),
    ((UnexpectedStatus, AssertionError), FailureCategory.PRODUCT_DEFECT),
)


def classify(exc: BaseException) -> FailureCategory:
    """Say what a failure is.

    ``ContractViolation`` is contract drift; a transport error, exhausted retries, a
    timeout or a configuration error is the environment; an unexpected status or a failed
    assertion is a product defect; anything else (a ``KeyError`` in step code …) is a test
    defect.
    """
    for types, category in _CATEGORIES:
        if isinstance(exc, types):
            return category
    return FailureCategory.TEST_DEFECT
