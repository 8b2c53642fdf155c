"""The error hierarchy and its messages."""

from __future__ import annotations

import pytest

from framework.errors import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    ConnectTimeout,
    ContractViolation,
    FrameworkError,
    ReadError,
    ReadTimeout,
    RetriesExhausted,
    TransportError,
    UnexpectedStatus,
)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (ConfigurationError, FrameworkError),
        (TransportError, FrameworkError),
        (ConnectError, TransportError),
        (ConnectTimeout, ConnectError),
        (CertificateError, ConnectError),
        (ReadError, TransportError),
        (ReadTimeout, ReadError),
        (RetriesExhausted, FrameworkError),
        (UnexpectedStatus, FrameworkError),
        (ContractViolation, FrameworkError),
    ],
)
def test_hierarchy(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)


def test_configuration_error_is_one_line() -> None:
    error = ConfigurationError("API_URL='x' is invalid: expected an http(s) URL")
    assert str(error) == "API_URL='x' is invalid: expected an http(s) URL"


def test_repr_is_the_summary_only() -> None:
    error = UnexpectedStatus("GET /x answered 500", status=500, expected=(200,), details="body")
    assert repr(error) == "UnexpectedStatus('GET /x answered 500')"
    assert str(error) == "GET /x answered 500\n\nbody"
