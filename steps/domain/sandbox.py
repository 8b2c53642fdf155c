"""The sandbox controls of one customer: market prices, faults, clock and rate limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.common import ErrorCode
from models.market import Quote
from models.sandbox import Clock, FaultList, FaultRecord, RateLimit
from steps.domain.outcome import Outcome
from steps.domain.session import Resource


class SandboxApi(Resource):
    """Controls scoped to the calling customer; a real deployment answers none of them."""

    def is_sandbox(self) -> bool:
        """Ask the target: a sandbox lists the caller's faults, a real deployment answers 404."""
        token = self.session.token.get_secret_value() if self.session.token else None
        response = self.session.client.request(
            "GET", "/_sandbox/faults", token=token, expect={200: FaultList, 404: None}
        )
        return response.status == 200

    def set_price(self, symbol: str, price: Decimal) -> Outcome[Quote]:
        """Move the market price of a symbol as this customer sees it."""
        return self.call(
            "price change",
            "PUT",
            f"/_sandbox/market/{symbol}",
            ok={200: Quote},
            refusals=(ErrorCode.INVALID_PRICE, ErrorCode.SYMBOL_NOT_FOUND),
            json={"price": price},
        )

    def add_fault(
        self, *, method: str, path: str, fault: dict[str, Any], times: int = 1
    ) -> Outcome[FaultRecord]:
        """Arm a fault for this customer's next matching requests."""
        return self.call(
            "fault injection",
            "POST",
            "/_sandbox/faults",
            ok={201: FaultRecord},
            refusals=(ErrorCode.INVALID_FAULT,),
            json={"method": method, "path": path, "fault": fault, "times": times},
        )

    def faults(self) -> Outcome[FaultList]:
        """This customer's faults, used up or not."""
        return self.call("fault list", "GET", "/_sandbox/faults", ok={200: FaultList})

    def clear_faults(self) -> Outcome[None]:
        """Remove every fault of this customer."""
        return self.call("fault clearing", "DELETE", "/_sandbox/faults", ok={204: None})

    def set_clock(self, offset_seconds: int) -> Outcome[Clock]:
        """Run this customer's clock that many seconds ahead of real time."""
        return self.call(
            "clock change",
            "PUT",
            "/_sandbox/clock",
            ok={200: Clock},
            refusals=(ErrorCode.INVALID_OFFSET,),
            json={"offset_seconds": offset_seconds},
        )

    def set_rate_limit(self, limit: int) -> Outcome[RateLimit]:
        """Set the rate-limit window size of the token in use."""
        return self.call(
            "rate-limit change",
            "PUT",
            "/_sandbox/rate-limit",
            ok={200: RateLimit},
            refusals=(ErrorCode.INVALID_LIMIT,),
            json={"limit": limit},
        )
