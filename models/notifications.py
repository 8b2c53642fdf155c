"""Notifications the API creates when orders and payments complete."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictStr

from models.common import ContractModel, Page, Timestamp, prefixed_id


class NotificationType(StrEnum):
    """What a notification tells the customer about."""

    ORDER_FILLED = "ORDER_FILLED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    DEPOSIT_COMPLETED = "DEPOSIT_COMPLETED"
    WITHDRAWAL_COMPLETED = "WITHDRAWAL_COMPLETED"


class Notification(ContractModel):
    """One notification, about the order or payment named by `reference_id`."""

    notification_id: Annotated[StrictStr, prefixed_id("ntf")]
    type: NotificationType
    reference_id: Annotated[StrictStr, Field(pattern=r"^(ord|pay)_[A-Za-z0-9_-]{16,}$")]
    message: Annotated[StrictStr, Field(min_length=1)]
    created_at: Timestamp


#: One page of the caller's notifications, newest first.
NotificationPage = Page[Notification]
