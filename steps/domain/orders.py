"""Orders: placing, looking up, listing and cancelling."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.common import ErrorCode
from models.orders import Order, OrderPage
from steps.domain.outcome import Outcome
from steps.domain.session import Resource, query

#: Why an order may be refused (the contract's codes for placing one).
ORDER_REFUSALS = (
    ErrorCode.INVALID_QUANTITY,
    ErrorCode.INVALID_PRICE,
    ErrorCode.INVALID_SIDE,
    ErrorCode.INVALID_ORDER_TYPE,
    ErrorCode.INVALID_SYMBOL,
    ErrorCode.SYMBOL_NOT_FOUND,
    ErrorCode.INSUFFICIENT_FUNDS,
    ErrorCode.INSUFFICIENT_POSITION,
)


class OrdersApi(Resource):
    """The order resource of one customer."""

    def place(
        self,
        *,
        symbol: str,
        side: str,
        quantity: int | Decimal | None,
        order_type: str,
        limit_price: Decimal | None = None,
        extra: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Outcome[Order]:
        """Place an order; a ``None`` quantity is left out, ``extra`` adds fields as given.

        ``key`` is its idempotency key (a fresh one when left out).
        """
        body: dict[str, Any] = {"symbol": symbol, "side": side, "order_type": order_type}
        if quantity is not None:
            body["quantity"] = quantity
        if limit_price is not None:
            body["limit_price"] = limit_price
        body.update(extra or {})
        return self.send(body, key=key)

    def send(self, body: Any, *, key: str | None = None) -> Outcome[Order]:
        """Send an order form exactly as given, well-formed or not."""
        return self.call(
            "order", "POST", "/orders", ok={201: Order}, refusals=ORDER_REFUSALS, json=body, key=key
        )

    def get(self, order_id: str) -> Outcome[Order]:
        """One order by its id."""
        return self.call(
            "order lookup",
            "GET",
            f"/orders/{order_id}",
            ok={200: Order},
            refusals=(ErrorCode.ORDER_NOT_FOUND,),
        )

    def list(
        self,
        *,
        status: str | None = None,
        limit: int | tuple[int, ...] | None = None,
        cursor: str | None = None,
    ) -> Outcome[OrderPage]:
        """One page of the customer's orders, newest first, optionally of one status.

        Several page sizes send the size once each (a request the contract refuses).
        """
        return self.call(
            "order list",
            "GET",
            "/orders",
            ok={200: OrderPage},
            refusals=(ErrorCode.INVALID_STATUS, ErrorCode.INVALID_PAGINATION),
            params=query(status=status, limit=limit, cursor=cursor),
        )

    def cancel(self, order_id: str) -> Outcome[Order]:
        """Cancel an order (cancelling a cancelled one again changes nothing)."""
        return self.call(
            "cancellation",
            "DELETE",
            f"/orders/{order_id}",
            ok={200: Order},
            refusals=(ErrorCode.ORDER_NOT_FOUND, ErrorCode.ORDER_NOT_CANCELLABLE),
        )
