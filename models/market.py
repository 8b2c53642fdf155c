"""Quotes of the market data section."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from models.common import ContractModel, Price, Symbol, Timestamp


class Quote(ContractModel):
    """The price of one symbol and the shares traded in it so far."""

    symbol: Symbol
    price: Price
    volume: Annotated[StrictInt, Field(ge=0)]
    timestamp: Timestamp


class Quotes(ContractModel):
    """Several quotes, in the order they were asked for."""

    quotes: Annotated[list[Quote], Field(min_length=1, max_length=20)]
