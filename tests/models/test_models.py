"""Every model of `models/` forbids unknown fields and reads the contract's types exactly."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import models
from models.accounts import AccessToken, Account
from models.common import (
    ERROR_STATUSES,
    WEATHER_CODES,
    ErrorBody,
    ErrorCode,
    Money,
    Timestamp,
    error_code,
)
from models.market import Quote
from models.orders import Order, OrderPage, OrderStatus


def _all_models() -> list[type[BaseModel]]:
    """Every pydantic model defined or aliased in any module of the models package."""
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"models.{info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value is not BaseModel:
                found[f"{module.__name__}.{name}"] = value
    return [found[key] for key in sorted(found)]


ALL_MODELS = _all_models()


def test_the_models_package_is_discovered() -> None:
    names = {model.__name__ for model in ALL_MODELS}
    assert {"Account", "Order", "Payment", "Quote", "ErrorBody", "Notification"} <= names


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_every_model_forbids_unknown_fields(model: type[BaseModel]) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate({"surely_not_a_contract_field": 1})
    unknown = [
        error
        for error in raised.value.errors()
        if error["type"] == "extra_forbidden" and error["loc"] == ("surely_not_a_contract_field",)
    ]
    assert unknown, f"{model.__name__} accepted an unknown field"


ORDER: dict[str, Any] = {
    "order_id": "ord_4f9c2b7e1a0d3c5b6e8f",
    "symbol": "AAPL",
    "side": "BUY",
    "order_type": "LIMIT",
    "quantity": 10,
    "limit_price": 150.10,
    "status": "PENDING",
    "fill_price": None,
    "created_at": "2026-11-27T10:30:00.125Z",
    "filled_at": None,
}


def test_an_order_reads_money_as_decimal_from_json() -> None:
    order = Order.model_validate_json(json.dumps(ORDER), strict=True)
    assert order.limit_price == Decimal("150.10")
    assert order.status is OrderStatus.PENDING
    assert order.created_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("limit_price", "150.10"),
        ("limit_price", 150.105),
        ("limit_price", 0),
        ("quantity", 1.5),
        ("quantity", "10"),
        ("status", "OPEN"),
        ("created_at", "2026-11-27T10:30:00+01:00"),
        ("created_at", "2026-11-27 10:30:00Z"),
        ("order_id", "acc_4f9c2b7e1a0d3c5b6e8f"),
        ("order_id", "ord_short"),
        ("symbol", "aapl"),
    ],
)
def test_an_order_refuses_values_outside_the_contract(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Order.model_validate_json(json.dumps({**ORDER, field: value}), strict=True)
    assert [error["loc"][0] for error in raised.value.errors()] == [field]


def test_a_page_of_orders_reads_its_items_and_cursor() -> None:
    page = OrderPage.model_validate({"items": [ORDER], "next_cursor": None})
    assert [order.order_id for order in page.items] == [ORDER["order_id"]]
    assert page.next_cursor is None


def test_an_error_body_takes_only_codes_of_the_contract() -> None:
    body = {"code": "INSUFFICIENT_FUNDS", "message": "m", "field": None, "request_id": "r"}
    assert ErrorBody.model_validate(body).code is ErrorCode.INSUFFICIENT_FUNDS
    with pytest.raises(ValidationError):
        ErrorBody.model_validate({**body, "code": "SOMETHING_ELSE"})


def test_every_error_code_has_the_contracts_status() -> None:
    assert set(ERROR_STATUSES) == set(ErrorCode)
    assert all(
        statuses and statuses <= set(range(400, 600)) for statuses in ERROR_STATUSES.values()
    )
    assert ERROR_STATUSES[ErrorCode.INSUFFICIENT_FUNDS] == {422}
    assert ERROR_STATUSES[ErrorCode.INJECTED_FAULT] == {429, 500, 502, 503, 504}
    assert ERROR_STATUSES[ErrorCode.PAYLOAD_TOO_LARGE] == {413}


def test_the_codes_that_share_a_status_with_trouble_on_the_way() -> None:
    assert {code for code in ErrorCode if ERROR_STATUSES[code] & {409, 429, 502, 503, 504}} == (
        WEATHER_CODES | {ErrorCode.USERNAME_TAKEN, ErrorCode.ORDER_NOT_CANCELLABLE}
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"code": "INSUFFICIENT_FUNDS", "message": "m"}', "INSUFFICIENT_FUNDS"),
        (b'{"code": "SOMETHING_ELSE"}', "SOMETHING_ELSE"),
        (b"<html><body>429 Too Many Requests</body></html>", None),
        (b"", None),
        (b'{"message": "API rate limit exceeded"}', None),
        (b'{"code": 429}', None),
        (b"[1, 2]", None),
        (b"\xff\xfe", None),
    ],
)
def test_the_code_of_any_error_body(body: bytes, code: str | None) -> None:
    assert error_code(body) == code


def test_an_account_keeps_cash_exact() -> None:
    account = Account.model_validate_json(
        json.dumps(
            {
                "account_id": "acc_0a1b2c3d4e5f6a7b8c9d",
                "username": "alice_01",
                "currency": "EUR",
                "balance": 10000.1,
                "buying_power": 8500,
                "positions": [{"symbol": "AAPL", "quantity": 3, "average_price": 10.01}],
                "created_at": "2026-11-27T10:30:00Z",
            }
        )
    )
    assert account.balance == Decimal("10000.10")
    assert account.positions[0].average_price == Decimal("10.01")


def test_a_quote_price_must_be_positive() -> None:
    quote = {"symbol": "AAPL", "price": 0, "volume": 0, "timestamp": "2026-11-27T10:30:00Z"}
    with pytest.raises(ValidationError):
        Quote.model_validate(quote)


def test_an_access_token_never_shows_in_its_repr() -> None:
    token = AccessToken.model_validate(
        {"access_token": "tok-very-secret", "token_type": "bearer", "expires_in": 60}
    )
    assert "tok-very-secret" not in repr(token)
    assert "tok-very-secret" not in str(token)
    assert token.access_token.get_secret_value() == "tok-very-secret"


class _Holding(BaseModel):
    balance: Money
    created_at: Timestamp


def test_the_models_own_validators_name_their_rule_in_the_error_context() -> None:
    """A replay checks a broken field again without the model: the error says the rule."""
    body = '{"balance": "1.00", "created_at": "2026-01-01T00:00:00+00:00"}'
    with pytest.raises(ValidationError) as caught:
        _Holding.model_validate_json(body, strict=True)
    contexts = {error["loc"][0]: error.get("ctx", {}) for error in caught.value.errors()}
    assert contexts["balance"] == {"json_type": "number"}
    assert contexts["created_at"]["pattern"].endswith("Z$")
