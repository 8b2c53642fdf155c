"""The OpenAPI 3.1 document: every operation with its request, responses and error codes."""

from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus
from typing import Any

from sandbox import __version__
from sandbox.api import (
    BODY_LIMIT,
    CURRENCIES,
    DISCARD_LIMIT,
    OFFSET_MAX,
    ORDER_STATUSES,
    PAYMENT_MAX,
    PAYMENT_MIN,
    PRICE_MAX,
    PRICE_MIN,
    QUERY_PARAMETERS,
    RETRY_AFTER,
    RETRY_AFTER_MAX,
    SYMBOLS_MAX,
    USERNAME,
    Auth,
    Operation,
)
from sandbox.validation import SYMBOL

_MONEY = {
    "type": "number",
    "description": "A money amount or price: a JSON number with at most 2 decimal places.",
}
_TIME = {"type": "string", "format": "date-time", "description": "RFC 3339, UTC, Z suffix."}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_ID = {"type": "string", "minLength": 1}
_SYMBOL = f"^{SYMBOL.pattern}$"


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _money_in(minimum: Decimal, maximum: Decimal) -> dict[str, Any]:
    return {
        "type": "number",
        "minimum": float(minimum),
        "maximum": float(maximum),
        "multipleOf": 0.01,
        "description": f"From {minimum} to {maximum}, at most 2 decimal places.",
    }


def _page(item: str) -> dict[str, Any]:
    return _object(
        {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "next_cursor": {"type": ["string", "null"]},
        }
    )


_ORDER_FIELDS: dict[str, Any] = {
    "symbol": {"type": "string", "pattern": _SYMBOL},
    "side": {"type": "string", "enum": ["BUY", "SELL"]},
    "quantity": {"type": "integer", "minimum": 1, "maximum": 100000},
}

_FAULT_KINDS: dict[str, dict[str, Any]] = {
    "StatusFault": _object(
        {
            "kind": {"const": "status"},
            "status": {"type": "integer", "enum": [429, 500, 502, 503, 504]},
            "retry_after": {
                "description": "Whole seconds or an HTTP-date, sent as Retry-After.",
                "anyOf": [
                    {"type": "integer", "minimum": 0, "maximum": RETRY_AFTER_MAX},
                    {"type": "string", "pattern": f"^({RETRY_AFTER.pattern})$"},
                    {"type": "null"},
                ],
            },
        },
        optional=("retry_after",),
    ),
    "DelayFault": _object(
        {"kind": {"const": "delay"}, "ms": {"type": "integer", "minimum": 1, "maximum": 30000}}
    ),
    "ResetFault": _object({"kind": {"const": "reset"}}),
    "DropResponseFault": _object({"kind": {"const": "drop_response"}}),
}

_FAULT_SPEC = {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in _FAULT_KINDS]}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
            "message": {"type": "string"},
            "field": {"type": ["string", "null"]},
            "request_id": {"type": "string"},
        }
    ),
    "Health": _object({"status": {"const": "ok"}, "version": {"type": "string"}}),
    "NewAccount": _object(
        {
            "username": {"type": "string", "pattern": f"^{USERNAME.pattern}$"},
            "password": {"type": "string", "minLength": 12},
            "currency": {"type": "string", "enum": list(CURRENCIES), "default": "USD"},
        },
        optional=("currency",),
    ),
    "Credentials": _object(
        {
            "username": {"type": "string"},
            "password": {"type": "string"},
            "expires_in": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 3600},
        },
        optional=("expires_in",),
    ),
    "Token": _object(
        {
            "access_token": {"type": "string"},
            "token_type": {"const": "bearer"},
            "expires_in": {"type": "integer", "minimum": 1, "maximum": 3600},
        }
    ),
    "Position": _object(
        {
            "symbol": {"type": "string"},
            "quantity": {"type": "integer", "minimum": 1},
            "average_price": _MONEY,
        }
    ),
    "Account": _object(
        {
            "account_id": _ID,
            "username": {"type": "string"},
            "currency": {"type": "string", "enum": list(CURRENCIES)},
            "balance": _MONEY,
            "buying_power": _MONEY,
            "positions": {"type": "array", "items": {"$ref": "#/components/schemas/Position"}},
            "created_at": _TIME,
        }
    ),
    "Quote": _object(
        {
            "symbol": {"type": "string"},
            "price": {**_MONEY, "exclusiveMinimum": 0},
            "volume": {"type": "integer", "minimum": 0},
            "timestamp": _TIME,
        }
    ),
    "Quotes": _object(
        {"quotes": {"type": "array", "items": {"$ref": "#/components/schemas/Quote"}}}
    ),
    "MarketOrder": _object(
        {
            **_ORDER_FIELDS,
            "order_type": {"const": "MARKET"},
            "limit_price": {"type": "null", "description": "Absent or null for MARKET."},
        },
        optional=("limit_price",),
    ),
    "LimitOrder": _object(
        {
            **_ORDER_FIELDS,
            "order_type": {"const": "LIMIT"},
            "limit_price": _money_in(PRICE_MIN, PRICE_MAX),
        }
    ),
    "NewOrder": {
        "oneOf": [
            {"$ref": "#/components/schemas/MarketOrder"},
            {"$ref": "#/components/schemas/LimitOrder"},
        ]
    },
    "Order": _object(
        {
            "order_id": _ID,
            "symbol": {"type": "string"},
            "side": {"type": "string", "enum": ["BUY", "SELL"]},
            "order_type": {"type": "string", "enum": ["MARKET", "LIMIT"]},
            "quantity": {"type": "integer", "minimum": 1},
            "limit_price": {**_MONEY, "type": ["number", "null"]},
            "status": {"type": "string", "enum": list(ORDER_STATUSES)},
            "fill_price": {**_MONEY, "type": ["number", "null"]},
            "created_at": _TIME,
            "filled_at": _NULLABLE_TIME,
        }
    ),
    "OrderPage": _page("Order"),
    "NewPayment": _object(
        {
            "amount": _money_in(PAYMENT_MIN, PAYMENT_MAX),
            "method": {"type": "string", "enum": ["CARD", "BANK_TRANSFER"]},
            "currency": {
                "type": "string",
                "enum": list(CURRENCIES),
                "description": "Optional; must equal the account's currency (else 400).",
            },
        },
        optional=("currency",),
    ),
    "Payment": _object(
        {
            "payment_id": _ID,
            "type": {"type": "string", "enum": ["DEPOSIT", "WITHDRAWAL"]},
            "amount": _MONEY,
            "currency": {"type": "string", "enum": list(CURRENCIES)},
            "method": {"type": "string", "enum": ["CARD", "BANK_TRANSFER"]},
            "status": {"type": "string", "enum": ["COMPLETED", "FAILED"]},
            "created_at": _TIME,
        }
    ),
    "PaymentPage": _page("Payment"),
    "Notification": _object(
        {
            "notification_id": _ID,
            "type": {
                "type": "string",
                "enum": [
                    "ORDER_FILLED",
                    "ORDER_CANCELLED",
                    "DEPOSIT_COMPLETED",
                    "WITHDRAWAL_COMPLETED",
                ],
            },
            "reference_id": _ID,
            "message": {"type": "string"},
            "created_at": _TIME,
        }
    ),
    "NotificationPage": _page("Notification"),
    "PriceChange": _object({"price": _money_in(PRICE_MIN, PRICE_MAX)}),
    **_FAULT_KINDS,
    "NewFault": _object(
        {
            "method": {
                "type": "string",
                "enum": ["*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
            },
            "path": {
                "type": "string",
                "minLength": 1,
                "maxLength": 500,
                "description": "An fnmatch glob over the request path, query excluded.",
            },
            "fault": _FAULT_SPEC,
            "times": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1},
        },
        optional=("times",),
    ),
    "Fault": _object(
        {
            "fault_id": _ID,
            "method": {"type": "string"},
            "path": {"type": "string"},
            "fault": _FAULT_SPEC,
            "times": {"type": "integer", "minimum": 1, "maximum": 100},
            "fired": {"type": "integer", "minimum": 0},
            "remaining": {"type": "integer", "minimum": 0},
        }
    ),
    "FaultList": _object(
        {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Fault"}}}
    ),
    "ClockChange": _object(
        {"offset_seconds": {"type": "integer", "minimum": -OFFSET_MAX, "maximum": OFFSET_MAX}}
    ),
    "Clock": _object({"now": _TIME}),
    "RateLimitChange": _object({"limit": {"type": "integer", "minimum": 1, "maximum": 100000}}),
    "RateLimit": _object({"limit": {"type": "integer", "minimum": 1, "maximum": 100000}}),
}

_PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "account_id": {"type": "string"},
    "order_id": {"type": "string"},
    "payment_id": {"type": "string"},
    "symbol": {"type": "string", "pattern": _SYMBOL},
}

_QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "symbols": {
        "required": True,
        "description": "1 to 20 comma-separated symbols.",
        "schema": {
            "type": "string",
            "pattern": f"^{SYMBOL.pattern}(,{SYMBOL.pattern}){{0,{SYMBOLS_MAX - 1}}}$",
        },
    },
    "status": {"schema": {"type": "string", "enum": list(ORDER_STATUSES)}},
    "limit": {"schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
    "cursor": {
        "description": "The next_cursor of the previous page.",
        "schema": {"type": "string", "minLength": 1},
    },
    "after": {
        "description": "A notification_id of the caller's: only newer notifications.",
        "schema": {"type": "string", "minLength": 1},
    },
}

_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "1 to 255 printable ASCII characters, kept 24 hours by the caller's clock. A resend"
        " with the same key and an equal body replays the stored response."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    },
}


def _query_parameter(name: str) -> dict[str, Any]:
    """A query parameter, with what a repeat of it answers (the contract refuses the ambiguity)."""
    described = _QUERY_PARAMETERS[name]
    code, _ = QUERY_PARAMETERS[name]
    repeat = f"Given at most once: a repeat is 400 {code}."
    description = f"{described['description']} {repeat}" if "description" in described else repeat
    return {"name": name, "in": "query", "required": False, **described, "description": description}


def _header(description: str, *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}


_REQUEST_ID = _header("The client's X-Request-ID echoed, else a new one.", required=True)
_RATE_HEADERS = {
    "X-RateLimit-Limit": _header("Requests allowed in the token's current window."),
    "X-RateLimit-Remaining": _header("Requests left in the token's current window."),
}


def _errors(operation: Operation) -> dict[int, list[str]]:
    errors: dict[int, list[str]] = {
        status: list(codes) for status, codes in operation.errors.items()
    }

    def add(status: int, *codes: str) -> None:
        errors.setdefault(status, []).extend(code for code in codes if code not in errors[status])

    if operation.request:
        add(400, "INVALID_JSON", "UNKNOWN_FIELD")
        add(413, "PAYLOAD_TOO_LARGE")
    if operation.idempotent:
        add(400, "INVALID_IDEMPOTENCY_KEY")
        add(409, "IDEMPOTENCY_KEY_IN_USE")
        add(422, "IDEMPOTENCY_KEY_REUSED")
    if operation.auth is not Auth.NONE:
        add(401, "UNAUTHENTICATED")
    if _faults_fire(operation):
        add(429, "RATE_LIMITED", "INJECTED_FAULT")
    return dict(sorted(errors.items()))


def _faults_fire(operation: Operation) -> bool:
    """Whether a customer's (or chaos's) fault can answer this operation."""
    return operation.auth is not Auth.NONE and not operation.control


def _server_errors(operation: Operation) -> dict[str, Any]:
    """The ``5XX`` range response: server errors are no operation's behaviour, so one range.

    Every operation can meet a real server fault (500 ``INTERNAL_ERROR``); where faults fire,
    a staged one answers 500, 502, 503 or 504 ``INJECTED_FAULT``, with ``Retry-After`` when it
    was given one. Listing the four statuses under every operation would document them as
    behaviours of each.
    """
    codes = ["INTERNAL_ERROR"]
    description = "Server error: 500 INTERNAL_ERROR, an unexpected fault of the server"
    headers = _response_headers(operation, 500)
    if _faults_fire(operation):
        codes.append("INJECTED_FAULT")
        description += (
            "; 500, 502, 503 or 504 INJECTED_FAULT, a sandbox fault staged by the caller"
            " (with Retry-After when the fault gives one)"
        )
        headers["Retry-After"] = _header("Seconds (or an HTTP-date) to wait before retrying.")
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": _error_schema(codes)}},
    }


def _error_schema(codes: list[str]) -> dict[str, Any]:
    return {
        "allOf": [
            {"$ref": "#/components/schemas/Error"},
            {"properties": {"code": {"enum": codes}}},
        ]
    }


def _response_headers(operation: Operation, status: int) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-ID": _REQUEST_ID}
    # A 401 is answered before the rate limit counts, and a 413 before anything else.
    if operation.auth is not Auth.NONE and status not in (401, 413):
        headers.update(_RATE_HEADERS)
    if status in (409, 429, 503):
        headers["Retry-After"] = _header("Seconds (or an HTTP-date) to wait before retrying.")
    if status == 401:
        headers["WWW-Authenticate"] = _header("Bearer", required=operation.auth is Auth.BEARER)
    if operation.idempotent and (200 <= status < 300 or status in (401, 404, 409, 422)):
        headers["Idempotent-Replayed"] = _header("true when this is a stored response replayed.")
    return headers


def _operation(operation: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    success: dict[str, Any] = {
        "description": HTTPStatus(operation.status).phrase,
        "headers": _response_headers(operation, operation.status),
    }
    if operation.response:
        success["content"] = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{operation.response}"}}
        }
    responses[str(operation.status)] = success
    for status, codes in _errors(operation).items():
        responses[str(status)] = {
            "description": f"{HTTPStatus(status).phrase}: {', '.join(codes)}",
            "headers": _response_headers(operation, status),
            "content": {"application/json": {"schema": _error_schema(codes)}},
        }
    responses["5XX"] = _server_errors(operation)
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": schema}
        for name, schema in _PATH_PARAMETERS.items()
        if f"{{{name}}}" in operation.path
    ]
    parameters += [_query_parameter(name) for name in operation.query]
    if operation.idempotent:
        parameters.append(_IDEMPOTENCY_KEY)
    document: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
        "tags": ["sandbox controls" if operation.control else operation.path.split("/")[1]],
        "security": [] if operation.auth is Auth.NONE else [{"bearer": []}],
        "parameters": parameters,
        "responses": responses,
    }
    if operation.description:
        document["description"] = operation.description
    if operation.request:
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{operation.request}"}
                }
            },
        }
    return document


DESCRIPTION = f"""\
The trading API's reference implementation. Choices where the contract is silent:

- A request body over {BODY_LIMIT >> 20} MiB ({BODY_LIMIT:,} bytes) is 413 `PAYLOAD_TOO_LARGE`
  on any path and method, before anything else: no rate-limit headers, no request counted.
  A declared Content-Length over the limit is answered before the body is read; a chunked
  body is counted as it is read. The rest of such a body is read and discarded, so that a
  client that sends its whole body before reading sees the answer; past
  {DISCARD_LIMIT >> 20} MiB of it the connection is closed after the answer. Documented on
  the operations that take a body.
- Request bodies are parsed as JSON whatever the Content-Type. Numbers are exact decimals.
  Quantities, `expires_in`, `times`, `ms`, `limit` and `offset_seconds` are integers as
  JSON Schema has them: `10.0` is 10, `10.5` is rejected.
- A body that names a member twice in one object, or holds a string that is not valid
  Unicode (a lone surrogate escape such as `\\ud800`; an escaped pair is valid), is 400
  `INVALID_JSON`: it is ambiguous, so it is refused rather than read one way.
- A query parameter given twice is 400 with that parameter's own code (`INVALID_SYMBOL`
  for `symbols`, `INVALID_STATUS` for `status`, `INVALID_PAGINATION` for `limit`, `cursor`
  and `after`), never read as one of its values; parameters an operation does not read
  are ignored.
- A field without a code of its own (`username` and `password` of a login) that is missing
  or not a string is 400 `MISSING_FIELD`. A payment `currency` that is not the account's,
  whatever its value, is 400 `CURRENCY_MISMATCH`.
- Prices (`limit_price`, sandbox prices) are from 0.01 to 1,000,000.00.
- Timestamps of a customer's resources are taken from that customer's sandbox clock.
- A successful login does not clear earlier failed attempts; an unknown username is
  throttled like a known one (by real time).
- Idempotency keys of `POST /accounts` and `POST /auth/token` expire by real time. A key
  reused on another operation is 422 `IDEMPOTENCY_KEY_REUSED`; a key held by a request
  still executing is 409 `IDEMPOTENCY_KEY_IN_USE` whatever the body. A replayed login
  answers the token it issued.
- `DELETE /auth/token` with a valid token counts toward its rate limit and can receive
  faults; with an unknown, expired or revoked one it is simply 204.
- Unknown paths are 404 `NOT_FOUND`, unsupported methods 405 `METHOD_NOT_ALLOWED` with
  `Allow`; an unexpected server error is 500 `INTERNAL_ERROR`.
- Server errors are documented once per operation as the range `5XX`, not status by status:
  they are faults, not behaviours of an operation. They are 500 `INTERNAL_ERROR`, and, where
  sandbox faults fire, 500, 502, 503 or 504 `INJECTED_FAULT` (with `Retry-After` when the
  fault gives one).
- `X-Request-ID` is echoed when it is 1 to 200 printable ASCII characters, else replaced.
- A `delay` fault waits just before execution (holding the request's idempotency key), or
  before answering a request that is not executed (a 400, a replay, a reused or busy key).
"""


def build(operations: list[Operation]) -> dict[str, Any]:
    """The OpenAPI document of these operations."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Trading API sandbox",
            "version": __version__,
            "description": DESCRIPTION,
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
