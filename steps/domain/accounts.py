"""Accounts: opening one, and reading the caller's own or another by id."""

from __future__ import annotations

from typing import Any

from framework.client import UNSET
from models.accounts import Account
from models.common import ErrorCode
from steps.domain.outcome import Outcome
from steps.domain.session import Resource, cut_short

#: Why opening an account may be refused (the contract's codes for it).
OPENING_REFUSALS = (
    ErrorCode.INVALID_USERNAME,
    ErrorCode.WEAK_PASSWORD,
    ErrorCode.INVALID_CURRENCY,
    ErrorCode.USERNAME_TAKEN,
)


class AccountsApi(Resource):
    """The account resource, as seen by one customer."""

    def open(
        self,
        *,
        currency: str | None = None,
        extra: dict[str, Any] | None = None,
        cut: str | None = None,
        key: str | None = None,
    ) -> Outcome[Account]:
        """Open an account with the session's username and password (no sign-in needed).

        ``extra`` adds fields as given; ``cut`` names a field whose text ends in half a
        character (``cut_short``); ``key`` is the idempotency key.
        """
        body: dict[str, Any] = {
            "username": self.session.username,
            "password": self.session.password.get_secret_value(),
        }
        if currency is not None:
            body["currency"] = currency
        body.update(extra or {})
        return self.call(
            "account opening",
            "POST",
            "/accounts",
            ok={201: Account},
            refusals=OPENING_REFUSALS,
            json=body if cut is None else UNSET,
            content=None if cut is None else cut_short(body, cut),
            authenticated=False,
            key=key,
        )

    def own(self) -> Outcome[Account]:
        """The caller's own account."""
        return self.call("account lookup", "GET", "/account", ok={200: Account})

    def by_id(self, account_id: str) -> Outcome[Account]:
        """An account by its id: only the caller's own is ever found."""
        return self.call(
            "account lookup",
            "GET",
            f"/accounts/{account_id}",
            ok={200: Account},
            refusals=(ErrorCode.ACCOUNT_NOT_FOUND,),
        )
