"""Accounts, positions and the access token of the authentication section."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, SecretStr, StrictInt, StrictStr

from models.common import ContractModel, Money, Symbol, Timestamp, prefixed_id


class Currency(StrEnum):
    """The currencies an account can be kept in."""

    USD = "USD"
    EUR = "EUR"
    GBP = "GBP"


class Position(ContractModel):
    """Shares of one symbol held, at their average cost."""

    symbol: Symbol
    quantity: Annotated[StrictInt, Field(gt=0)]
    average_price: Money


class Account(ContractModel):
    """A customer's account: cash, buying power and positions."""

    account_id: Annotated[StrictStr, prefixed_id("acc")]
    username: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_]{3,32}$")]
    currency: Currency
    balance: Money
    buying_power: Money
    positions: list[Position]
    created_at: Timestamp


class AccessToken(ContractModel):
    """What signing in grants: a bearer token (masked in any repr) and its lifetime in seconds."""

    access_token: Annotated[SecretStr, Field(min_length=1)]
    token_type: Literal["bearer"]
    expires_in: Annotated[StrictInt, Field(ge=1, le=3600)]
