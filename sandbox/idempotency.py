"""Idempotency keys: stored responses for 24 hours, replays, and keys still in flight."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

#: seconds a key is kept, by the caller's clock
RETENTION = 86_400


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredResponse:
    """The response a key holds: what a same-body resend is answered with."""

    fingerprint: str
    status: int
    body: bytes


def storable(status: int, code: str | None) -> bool:
    """Whether a response reached execution: 2xx, 404, 409, 422, 401 INVALID_CREDENTIALS.

    Never a 400, a 401 UNAUTHENTICATED, a 429 or a 5xx: such a request may be sent again
    with the same key and is then executed.
    """
    return 200 <= status < 300 or status in (404, 409, 422) or code == "INVALID_CREDENTIALS"


@dataclass(kw_only=True, slots=True)
class IdempotencyKeys:
    """Stored responses live in the database; keys being executed live in memory."""

    _in_flight: set[tuple[str, str]] = field(default_factory=set)

    def stored(
        self, db: sqlite3.Connection, scope: str, key: str, now: float
    ) -> StoredResponse | None:
        """The response stored under a key, unless none is or it is older than 24 hours."""
        row = db.execute(
            "SELECT fingerprint, status, body, stored_at FROM idempotency_keys"
            " WHERE scope = ? AND key = ?",
            (scope, key),
        ).fetchone()
        if row is None or now >= row[3] + RETENTION:
            return None
        return StoredResponse(fingerprint=row[0], status=row[1], body=row[2])

    def claim(self, scope: str, key: str) -> bool:
        """Mark a key as executing; False when another request holds it."""
        if (scope, key) in self._in_flight:
            return False
        self._in_flight.add((scope, key))
        return True

    def release(self, scope: str, key: str) -> None:
        """The request holding the key has finished."""
        self._in_flight.discard((scope, key))

    def store(
        self,
        db: sqlite3.Connection,
        scope: str,
        key: str,
        response: StoredResponse,
        now: float,
    ) -> None:
        """Keep a response under a key (replacing one that has expired)."""
        db.execute(
            "INSERT OR REPLACE INTO idempotency_keys"
            " (scope, key, fingerprint, status, body, stored_at) VALUES (?, ?, ?, ?, ?, ?)",
            (scope, key, response.fingerprint, response.status, response.body, now),
        )
