"""Notifications: what the customer is told about fills, cancellations and payments."""

from __future__ import annotations

from models.common import ErrorCode
from models.notifications import NotificationPage
from steps.domain.outcome import Outcome
from steps.domain.session import Resource


class NotificationsApi(Resource):
    """The notification resource of one customer."""

    def list(
        self, *, after: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Outcome[NotificationPage]:
        """One page of notifications, newest first, optionally only those after one."""
        params = {
            name: str(value)
            for name, value in (("after", after), ("limit", limit), ("cursor", cursor))
            if value is not None
        }
        return self.call(
            "notification list",
            "GET",
            "/notifications",
            ok={200: NotificationPage},
            refusals=(ErrorCode.INVALID_PAGINATION,),
            params=params,
        )
