"""Expected answers: statuses accepted whatever the body, refusals as (status, code) pairs."""

from __future__ import annotations

import pytest

from framework.errors import ConfigurationError
from framework.expected import ErrorCodes, Expected


def _code(body: bytes) -> str | None:
    return body.decode() or None


CODES = ErrorCodes(
    read=_code, statuses={"NO_FUNDS": frozenset({422}), "BUSY": frozenset({429, 503})}
)
EXPECTED = Expected.of({201: None}, {(422, "NO_FUNDS"), (429, "BUSY")}, CODES)


@pytest.mark.parametrize(
    ("status", "body", "matches"),
    [
        (201, b"anything", True),
        (422, b"NO_FUNDS", True),
        (429, b"BUSY", True),
        (429, b"", False),
        (429, b"NO_FUNDS", False),
        (400, b"NO_FUNDS", False),
        (503, b"BUSY", False),
        (200, b"", False),
    ],
)
def test_an_answer_matches_only_as_a_status_or_a_named_pair(
    status: int, body: bytes, matches: bool
) -> None:
    assert EXPECTED.matches(status, body) is matches


@pytest.mark.parametrize(
    ("status", "code", "contract"),
    [
        (400, "NO_FUNDS", {422}),
        (422, "NO_FUNDS", None),
        (503, "BUSY", None),
        (500, "BUSY", {429, 503}),
        (400, "UNKNOWN", None),
        (400, None, None),
    ],
)
def test_drift_is_a_known_code_with_a_status_the_contract_does_not_give_it(
    status: int, code: str | None, contract: set[int] | None
) -> None:
    assert CODES.drift(status, code) == contract


def test_what_is_expected_reads_as_words() -> None:
    assert EXPECTED.describe() == "201, or refused with 422 NO_FUNDS, 429 BUSY"
    assert Expected.of({200: None, 404: None}).describe() == "200, 404"
    assert Expected.of().describe() == "a 2xx status"


def test_refusals_without_the_hook_that_reads_codes_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="ErrorCodes hook"):
        Expected.of({200: None}, {(404, "GONE")})
