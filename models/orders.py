"""Orders of the orders section."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictInt, StrictStr

from models.common import ContractModel, Page, Price, Symbol, Timestamp, prefixed_id


class Side(StrEnum):
    """Whether an order buys or sells."""

    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    """MARKET fills at the current price; LIMIT only at its limit or better."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    PENDING = "PENDING"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"


class Order(ContractModel):
    """An order as the API reports it."""

    order_id: Annotated[StrictStr, prefixed_id("ord")]
    symbol: Symbol
    side: Side
    order_type: OrderType
    quantity: Annotated[StrictInt, Field(ge=1, le=100_000)]
    limit_price: Price | None
    status: OrderStatus
    fill_price: Price | None
    created_at: Timestamp
    filled_at: Timestamp | None


#: One page of the caller's orders, newest first.
OrderPage = Page[Order]
