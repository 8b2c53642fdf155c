"""A customer's credentials and the client their requests go through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr

from framework.client import UNSET, ApiClient
from models.common import ErrorBody
from steps.domain.outcome import Outcome

ResultT = TypeVar("ResultT")

#: Statuses at which the API refuses an action with an error body the scenario reads.
REFUSALS = (400, 401, 404, 409, 422)


@dataclass(kw_only=True, eq=False)
class Session:
    """Who is calling: a username, a password and the access token in use (all redacted).

    The token changes when the customer signs in again; the repr never shows a secret,
    because the report writes every step argument, fixtures included.
    """

    client: ApiClient
    username: str
    password: SecretStr = field(default_factory=lambda: SecretStr(""))
    token: SecretStr | None = None
    #: Whether the scenario watches this customer's rate limit (a 429 is then an answer).
    rate_limit_is_an_answer: bool = False

    def __repr__(self) -> str:
        signed_in = "signed in" if self.token is not None else "signed out"
        return f"Session(username={self.username!r}, password='***', {signed_in})"

    def learn_secrets(self) -> None:
        """Have the client redact this session's password and token wherever they appear."""
        for secret in (self.password, self.token):
            if secret is not None and secret.get_secret_value():
                self.client.redactor.learn(secret.get_secret_value())


class Resource:
    """Base of the API objects: calls one operation as the session's customer."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.session!r})"

    def call(
        self,
        action: str,
        method: str,
        path: str,
        *,
        ok: Mapping[int, type[BaseModel] | None],
        refusals: tuple[int, ...] = REFUSALS,
        json: object = UNSET,
        params: Mapping[str, str] | None = None,
        authenticated: bool = True,
        key: str | None = None,
    ) -> Outcome[Any]:
        """One request through the retrying client; a refusal comes back as an ``Outcome``.

        ``key`` is the request's idempotency key (a fresh one for each request when left out).
        A rate limit is an answer, not weather to wait out, once the scenario watches it.
        """
        if self.session.rate_limit_is_an_answer:
            refusals = (*refusals, 429)
        expect: dict[int, type[BaseModel] | None] = {status: ErrorBody for status in refusals}
        expect.update(ok)
        token = None
        if authenticated and self.session.token is not None:
            token = self.session.token.get_secret_value()
        response = self.session.client.request(
            method, path, json=json, params=params, token=token, expect=expect, idempotency_key=key
        )
        return Outcome.of(action, response)
