"""A customer's credentials and the client their requests go through."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr

from framework.client import UNSET, ApiClient, encode_json
from framework.errors import SuiteDefectError
from framework.expected import ErrorCodes
from models.common import (
    ERROR_STATUSES,
    MAX_BODY_BYTES,
    WEATHER_CODES,
    ErrorBody,
    ErrorCode,
    error_code,
)
from steps.domain.outcome import Outcome

ResultT = TypeVar("ResultT")

#: How the client reads the trading API's refusals: the code in the body, and its status.
CONTRACT_ERRORS = ErrorCodes(
    read=error_code,
    statuses={str(code): statuses for code, statuses in ERROR_STATUSES.items()},
    model=ErrorBody,
)

#: Refusals every operation with a JSON body may give (the contract's conventions).
BODY_REFUSALS = (
    ErrorCode.INVALID_JSON,
    ErrorCode.UNKNOWN_FIELD,
    ErrorCode.MISSING_FIELD,
    ErrorCode.PAYLOAD_TOO_LARGE,
)

#: A query value: one, or several that send the parameter once each (a repeat, on purpose).
QueryValue = str | int | tuple[str | int, ...] | None


def query(**values: QueryValue) -> dict[str, str | list[str]]:
    """Query parameters from the values given: ``None`` is left out, a tuple repeats its name."""
    return {
        name: [str(each) for each in value] if isinstance(value, tuple) else str(value)
        for name, value in values.items()
        if value is not None
    }


#: Half of a character: the first of the two escapes that write one emoji (U+1F600) in JSON.
HALF_CHARACTER = b"\\ud83d"


def cut_short(form: dict[str, Any], name: str) -> bytes:
    """The form as JSON with half a character after the text of ``name``: not valid Unicode.

    No encoder writes a lone surrogate escape, so it is written into the encoded form.
    """
    marker = uuid.uuid4().hex
    encoded = encode_json({**form, name: f"{form[name]}{marker}"})
    return encoded.replace(marker.encode(), HALF_CHARACTER)


def oversized(form: bytes) -> bytes:
    """The form followed by whitespace (the same JSON) to one byte over the size limit."""
    return form + b" " * max(0, MAX_BODY_BYTES + 1 - len(form))


#: Refusals every POST may give for its idempotency key.
KEY_REFUSALS = (ErrorCode.INVALID_IDEMPOTENCY_KEY, ErrorCode.IDEMPOTENCY_KEY_REUSED)


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
    #: Codes sharing a status with trouble on the way that a step named as answers the
    #: scenario reads for this customer (a rate limit it watches, a lockout it caused).
    answers: set[ErrorCode] = field(default_factory=set)
    #: Whether every form this customer sends is padded past the size limit (`oversized`).
    padded: bool = False

    def __repr__(self) -> str:
        signed_in = "signed in" if self.token is not None else "signed out"
        return f"Session(username={self.username!r}, password='***', {signed_in})"

    def learn_secrets(self) -> None:
        """Have the client redact this session's password and token wherever they appear."""
        for secret in (self.password, self.token):
            if secret is not None and secret.get_secret_value():
                self.client.redactor.learn(secret.get_secret_value())

    def reads(self, *codes: ErrorCode) -> None:
        """From now on, read these codes as answers (a step names what it watches for)."""
        self.answers.update(codes)

    @contextmanager
    def reading(self, *codes: ErrorCode) -> Iterator[None]:
        """Read these codes as answers for the requests made inside the block only."""
        added = set(codes) - self.answers
        self.answers |= added
        try:
            yield
        finally:
            self.answers -= added


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
        refusals: Collection[ErrorCode] = (),
        json: object = UNSET,
        content: bytes | None = None,
        params: Mapping[str, str | list[str]] | None = None,
        authenticated: bool = True,
        key: str | None = None,
    ) -> Outcome[Any]:
        """One request through the retrying client; a refusal comes back as an ``Outcome``.

        ``refusals`` are the action's own refusal codes from the contract; the conventions'
        codes are added (unauthenticated access, a malformed body, a bad idempotency key),
        each with the status the contract gives it. Codes that share a status with trouble
        on the way are accepted only when a step named them (``Session.reads``): otherwise
        a 429, whatever its body, is waited out. ``key`` is the request's idempotency key
        (a fresh one for each request when left out). ``content`` is a form sent exactly as
        written instead of ``json``; a padded session pads either past the size limit.
        """
        codes = {*refusals, *self.session.answers}
        if authenticated:
            codes.add(ErrorCode.UNAUTHENTICATED)
        if json is not UNSET or content is not None:
            codes.update(BODY_REFUSALS)
            if self.session.padded:
                if content is None:
                    self.session.client.redactor.learn_from_json(json)
                    content, json = encode_json(json), UNSET
                content = oversized(content)
        if method == "POST":
            codes.update(KEY_REFUSALS)
        implied = codes & WEATHER_CODES - self.session.answers
        if implied:
            raise SuiteDefectError(
                f"the {action} would accept {', '.join(sorted(implied))} unasked: such a code "
                "shares its status with trouble on the way, so only a step may name it"
            )
        pairs = {(status, str(code)) for code in codes for status in ERROR_STATUSES[code]}
        token = None
        if authenticated and self.session.token is not None:
            token = self.session.token.get_secret_value()
        response = self.session.client.request(
            method,
            path,
            json=json,
            content=content,
            params=params,
            token=token,
            expect=ok,
            refusals=pairs,
            codes=CONTRACT_ERRORS,
            idempotency_key=key,
        )
        return Outcome.of(action, response, ok=tuple(sorted(ok)))
