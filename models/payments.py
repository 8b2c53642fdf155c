"""Deposits and withdrawals of the payments section."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictStr

from models.accounts import Currency
from models.common import ContractModel, Money, Page, Timestamp, prefixed_id


class PaymentType(StrEnum):
    """Money in or money out."""

    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"


class PaymentMethod(StrEnum):
    """How the money moves."""

    CARD = "CARD"
    BANK_TRANSFER = "BANK_TRANSFER"


class PaymentStatus(StrEnum):
    """The outcome of a payment (the sandbox only produces COMPLETED)."""

    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class Payment(ContractModel):
    """A deposit or a withdrawal."""

    payment_id: Annotated[StrictStr, prefixed_id("pay")]
    type: PaymentType
    amount: Annotated[Money, Field(gt=0)]
    currency: Currency
    method: PaymentMethod
    status: PaymentStatus
    created_at: Timestamp


#: One page of the caller's payments, newest first.
PaymentPage = Page[Payment]
