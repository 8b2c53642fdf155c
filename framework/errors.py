"""The framework's own error hierarchy; third-party exceptions are translated into it once.

Every failure is raised with its category (``FailureCategory``), decided where it is raised,
where what went wrong is known; ``framework.classify`` reads it::

    FrameworkError                      every error carries its request and, if any, response
    ├── ConfigurationError              environment: a setting or argument is wrong (one line)
    ├── TransportError                  environment: no usable answer came back
    │   ├── ConnectError                the request never left (refused, DNS, TLS handshake)
    │   │   ├── ConnectTimeout
    │   │   └── CertificateError    the server's certificate failed verification
    │   └── ReadError                   the request left; it may have been executed
    │       └── ReadTimeout
    ├── RetriesExhausted                environment: every allowed attempt failed
    ├── BudgetSpent                     environment: the caller's time ran out before sending
    ├── UnexpectedStatus                an answer the caller did not ask for: a product defect,
    │                                   or contract drift when its code comes with a status
    │                                   the contract does not give that code
    └── ContractViolation               contract drift: the body does not match its model

    SuiteDefectError                    test defect: the test code used something wrongly
    └── PendingStepError                a step definition pasted from a snippet, not written yet

The message of every ``FrameworkError`` except ``ConfigurationError`` is a report in a fixed
layout: summary, details, request, response, attempts and a ``curl`` line, all redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, TypedDict, Unpack

from framework.exchange import Attempt, RequestRecord, ResponseRecord, format_report


class FailureCategory(StrEnum):
    """The four kinds of failure a run reports."""

    PRODUCT_DEFECT = "product defect"  #: the API behaved wrongly: a behaviour check failed
    CONTRACT_DRIFT = "contract drift"  #: an answer no longer matches the documented contract
    ENVIRONMENT = "environment"  #: unreachable, timed out, retries exhausted, misconfigured
    TEST_DEFECT = "test defect"  #: an error in the test code itself


class ReportParts(TypedDict, total=False):
    """The optional parts of a failure report, shared by every error's constructor."""

    details: str | None
    request: RequestRecord | None
    response: ResponseRecord | None
    attempts: tuple[Attempt, ...]
    curl: str | None


class FrameworkError(Exception):
    """Base of every error the framework raises; each kind says its category."""

    category: FailureCategory = FailureCategory.ENVIRONMENT

    def __init__(
        self,
        summary: str,
        *,
        details: str | None = None,
        request: RequestRecord | None = None,
        response: ResponseRecord | None = None,
        attempts: tuple[Attempt, ...] = (),
        curl: str | None = None,
    ) -> None:
        super().__init__(summary)
        self.summary = summary
        self.details = details
        self.request = request
        self.response = response
        self.attempts = attempts
        self.curl = curl

    def attach(
        self,
        *,
        request: RequestRecord,
        response: ResponseRecord | None,
        attempts: tuple[Attempt, ...],
        curl: str | None,
    ) -> None:
        """Complete the report once the request is over (the client calls this)."""
        self.request = request
        self.response = response
        self.attempts = attempts
        self.curl = curl

    def __str__(self) -> str:
        return format_report(
            self.summary,
            details=self.details,
            request=self.request,
            response=self.response,
            attempts=self.attempts,
            curl=self.curl,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.summary!r})"


class ConfigurationError(FrameworkError):
    """A setting or an argument is invalid; ``str()`` is one line naming it and what is expected."""

    def __str__(self) -> str:
        return self.summary


class TransportError(FrameworkError):
    """No usable answer came back from the server; ``detail`` says why in a few words."""

    def __init__(self, summary: str, *, detail: str, **parts: Unpack[ReportParts]) -> None:
        super().__init__(summary, **parts)
        self.detail = detail


class ConnectError(TransportError):
    """The request never reached the server: safe to resend whatever the method."""


class ConnectTimeout(ConnectError):  # noqa: N818 - named as in the agreed interface
    """The connection was not established within the connect timeout."""


class CertificateError(ConnectError):
    """The server's TLS certificate failed verification: retrying cannot help."""


class ReadError(TransportError):
    """The connection broke after the request was sent: it may have been executed."""


class ReadTimeout(ReadError):  # noqa: N818 - named as in the agreed interface
    """The server did not answer within the read timeout."""


class RetriesExhausted(FrameworkError):  # noqa: N818 - named as in the agreed interface
    """Every allowed attempt failed with a retryable outcome; the last one is kept.

    ``last_error`` is the transport error of the last attempt, or ``None`` when the last
    attempt got a response (then in ``response``, body included).
    """

    def __init__(
        self, summary: str, *, last_error: TransportError | None, **parts: Unpack[ReportParts]
    ) -> None:
        super().__init__(summary, **parts)
        self.last_error = last_error


class BudgetSpent(FrameworkError):  # noqa: N818 - says what happened, as the others do
    """The request was not sent: the time budget the caller gave its requests had run out."""


class UnexpectedStatus(FrameworkError):  # noqa: N818 - named as in the agreed interface
    """The server answered with an outcome the caller did not ask for.

    ``code`` is the error code the body carried (``None`` without one), ``expected`` the
    statuses the caller accepted, whatever the body, and ``refusals`` the (status, code)
    pairs it accepted as well. A product defect, unless the code is
    one the contract gives other statuses (``drift=True``): then the answer itself breaks
    the contract, and the failure is contract drift.
    """

    def __init__(
        self,
        summary: str,
        *,
        status: int,
        expected: tuple[int, ...],
        code: str | None = None,
        refusals: tuple[tuple[int, str], ...] = (),
        drift: bool = False,
        **parts: Unpack[ReportParts],
    ) -> None:
        super().__init__(summary, **parts)
        self.status = status
        self.expected = expected
        self.refusals = refusals
        self.code = code
        self.category = FailureCategory.CONTRACT_DRIFT if drift else FailureCategory.PRODUCT_DEFECT


@dataclass(frozen=True, kw_only=True, slots=True)
class Mismatch:
    """One field of a body that does not match its model.

    ``path`` is the field as people read it (``items[0].price``), ``location`` the same as a
    JSON path, and ``rule`` the rule it broke as data (``framework.contract.rule_of``).
    """

    path: str
    expected: str
    received: str
    location: tuple[str | int, ...] = ()
    rule: Mapping[str, Any] = field(default_factory=dict)


class ContractViolation(FrameworkError):  # noqa: N818 - named as in the agreed interface
    """A response body does not match the model declared for its status."""

    category = FailureCategory.CONTRACT_DRIFT

    def __init__(
        self, summary: str, *, mismatches: tuple[Mismatch, ...], **parts: Unpack[ReportParts]
    ) -> None:
        super().__init__(summary, **parts)
        self.mismatches = mismatches


class SuiteDefectError(Exception):
    """The test code itself is wrong (a step used where it cannot work): a test defect.

    Raised by step code for its own mistakes, so that they are never filed as the product's.
    """

    category: ClassVar[FailureCategory] = FailureCategory.TEST_DEFECT


class PendingStepError(SuiteDefectError):
    """A step definition that is still the generated snippet: its body is not written yet.

    A scenario that reaches it fails as a test defect instead of passing without a check.
    """
