"""Shared field types, the strict base model, the error codes and body, and the list page."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
)
from pydantic_core import PydanticCustomError


class ContractModel(BaseModel):
    """Base of every model: unknown fields are contract drift, and a parsed body never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _number_as_decimal(value: Any) -> Any:
    """Money travels as a JSON number: a string or a boolean is contract drift, not money.

    A number becomes an exact ``Decimal`` here (from its shortest repr), so that strict
    validation, which accepts only ``Decimal`` instances, reads it the same in both modes.
    """
    if isinstance(value, str | bool):
        raise PydanticCustomError(
            "json_number",
            "must be a JSON number, not a string or a boolean",
            {"json_type": "number"},
        )
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def _utc_with_z(value: Any) -> Any:
    """Timestamps are RFC 3339 in UTC with a `Z` suffix (fractional seconds allowed).

    The text is parsed here, so that strict validation gets a ``datetime`` in both modes.
    """
    if isinstance(value, str):
        if not _RFC3339_UTC.fullmatch(value):
            raise PydanticCustomError(
                "utc_timestamp",
                "must be an RFC 3339 timestamp in UTC ending in 'Z'",
                {"pattern": f"^{_RFC3339_UTC.pattern}$"},
            )
        whole, _, fraction = value[:-1].partition(".")
        return datetime.fromisoformat(f"{whole}.{fraction[:6].ljust(6, '0')}+00:00")
    return value


#: RFC 3339 date-time in UTC, `Z` suffix, optional fractional seconds.
_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


#: An amount of money or a price: a JSON number with at most 2 decimal places.
Money = Annotated[
    Decimal, BeforeValidator(_number_as_decimal), Field(decimal_places=2, allow_inf_nan=False)
]
#: A strictly positive price.
Price = Annotated[
    Decimal,
    BeforeValidator(_number_as_decimal),
    Field(gt=0, decimal_places=2, allow_inf_nan=False),
]
#: A point in time, RFC 3339 in UTC.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_utc_with_z)]
#: A listed market symbol.
Symbol = Annotated[StrictStr, Field(pattern=r"^[A-Z]{1,5}$")]


def prefixed_id(prefix: str) -> Any:
    """An opaque identifier with its type prefix and at least 96 random bits (16+ characters)."""
    return Field(pattern=rf"^{prefix}_[A-Za-z0-9_-]{{16,}}$")


#: bytes: the largest request body the API reads (1 MiB); a larger one is 413 PAYLOAD_TOO_LARGE
MAX_BODY_BYTES = 1 << 20


class ErrorCode(StrEnum):
    """Every error code of the contract: stable, UPPER_SNAKE, asserted on by the suite."""

    # conventions
    INVALID_JSON = "INVALID_JSON"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    MISSING_FIELD = "MISSING_FIELD"
    INVALID_PAGINATION = "INVALID_PAGINATION"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    # authentication and accounts
    INVALID_USERNAME = "INVALID_USERNAME"
    WEAK_PASSWORD = "WEAK_PASSWORD"  # noqa: S105 - an error code, not a password
    INVALID_CURRENCY = "INVALID_CURRENCY"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    INVALID_EXPIRES_IN = "INVALID_EXPIRES_IN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    # market data
    INVALID_SYMBOL = "INVALID_SYMBOL"
    SYMBOL_NOT_FOUND = "SYMBOL_NOT_FOUND"
    TOO_MANY_SYMBOLS = "TOO_MANY_SYMBOLS"
    # orders
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PRICE = "INVALID_PRICE"
    INVALID_SIDE = "INVALID_SIDE"
    INVALID_ORDER_TYPE = "INVALID_ORDER_TYPE"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INSUFFICIENT_POSITION = "INSUFFICIENT_POSITION"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    INVALID_STATUS = "INVALID_STATUS"
    ORDER_NOT_CANCELLABLE = "ORDER_NOT_CANCELLABLE"
    # payments
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_METHOD = "INVALID_METHOD"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    PAYMENT_NOT_FOUND = "PAYMENT_NOT_FOUND"
    # idempotency and rate limiting
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"
    RATE_LIMITED = "RATE_LIMITED"
    # sandbox controls
    INVALID_FAULT = "INVALID_FAULT"
    INVALID_OFFSET = "INVALID_OFFSET"
    INVALID_LIMIT = "INVALID_LIMIT"
    INJECTED_FAULT = "INJECTED_FAULT"


_400, _401, _404, _409, _413, _422, _429 = (
    frozenset({status}) for status in (400, 401, 404, 409, 413, 422, 429)
)

#: The contract's status for every error code (a set where it allows several): an answer with
#: a code and a status not given here is contract drift, whatever the step asked for.
ERROR_STATUSES: dict[ErrorCode, frozenset[int]] = {
    ErrorCode.INVALID_JSON: _400,
    ErrorCode.UNKNOWN_FIELD: _400,
    ErrorCode.MISSING_FIELD: _400,
    ErrorCode.INVALID_PAGINATION: _400,
    ErrorCode.PAYLOAD_TOO_LARGE: _413,
    ErrorCode.INVALID_USERNAME: _400,
    ErrorCode.WEAK_PASSWORD: _400,
    ErrorCode.INVALID_CURRENCY: _400,
    ErrorCode.USERNAME_TAKEN: _409,
    ErrorCode.INVALID_EXPIRES_IN: _400,
    ErrorCode.INVALID_CREDENTIALS: _401,
    ErrorCode.TOO_MANY_ATTEMPTS: _429,
    ErrorCode.UNAUTHENTICATED: _401,
    ErrorCode.ACCOUNT_NOT_FOUND: _404,
    ErrorCode.INVALID_SYMBOL: _400,
    ErrorCode.SYMBOL_NOT_FOUND: _404,
    ErrorCode.TOO_MANY_SYMBOLS: _400,
    ErrorCode.INVALID_QUANTITY: _400,
    ErrorCode.INVALID_PRICE: _400,
    ErrorCode.INVALID_SIDE: _400,
    ErrorCode.INVALID_ORDER_TYPE: _400,
    ErrorCode.INSUFFICIENT_FUNDS: _422,
    ErrorCode.INSUFFICIENT_POSITION: _422,
    ErrorCode.ORDER_NOT_FOUND: _404,
    ErrorCode.INVALID_STATUS: _400,
    ErrorCode.ORDER_NOT_CANCELLABLE: _409,
    ErrorCode.INVALID_AMOUNT: _400,
    ErrorCode.INVALID_METHOD: _400,
    ErrorCode.CURRENCY_MISMATCH: _400,
    ErrorCode.LIMIT_EXCEEDED: _422,
    ErrorCode.PAYMENT_NOT_FOUND: _404,
    ErrorCode.INVALID_IDEMPOTENCY_KEY: _400,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: _422,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE: _409,
    ErrorCode.RATE_LIMITED: _429,
    ErrorCode.INVALID_FAULT: _400,
    ErrorCode.INVALID_OFFSET: _400,
    ErrorCode.INVALID_LIMIT: _400,
    # a fault the sandbox stages answers the status it was given
    ErrorCode.INJECTED_FAULT: frozenset({429, 500, 502, 503, 504}),
}

#: Codes that share a status with trouble on the way (a gateway's 429, a key still in flight,
#: a staged fault): never implied by an action, only ever accepted when a step names them.
WEATHER_CODES = frozenset(
    {
        ErrorCode.RATE_LIMITED,
        ErrorCode.TOO_MANY_ATTEMPTS,
        ErrorCode.IDEMPOTENCY_KEY_IN_USE,
        ErrorCode.INJECTED_FAULT,
    }
)


def error_code(body: bytes) -> str | None:
    """The code an error body carries; ``None`` when it is not JSON or has no string code.

    Read leniently on purpose: the body of an answer not asked for may be anything (a
    gateway's page, another API's error), and its code alone decides how it is reported.
    """
    try:
        document = json.loads(body)
    except ValueError:
        return None
    code = document.get("code") if isinstance(document, dict) else None
    return code if isinstance(code, str) else None


class ErrorBody(ContractModel):
    """The one shape of every error the API produces."""

    code: ErrorCode
    message: Annotated[StrictStr, Field(min_length=1)]
    field: StrictStr | None
    request_id: Annotated[StrictStr, Field(min_length=1)]


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(ContractModel, Generic[ItemT]):
    """One page of a list, newest first; `next_cursor` is null on the last page."""

    items: list[ItemT]
    next_cursor: Annotated[StrictStr, Field(min_length=1)] | None
