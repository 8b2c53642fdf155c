"""The trading rules: accounts, tokens, market data, orders, payments, notifications.

Every function here runs inside the caller's open transaction (see `Store`), checks
every rule before it writes anything, and raises `ApiError` for 401/404/409/422/429.
Money is integer cents in the database and `Decimal` everywhere else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sandbox.errors import ApiError, invalid, not_found, unprocessable
from sandbox.rules import Rules

#: seconds in a day
DAY = 86_400
#: PBKDF2-SHA256 iterations for passwords: the sandbox holds throwaway test accounts and a
#: login must cost about a millisecond; a production deployment needs far more
PASSWORD_ITERATIONS = 5_000


@dataclass(frozen=True, kw_only=True, slots=True)
class Caller:
    """The customer a request is authenticated as, and the clock they see."""

    seq: int
    account_id: str
    currency: str
    clock_offset: int
    token_hash: str

    def now(self, real_now: float) -> float:
        """The caller's clock: real time moved by their offset."""
        return real_now + self.clock_offset


def new_id(prefix: str) -> str:
    """An opaque identifier: a type prefix and 128 random bits."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


def timestamp(epoch: float) -> str:
    """RFC 3339 in UTC with a Z suffix and milliseconds."""
    text = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def money(cents: int) -> Decimal:
    """Cents as a Decimal with exactly 2 decimal places."""
    return Decimal(cents).scaleb(-2)


def cents(amount: Decimal) -> int:
    """A Decimal of at most 2 decimal places as integer cents."""
    return int(amount.scaleb(2))


def hash_token(token: str) -> str:
    """Tokens are stored as their SHA-256: a leaked database grants no access."""
    return hashlib.sha256(token.encode()).hexdigest()


# Hashing and checking a password are CPU-bound (about a millisecond or two each) and touch
# no state: the pipeline runs them on a worker thread (`api.Offloaded`), where hashlib
# releases the GIL, so that the event loop serves other requests meanwhile.


def hash_password(password: str) -> str:
    """A new salted PBKDF2-SHA256 hash of a password, as stored."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PASSWORD_ITERATIONS)
    return f"pbkdf2_sha256${PASSWORD_ITERATIONS}${salt.hex()}${digest.hex()}"


def _password_matches(password: str, stored: str) -> bool:
    _, iterations, salt, digest = stored.split("$")
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
    )
    return hmac.compare_digest(candidate.hex(), digest)


#: a stored hash to verify against when the username is unknown, so that the answer
#: takes as long as for a known one
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True, kw_only=True, slots=True)
class PasswordCheck:
    """A password checked against the hash stored for a username when the check ran."""

    password: str = field(repr=False)
    stored: str | None  #: the hash checked against; None: no such username at the time
    matches: bool

    def against(self, stored: str | None) -> bool:
        """Whether the password matches ``stored`` (None: no such username, so never).

        The check's own result when ``stored`` is what it checked; checked again otherwise
        (the account was opened, or the sandbox reset, since).
        """
        if stored == self.stored:
            return self.matches
        return check_password(self.password, stored).matches


def check_password(password: str, stored: str | None) -> PasswordCheck:
    """Check a password against a stored hash; for an unknown username (None), against a
    dummy hash, so that the answer takes as long."""
    matches = _password_matches(password, stored or _DUMMY_HASH)
    return PasswordCheck(password=password, stored=stored, matches=matches and stored is not None)


def stored_password(db: sqlite3.Connection, username: str) -> str | None:
    """The password hash stored for a username; None when there is no such username."""
    query = "SELECT password_hash FROM accounts WHERE username = ?"
    row = db.execute(query, (username,)).fetchone()
    return None if row is None else str(row[0])


# --- pagination ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class PageRequest:
    """`?limit=` and the position a `?cursor=` points after."""

    limit: int
    before_seq: int | None


def encode_cursor(kind: str, seq: int) -> str:
    """An opaque cursor: which list it belongs to and the last item already returned."""
    return base64.urlsafe_b64encode(f"{kind}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    """The sequence a cursor points after; 400 INVALID_PAGINATION if it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    owner, _, seq = text.partition(":")
    if owner != kind or not seq.isdigit() or len(seq) > 18:
        raise invalid("INVALID_PAGINATION", "cursor", "cursor is not a cursor of this list")
    return int(seq)


def _page(
    db: sqlite3.Connection,
    kind: str,
    sql: str,
    params: tuple[Any, ...],
    page: PageRequest,
    render: Any,
) -> dict[str, Any]:
    # `sql` selects seq first and ends with a WHERE clause; newest first by sequence.
    if page.before_seq is not None:
        sql += " AND seq < ?"
        params = (*params, page.before_seq)
    rows = db.execute(f"{sql} ORDER BY seq DESC LIMIT ?", (*params, page.limit + 1)).fetchall()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return {
        "items": [render(row) for row in rows],
        "next_cursor": encode_cursor(kind, rows[-1][0]) if more else None,
    }


# --- notifications --------------------------------------------------------------------


def _notify(
    db: sqlite3.Connection, caller_seq: int, kind: str, reference: str, message: str, at: float
) -> None:
    db.execute(
        "INSERT INTO notifications (id, account_seq, type, reference_id, message, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (new_id("ntf"), caller_seq, kind, reference, message, at),
    )


def _notification(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "notification_id": row[1],
        "type": row[2],
        "reference_id": row[3],
        "message": row[4],
        "created_at": timestamp(row[5]),
    }


def list_notifications(
    db: sqlite3.Connection, caller: Caller, after: str | None, page: PageRequest
) -> dict[str, Any]:
    """The caller's notifications created after `after` (all when None), newest first."""
    after_seq = 0
    if after is not None:
        row = db.execute(
            "SELECT seq FROM notifications WHERE id = ? AND account_seq = ?", (after, caller.seq)
        ).fetchone()
        if row is None:
            raise invalid("INVALID_PAGINATION", "after", "after is not one of your notifications")
        after_seq = row[0]
    return _page(
        db,
        "notifications",
        "SELECT seq, id, type, reference_id, message, created_at FROM notifications"
        " WHERE account_seq = ? AND seq > ?",
        (caller.seq, after_seq),
        page,
        _notification,
    )


# --- accounts and tokens --------------------------------------------------------------


def _buying_power(db: sqlite3.Connection, seq: int) -> int:
    """Cash minus what pending buy orders reserve (quantity × limit price), in cents.

    Reservations are derived from the pending orders themselves, never kept as counters
    that could drift from them.
    """
    (power,) = db.execute(
        "SELECT balance - (SELECT coalesce(sum(quantity * limit_price), 0) FROM orders"
        " WHERE account_seq = ? AND status = 'PENDING' AND side = 'BUY')"
        " FROM accounts WHERE seq = ?",
        (seq, seq),
    ).fetchone()
    return int(power)


def _free_shares(db: sqlite3.Connection, seq: int, symbol: str) -> int:
    """Shares held minus those pending sell orders reserve."""
    (free,) = db.execute(
        "SELECT coalesce((SELECT quantity FROM positions WHERE account_seq = ? AND symbol = ?), 0)"
        " - (SELECT coalesce(sum(quantity), 0) FROM orders"
        " WHERE account_seq = ? AND symbol = ? AND status = 'PENDING' AND side = 'SELL')",
        (seq, symbol, seq, symbol),
    ).fetchone()
    return int(free)


def account(db: sqlite3.Connection, seq: int) -> dict[str, Any]:
    """The Account of the customer with this sequence number."""
    row = db.execute(
        "SELECT id, username, currency, balance, created_at FROM accounts WHERE seq = ?",
        (seq,),
    ).fetchone()
    positions = db.execute(
        "SELECT symbol, quantity, average_price FROM positions"
        " WHERE account_seq = ? ORDER BY symbol",
        (seq,),
    ).fetchall()
    return {
        "account_id": row[0],
        "username": row[1],
        "currency": row[2],
        "balance": money(row[3]),
        "buying_power": money(_buying_power(db, seq)),
        "positions": [
            {"symbol": symbol, "quantity": quantity, "average_price": money(average)}
            for symbol, quantity, average in positions
        ],
        "created_at": timestamp(row[4]),
    }


def account_by_id(db: sqlite3.Connection, caller: Caller, account_id: str) -> dict[str, Any]:
    """The caller's Account by its id; 404 for anybody else's (no existence leak)."""
    if account_id != caller.account_id:
        raise not_found("ACCOUNT_NOT_FOUND", "no account with this account_id")
    return account(db, caller.seq)


def open_account(
    db: sqlite3.Connection, username: str, password_hash: str, currency: str, now: float
) -> dict[str, Any]:
    """A new account with balance 0 and the password of this hash (`hash_password`); 409
    USERNAME_TAKEN."""
    if db.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
        raise ApiError(409, "USERNAME_TAKEN", "username is already taken", field="username")
    cursor = db.execute(
        "INSERT INTO accounts (id, username, password_hash, currency, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (new_id("acc"), username, password_hash, currency, now),
    )
    assert cursor.lastrowid is not None
    return account(db, cursor.lastrowid)


def authenticate(db: sqlite3.Connection, token: str, real_now: float) -> Caller | None:
    """The customer a bearer token belongs to, if it is known, unrevoked and unexpired."""
    token_hash = hash_token(token)
    row = db.execute(
        "SELECT a.seq, a.id, a.currency, a.clock_offset, t.expires_at, t.revoked"
        " FROM tokens t JOIN accounts a ON a.seq = t.account_seq WHERE t.hash = ?",
        (token_hash,),
    ).fetchone()
    if row is None or row[5] or real_now + row[3] >= row[4]:
        return None
    return Caller(
        seq=row[0], account_id=row[1], currency=row[2], clock_offset=row[3], token_hash=token_hash
    )


def issue_token(
    db: sqlite3.Connection,
    username: str,
    password: PasswordCheck,
    expires_in: int,
    real_now: float,
    rules: Rules,
) -> dict[str, Any]:
    """A bearer token; 401 INVALID_CREDENTIALS; 429 TOO_MANY_ATTEMPTS while throttled.

    The password comes checked (`check_password`, before the transaction); a throttled
    username is refused whatever the check found.

    The throttling window reads the clock of the customer the username belongs to (real
    time for an unknown username, which is throttled the same way, so that throttling
    does not tell which usernames exist).
    """
    row = db.execute(
        "SELECT seq, password_hash, clock_offset FROM accounts WHERE username = ?", (username,)
    ).fetchone()
    now = real_now + (row[2] if row else 0)
    failures = [
        at
        for (at,) in db.execute(
            "SELECT at FROM login_failures WHERE username = ? AND at > ? ORDER BY at",
            (username, now - rules.login_window),
        )
    ]
    allowed = rules.login_failures_allowed
    if len(failures) >= allowed:
        wait = max(1, math.ceil(failures[-allowed] + rules.login_window - now))
        raise ApiError(
            429,
            "TOO_MANY_ATTEMPTS",
            f"too many failed logins for this username: retry in {wait} seconds",
            field="username",
            headers={"Retry-After": str(wait)},
        )
    if row is None or not password.against(row[1]):
        # Failures older than the window can never count again: drop them as we go.
        db.execute(
            "DELETE FROM login_failures WHERE username = ? AND at <= ?",
            (username, now - rules.login_window),
        )
        db.execute("INSERT INTO login_failures (username, at) VALUES (?, ?)", (username, now))
        raise ApiError(401, "INVALID_CREDENTIALS", "username or password is wrong")
    return _grant(db, row[0], expires_in, now)


def _grant(db: sqlite3.Connection, account_seq: int, expires_in: int, now: float) -> dict[str, Any]:
    """A new bearer token of this customer, valid for `expires_in` seconds from `now`."""
    token = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO tokens (hash, account_seq, expires_at) VALUES (?, ?, ?)",
        (hash_token(token), account_seq, now + expires_in),
    )
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


def revoke_token(db: sqlite3.Connection, token: str) -> None:
    """Revoke a token; a no-op when it is unknown, expired or already revoked (RFC 7009)."""
    db.execute("UPDATE tokens SET revoked = 1 WHERE hash = ?", (hash_token(token),))


def set_clock(
    db: sqlite3.Connection, caller: Caller, offset: int, real_now: float
) -> dict[str, Any]:
    """Move the caller's clock `offset` seconds ahead of real time."""
    db.execute("UPDATE accounts SET clock_offset = ? WHERE seq = ?", (offset, caller.seq))
    return {"now": timestamp(real_now + offset)}


# --- market data ----------------------------------------------------------------------


def _price_and_volume(
    db: sqlite3.Connection, caller: Caller, symbol: str, field: str = "symbol"
) -> tuple[int, int]:
    row = db.execute(
        "SELECT coalesce(u.price, s.price), s.volume FROM symbols s"
        " LEFT JOIN user_prices u ON u.account_seq = ? AND u.symbol = s.symbol"
        " WHERE s.symbol = ?",
        (caller.seq, symbol),
    ).fetchone()
    if row is None:
        raise not_found("SYMBOL_NOT_FOUND", f"symbol {symbol} is not listed", field=field)
    return row[0], row[1]


def quote(
    db: sqlite3.Connection, caller: Caller, symbol: str, now: float, field: str = "symbol"
) -> dict[str, Any]:
    """The Quote as the caller sees it: their own price if they set one."""
    price, volume = _price_and_volume(db, caller, symbol, field)
    return {"symbol": symbol, "price": money(price), "volume": volume, "timestamp": timestamp(now)}


def quotes(
    db: sqlite3.Connection, caller: Caller, symbols: list[str], now: float
) -> dict[str, Any]:
    """Quotes in the order asked; 404 naming the first unlisted symbol."""
    return {"quotes": [quote(db, caller, symbol, now, "symbols") for symbol in symbols]}


def set_price(
    db: sqlite3.Connection, caller: Caller, symbol: str, price: int, now: float
) -> dict[str, Any]:
    """Set the caller's price of a symbol and fill their pending orders that it crosses."""
    _price_and_volume(db, caller, symbol)
    db.execute(
        "INSERT INTO user_prices (account_seq, symbol, price) VALUES (?, ?, ?)"
        " ON CONFLICT (account_seq, symbol) DO UPDATE SET price = excluded.price",
        (caller.seq, symbol, price),
    )
    crossed = db.execute(
        f"SELECT {_ORDER_COLUMNS} FROM orders WHERE account_seq = ? AND symbol = ?"
        " AND status = 'PENDING' AND ((side = 'BUY' AND limit_price >= ?)"
        " OR (side = 'SELL' AND limit_price <= ?)) ORDER BY seq",
        (caller.seq, symbol, price, price),
    ).fetchall()
    for row in crossed:
        _fill(db, caller.seq, _OrderRow(*row), row[7], now)
    return quote(db, caller, symbol, now)


# --- orders ---------------------------------------------------------------------------

_ORDER_COLUMNS = (
    "seq, id, symbol, side, order_type, quantity, status, limit_price, fill_price,"
    " created_at, filled_at"
)


@dataclass(frozen=True, slots=True)
class _OrderRow:
    seq: int
    id: str
    symbol: str
    side: str
    order_type: str
    quantity: int
    status: str
    limit_price: int | None
    fill_price: int | None
    created_at: float
    filled_at: float | None


def _order(row: tuple[Any, ...]) -> dict[str, Any]:
    order = _OrderRow(*row)
    return {
        "order_id": order.id,
        "symbol": order.symbol,
        "side": order.side,
        "order_type": order.order_type,
        "quantity": order.quantity,
        "limit_price": None if order.limit_price is None else money(order.limit_price),
        "status": order.status,
        "fill_price": None if order.fill_price is None else money(order.fill_price),
        "created_at": timestamp(order.created_at),
        "filled_at": None if order.filled_at is None else timestamp(order.filled_at),
    }


def _order_by_seq(db: sqlite3.Connection, seq: int) -> dict[str, Any]:
    row = db.execute(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE seq = ?", (seq,)).fetchone()
    return _order(row)


def _fill(
    db: sqlite3.Connection,
    account_seq: int,
    order: _OrderRow,
    price: int,
    now: float,
) -> None:
    """Fill an order at `price`: cash, position, volume, status and notification at once."""
    value = order.quantity * price
    _settle_cash(db, account_seq, order, value)
    if order.side == "BUY":
        held = db.execute(
            "SELECT quantity, average_price FROM positions WHERE account_seq = ? AND symbol = ?",
            (account_seq, order.symbol),
        ).fetchone()
        quantity, average = held or (0, 0)
        total = Decimal(quantity * average + value) / (quantity + order.quantity)
        new_average = int(total.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
        db.execute(
            "INSERT INTO positions (account_seq, symbol, quantity, average_price)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (account_seq, symbol)"
            " DO UPDATE SET quantity = excluded.quantity, average_price = excluded.average_price",
            (account_seq, order.symbol, quantity + order.quantity, new_average),
        )
        verb = "Bought"
    else:
        db.execute(
            "UPDATE positions SET quantity = quantity - ? WHERE account_seq = ? AND symbol = ?",
            (order.quantity, account_seq, order.symbol),
        )
        db.execute(
            "DELETE FROM positions WHERE account_seq = ? AND symbol = ? AND quantity = 0",
            (account_seq, order.symbol),
        )
        verb = "Sold"
    db.execute(
        "UPDATE symbols SET volume = volume + ? WHERE symbol = ?", (order.quantity, order.symbol)
    )
    db.execute(
        "UPDATE orders SET status = 'FILLED', fill_price = ?, filled_at = ? WHERE seq = ?",
        (price, now, order.seq),
    )
    message = f"{verb} {order.quantity} {order.symbol} at {money(price)}"
    _notify(db, account_seq, "ORDER_FILLED", order.id, message, now)


def _settle_cash(db: sqlite3.Connection, account_seq: int, order: _OrderRow, value: int) -> None:
    """The cash side of a fill: a buy pays `value` cents, a sell receives them."""
    change = -value if order.side == "BUY" else value
    db.execute("UPDATE accounts SET balance = balance + ? WHERE seq = ?", (change, account_seq))


def place_order(
    db: sqlite3.Connection,
    caller: Caller,
    *,
    symbol: str,
    side: str,
    quantity: int,
    order_type: str,
    limit_price: int | None,
    now: float,
) -> dict[str, Any]:
    """Place an order: filled at once when the price allows, else resting (PENDING).

    A resting order reserves buying power (BUY) or shares (SELL) simply by being PENDING.
    """
    price, _ = _price_and_volume(db, caller, symbol)
    if side == "BUY":
        fills_now = limit_price is None or price <= limit_price
        cost = quantity * (price if fills_now or limit_price is None else limit_price)
        power = _buying_power(db, caller.seq)
        if power < cost:
            raise unprocessable(
                "INSUFFICIENT_FUNDS",
                f"buying power {money(power)} does not cover {money(cost)}",
                "quantity",
            )
    else:
        fills_now = limit_price is None or price >= limit_price
        available = _free_shares(db, caller.seq, symbol)
        if available < quantity:
            raise unprocessable(
                "INSUFFICIENT_POSITION",
                f"{available} {symbol} shares are free to sell, fewer than quantity {quantity}",
                "quantity",
            )
    order_id = new_id("ord")
    cursor = db.execute(
        "INSERT INTO orders (id, account_seq, symbol, side, order_type, quantity, limit_price,"
        " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?)",
        (order_id, caller.seq, symbol, side, order_type, quantity, limit_price, now),
    )
    assert cursor.lastrowid is not None
    order = _OrderRow(
        cursor.lastrowid,
        order_id,
        symbol,
        side,
        order_type,
        quantity,
        "PENDING",
        limit_price,
        None,
        now,
        None,
    )
    if fills_now:
        _fill(db, caller.seq, order, price, now)
    return _order_by_seq(db, order.seq)


def _owned_order(db: sqlite3.Connection, caller: Caller, order_id: str) -> _OrderRow:
    row = db.execute(
        f"SELECT {_ORDER_COLUMNS} FROM orders WHERE id = ? AND account_seq = ?",
        (order_id, caller.seq),
    ).fetchone()
    if row is None:
        raise not_found("ORDER_NOT_FOUND", "no order with this order_id")
    return _OrderRow(*row)


def get_order(db: sqlite3.Connection, caller: Caller, order_id: str) -> dict[str, Any]:
    """One of the caller's orders; 404 ORDER_NOT_FOUND otherwise."""
    return _order_by_seq(db, _owned_order(db, caller, order_id).seq)


def list_orders(
    db: sqlite3.Connection, caller: Caller, status: str | None, page: PageRequest
) -> dict[str, Any]:
    """A page of the caller's orders, newest first, optionally of one status."""
    sql = f"SELECT {_ORDER_COLUMNS} FROM orders WHERE account_seq = ?"
    params: tuple[Any, ...] = (caller.seq,)
    if status is not None:
        sql += " AND status = ?"
        params = (caller.seq, status)
    return _page(db, "orders", sql, params, page, _order)


def cancel_order(
    db: sqlite3.Connection, caller: Caller, order_id: str, now: float
) -> dict[str, Any]:
    """Cancel a PENDING order (which releases its reservation); idempotent once CANCELLED."""
    order = _owned_order(db, caller, order_id)
    _check_cancellable(order)
    # What passed the check is PENDING, or CANCELLED already, which answers unchanged.
    if order.status != "CANCELLED":
        db.execute("UPDATE orders SET status = 'CANCELLED' WHERE seq = ?", (order.seq,))
        message = f"Cancelled order to {order.side.lower()} {order.quantity} {order.symbol}"
        _notify(db, caller.seq, "ORDER_CANCELLED", order.id, message, now)
    return _order_by_seq(db, order.seq)


def _check_cancellable(order: _OrderRow) -> None:
    """409 ORDER_NOT_CANCELLABLE for an order that is FILLED or REJECTED."""
    if order.status in ("FILLED", "REJECTED"):
        raise ApiError(
            409, "ORDER_NOT_CANCELLABLE", f"order is {order.status} and cannot be cancelled"
        )


# --- payments -------------------------------------------------------------------------

_PAYMENT_COLUMNS = "seq, id, type, amount, currency, method, status, created_at"


def _payment(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "payment_id": row[1],
        "type": row[2],
        "amount": money(row[3]),
        "currency": row[4],
        "method": row[5],
        "status": row[6],
        "created_at": timestamp(row[7]),
    }


def pay(
    db: sqlite3.Connection,
    caller: Caller,
    *,
    kind: str,
    amount: int,
    method: str,
    now: float,
    rules: Rules,
) -> dict[str, Any]:
    """A completed deposit or withdrawal; 422 LIMIT_EXCEEDED before INSUFFICIENT_FUNDS."""
    if kind == "WITHDRAWAL":
        day_start = now - now % DAY
        (today,) = db.execute(
            "SELECT coalesce(sum(amount), 0) FROM payments WHERE account_seq = ?"
            " AND type = 'WITHDRAWAL' AND created_at >= ? AND created_at < ?",
            (caller.seq, day_start, day_start + DAY),
        ).fetchone()
        if today + amount > rules.daily_withdrawal_limit:
            raise unprocessable(
                "LIMIT_EXCEEDED",
                f"amount would take today's withdrawals to {money(today + amount)},"
                f" over the daily limit of {money(rules.daily_withdrawal_limit)}",
                "amount",
            )
        power = _buying_power(db, caller.seq)
        if power < amount:
            raise unprocessable(
                "INSUFFICIENT_FUNDS",
                f"amount is more than the buying power of {money(power)}",
                "amount",
            )
        change, notification, verb = -amount, "WITHDRAWAL_COMPLETED", "Withdrawal"
    else:
        change, notification, verb = amount, "DEPOSIT_COMPLETED", "Deposit"
    payment_id = new_id("pay")
    cursor = db.execute(
        "INSERT INTO payments (id, account_seq, type, amount, currency, method, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'COMPLETED', ?)",
        (payment_id, caller.seq, kind, amount, caller.currency, method, now),
    )
    db.execute("UPDATE accounts SET balance = balance + ? WHERE seq = ?", (change, caller.seq))
    message = f"{verb} of {money(amount)} {caller.currency} completed"
    _notify(db, caller.seq, notification, payment_id, message, now)
    row = db.execute(
        f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE seq = ?", (cursor.lastrowid,)
    ).fetchone()
    return _payment(row)


def get_payment(db: sqlite3.Connection, caller: Caller, payment_id: str) -> dict[str, Any]:
    """One of the caller's payments; 404 PAYMENT_NOT_FOUND otherwise."""
    row = db.execute(
        f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE id = ? AND account_seq = ?",
        (payment_id, caller.seq),
    ).fetchone()
    if row is None:
        raise not_found("PAYMENT_NOT_FOUND", "no payment with this payment_id")
    return _payment(row)


def list_payments(db: sqlite3.Connection, caller: Caller, page: PageRequest) -> dict[str, Any]:
    """A page of the caller's payments, newest first."""
    return _page(
        db,
        "payments",
        f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE account_seq = ?",
        (caller.seq,),
        page,
        _payment,
    )
