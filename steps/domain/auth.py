"""Signing in and out: access tokens."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from framework.client import UNSET
from models.accounts import AccessToken
from models.common import ErrorCode
from steps.domain.outcome import Outcome
from steps.domain.session import Resource, cut_short


class AuthApi(Resource):
    """The access-token resource of one customer."""

    def sign_in(
        self,
        *,
        password: SecretStr | None = None,
        expires_in: int | None = None,
        cut: str | None = None,
        key: str | None = None,
    ) -> Outcome[AccessToken]:
        """Sign in with the session's password (or another one); success updates the session.

        ``cut`` names a field whose text ends in half a character (``cut_short``); ``key`` is
        the idempotency key (a fresh one when left out).
        """
        secret = password if password is not None else self.session.password
        body: dict[str, Any] = {
            "username": self.session.username,
            "password": secret.get_secret_value(),
        }
        if expires_in is not None:
            body["expires_in"] = expires_in
        outcome: Outcome[AccessToken] = self.call(
            "sign-in",
            "POST",
            "/auth/token",
            ok={200: AccessToken},
            refusals=(ErrorCode.INVALID_EXPIRES_IN, ErrorCode.INVALID_CREDENTIALS),
            json=body if cut is None else UNSET,
            content=None if cut is None else cut_short(body, cut),
            authenticated=False,
            key=key,
        )
        if outcome.accepted and outcome.result is not None:
            self.session.token = outcome.result.access_token
            self.session.learn_secrets()
        return outcome

    def sign_out(self) -> Outcome[None]:
        """Revoke the token in use; the session keeps it, to show it no longer works."""
        return self.call("sign-out", "DELETE", "/auth/token", ok={204: None})
