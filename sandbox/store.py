"""The sandbox's SQLite database: schema, connection and short write transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: the listed symbols and their starting prices, in cents
LISTED_SYMBOLS: dict[str, int] = {
    "AAPL": 19000,
    "MSFT": 42000,
    "GOOGL": 17000,
    "AMZN": 18500,
    "TSLA": 25000,
    "NVDA": 12000,
}

# Money columns hold integer cents: exact, summable in SQL, never a float.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance INTEGER NOT NULL DEFAULT 0,
    clock_offset INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    account_seq INTEGER NOT NULL REFERENCES accounts (seq),
    expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS login_failures (
    username TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_username ON login_failures (username, at);
CREATE TABLE IF NOT EXISTS symbols (
    symbol TEXT PRIMARY KEY,
    price INTEGER NOT NULL,
    volume INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS user_prices (
    account_seq INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    price INTEGER NOT NULL,
    PRIMARY KEY (account_seq, symbol)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS positions (
    account_seq INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    average_price INTEGER NOT NULL,
    PRIMARY KEY (account_seq, symbol)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orders (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account_seq INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    order_type TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    limit_price INTEGER,
    status TEXT NOT NULL,
    fill_price INTEGER,
    created_at REAL NOT NULL,
    filled_at REAL
);
CREATE INDEX IF NOT EXISTS orders_by_account ON orders (account_seq, seq);
-- Lists by status, and the reservations of pending orders, read this index.
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (account_seq, status, seq);
CREATE TABLE IF NOT EXISTS payments (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account_seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_account ON payments (account_seq, seq);
CREATE INDEX IF NOT EXISTS payments_by_day ON payments (account_seq, type, created_at);
CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account_seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    reference_id TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_by_account ON notifications (account_seq, seq);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
"""


class DatabaseError(Exception):
    """The database file cannot be opened or written."""


class Store:
    """One SQLite connection, used only from the event loop's thread.

    Every request's execution runs synchronously between two awaits, inside one
    `BEGIN IMMEDIATE` transaction: nothing else runs in this process meanwhile, and the
    immediate write lock keeps other processes sharing the file out too. So a fill, a
    cancellation or a payment is applied whole or not at all, and two concurrent
    withdrawals can never both spend the same cash.
    """

    def __init__(self, path: Path) -> None:
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL is consistent after a crash and skips an fsync
            # per commit, which the sandbox's short transactions would otherwise pay.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.executescript(_SCHEMA)
            self.db.executemany(
                "INSERT OR IGNORE INTO symbols (symbol, price) VALUES (?, ?)",
                LISTED_SYMBOLS.items(),
            )
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot use database {path}: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
