"""The domain layer: secrets stay out of reprs, sandbox controls out of untagged scenarios,
and the suite's own mistakes are reported as test defects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from framework.classify import FailureCategory, classify
from framework.client import ApiClient
from framework.errors import SuiteDefectError
from framework.settings import Settings
from models.common import ErrorCode
from steps.domain.customers import (
    Cast,
    SandboxControlsNotAllowedError,
    made_up_token,
    new_password,
    unique_username,
)
from steps.vocabulary import listing, money, pages


@pytest.fixture
def client() -> Iterator[ApiClient]:
    # Nothing is sent: the tests only build customers.
    with ApiClient(Settings(api_url=None), base_url="http://127.0.0.1:9") as built:
        yield built


def test_a_customer_shows_no_secret(client: ApiClient) -> None:
    alice = Cast(client, controls_allowed=False).introduce("Alice")
    alice.session.token = SecretStr("tok-from-the-api")
    password = alice.session.password.get_secret_value()
    for shown in (repr(alice), repr(alice.session), repr(alice.orders), str(alice.session)):
        assert password not in shown
        assert "tok-from-the-api" not in shown


def test_an_untagged_scenario_cannot_use_the_sandbox_controls(client: ApiClient) -> None:
    alice = Cast(client, controls_allowed=False).introduce("Alice")
    with pytest.raises(SandboxControlsNotAllowedError, match="tag it @sandbox") as caught:
        alice.sandbox  # noqa: B018 - the access itself is what is refused
    assert classify(caught.value) is FailureCategory.TEST_DEFECT


def test_usernames_are_valid_and_unique() -> None:
    names = {unique_username("Alice") for _ in range(1000)}
    assert len(names) == 1000
    assert all(3 <= len(name) <= 32 and name.replace("_", "").isalnum() for name in names)
    assert all(name == name.lower() for name in names)


def test_generated_secrets_have_the_asked_length_and_differ() -> None:
    assert len(new_password(11).get_secret_value()) == 11
    assert new_password().get_secret_value() != new_password().get_secret_value()
    assert made_up_token().get_secret_value() != made_up_token().get_secret_value()


def test_a_customer_must_be_introduced_before_being_named(client: ApiClient) -> None:
    with pytest.raises(SuiteDefectError, match="Given Bob is a customer"):
        Cast(client, controls_allowed=False)["Bob"]


def test_a_customer_cannot_be_introduced_twice(client: ApiClient) -> None:
    cast = Cast(client, controls_allowed=False)
    cast.introduce("Alice")
    with pytest.raises(SuiteDefectError, match="Alice has already been introduced"):
        cast.introduce("Alice")


def test_a_code_shared_with_trouble_on_the_way_is_never_implied(client: ApiClient) -> None:
    alice = Cast(client, controls_allowed=False).introduce("Alice")
    with pytest.raises(SuiteDefectError, match="RATE_LIMITED unasked"):
        alice.market.call("quote", "GET", "/market/AAPL", ok={}, refusals=[ErrorCode.RATE_LIMITED])


def test_a_code_named_for_a_block_is_read_there_only(client: ApiClient) -> None:
    session = Cast(client, controls_allowed=False).introduce("Alice").session
    session.reads(ErrorCode.RATE_LIMITED)
    with session.reading(ErrorCode.RATE_LIMITED, ErrorCode.IDEMPOTENCY_KEY_IN_USE):
        assert session.answers == {ErrorCode.RATE_LIMITED, ErrorCode.IDEMPOTENCY_KEY_IN_USE}
    assert session.answers == {ErrorCode.RATE_LIMITED}


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("MSFT, AAPL, TSLA", ["MSFT", "AAPL", "TSLA"]),
        ("1,000.00, 2.00 and 3.00", ["1,000.00", "2.00", "3.00"]),
        ("10.00", ["10.00"]),
    ],
)
def test_a_listing_splits_on_commas_with_a_space_and_on_and(text: str, items: list[str]) -> None:
    assert listing(text) == items


def test_pages_split_on_then() -> None:
    assert pages("5 and 4, then 3 and 2, then 1") == [["5", "4"], ["3", "2"], ["1"]]


def test_money_reads_thousands_separators_exactly() -> None:
    assert str(money("1,000,000.01")) == "1000000.01"
