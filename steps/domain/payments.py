"""Payments: deposits, withdrawals and their history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from framework.client import UNSET
from models.common import ErrorCode
from models.payments import Payment, PaymentPage
from steps.domain.outcome import Outcome
from steps.domain.session import Resource, query

#: Why a deposit or a withdrawal may be refused for what it asks (the contract's codes).
PAYMENT_REFUSALS = (ErrorCode.INVALID_AMOUNT, ErrorCode.INVALID_METHOD, ErrorCode.CURRENCY_MISMATCH)


class PaymentsApi(Resource):
    """The payment resource of one customer."""

    def deposit(
        self,
        amount: Decimal,
        *,
        method: str,
        currency: str | None = None,
        extra: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Outcome[Payment]:
        """Pay money in; ``extra`` adds fields as given, ``key`` is the idempotency key."""
        return self._deposit(json={**_payment(amount, method, currency), **(extra or {})}, key=key)

    def deposit_as_written(self, form: bytes) -> Outcome[Payment]:
        """Send a deposit form exactly as written, for forms no encoder writes."""
        return self._deposit(content=form)

    def _deposit(
        self, *, json: object = UNSET, content: bytes | None = None, key: str | None = None
    ) -> Outcome[Payment]:
        return self.call(
            "deposit",
            "POST",
            "/payments/deposits",
            ok={201: Payment},
            refusals=PAYMENT_REFUSALS,
            json=json,
            content=content,
            key=key,
        )

    def withdraw(
        self, amount: Decimal, *, method: str, currency: str | None = None, key: str | None = None
    ) -> Outcome[Payment]:
        """Take money out; ``key`` is the idempotency key (a fresh one when left out)."""
        return self.call(
            "withdrawal",
            "POST",
            "/payments/withdrawals",
            ok={201: Payment},
            refusals=(*PAYMENT_REFUSALS, ErrorCode.LIMIT_EXCEEDED, ErrorCode.INSUFFICIENT_FUNDS),
            json=_payment(amount, method, currency),
            key=key,
        )

    def get(self, payment_id: str) -> Outcome[Payment]:
        """One payment by its id."""
        return self.call(
            "payment lookup",
            "GET",
            f"/payments/{payment_id}",
            ok={200: Payment},
            refusals=(ErrorCode.PAYMENT_NOT_FOUND,),
        )

    def list(
        self, *, limit: int | tuple[int, ...] | None = None, cursor: str | None = None
    ) -> Outcome[PaymentPage]:
        """One page of the customer's payments, newest first (several sizes: each sent once)."""
        return self.call(
            "payment list",
            "GET",
            "/payments",
            ok={200: PaymentPage},
            refusals=(ErrorCode.INVALID_PAGINATION,),
            params=query(limit=limit, cursor=cursor),
        )


def _payment(amount: Decimal, method: str, currency: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"amount": amount, "method": method}
    if currency is not None:
        body["currency"] = currency
    return body
