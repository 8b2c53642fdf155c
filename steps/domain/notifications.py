"""Notifications: what the customer is told about fills, cancellations and payments."""

from __future__ import annotations

from models.common import ErrorCode
from models.notifications import NotificationPage
from steps.domain.outcome import Outcome
from steps.domain.session import Resource, query


class NotificationsApi(Resource):
    """The notification resource of one customer."""

    def list(
        self,
        *,
        after: str | None = None,
        limit: int | tuple[int, ...] | None = None,
        cursor: str | None = None,
    ) -> Outcome[NotificationPage]:
        """One page of notifications, newest first, optionally only those after one.

        Several page sizes send the size once each (a request the contract refuses).
        """
        return self.call(
            "notification list",
            "GET",
            "/notifications",
            ok={200: NotificationPage},
            refusals=(ErrorCode.INVALID_PAGINATION,),
            params=query(after=after, limit=limit, cursor=cursor),
        )
