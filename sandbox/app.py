"""The ASGI application: the request pipeline in the contract's order of checks.

Body size (413), authentication, rate limit, sandbox fault, validation (400), idempotency
key (replay or claim), then execution (404, 409, 422) inside one transaction, which also
stores the response under the key; the first failure answers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from sandbox.chaos import Stats

from sandbox import __version__, jsonio, openapi
from sandbox.api import (
    BODY_LIMIT,
    OPERATIONS,
    Auth,
    Controls,
    Incoming,
    Offloaded,
    Operation,
    single_values,
)
from sandbox.controls import Fault, Faults, RateLimiter
from sandbox.errors import ApiError, invalid
from sandbox.idempotency import IdempotencyKeys, StoredResponse, storable
from sandbox.rules import Rules
from sandbox.service import Caller, authenticate
from sandbox.store import Store
from sandbox.validation import IDEMPOTENCY_KEY

#: where the server puts each connection's asyncio transport in the ASGI scope's state
TRANSPORT_STATE = "sandbox.transport"
_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,200}")
_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x7e]{1,512})")

logger = logging.getLogger("sandbox")


def _request_id(scope: Scope) -> str:
    return str(scope["state"]["request_id"])


def error_response(error: ApiError, request_id: str, headers: dict[str, str]) -> Response:
    """The contract's error body, with the status and headers of the error."""
    return _json(error.status, _error_body(error, request_id), {**headers, **error.headers})


def _error_body(error: ApiError, request_id: str) -> bytes:
    body = {
        "code": error.code,
        "message": error.message,
        "field": error.field,
        "request_id": request_id,
    }
    return jsonio.dumps(body)


def _json(status: int, content: bytes, headers: dict[str, str]) -> Response:
    if status == 204:
        return Response(status_code=204, headers=headers)
    return Response(content, status_code=status, headers=headers, media_type="application/json")


class DropConnection(Response):
    """Close the connection instead of answering: the client sees a broken connection.

    `abort` sends a TCP reset at once; otherwise the connection is closed. Either way no
    byte of a response is written, so nothing partial can be read as an answer.
    """

    def __init__(self, *, abort: bool) -> None:
        super().__init__()
        self.abort = abort

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport: asyncio.Transport = scope["state"][TRANSPORT_STATE]
        if self.abort:
            transport.abort()
        else:
            transport.close()
        # Wait for the server to notice, so that it does not answer 500 on our behalf.
        while (await receive())["type"] != "http.disconnect":
            pass


async def _delay(fault: Fault | None) -> None:
    """Wait as a `delay` fault says (a slow server: whatever the request's outcome)."""
    if fault and fault.spec["kind"] == "delay":
        await asyncio.sleep(fault.spec["ms"] / 1000)


def _deliver(fault: Fault | None, response: Response) -> Response:
    """The answer, unless a `drop_response` fault loses it (whatever the request's outcome)."""
    if fault and fault.spec["kind"] == "drop_response":
        return DropConnection(abort=False)
    return response


class Sandbox:
    """The pipeline every operation goes through, and the state it keeps."""

    def __init__(
        self,
        store: Store,
        *,
        rules: Rules,
        stats: Stats | None = None,
    ) -> None:
        self.store = store
        rates = RateLimiter(default_limit=rules.rate_limit, window_seconds=rules.rate_window)
        self.controls = Controls(rules=rules, faults=Faults(), rates=rates)
        self.keys = IdempotencyKeys()
        self.stats = stats

    def _authenticate(
        self, request: Request, operation: Operation, real_now: float
    ) -> tuple[Caller | None, str | None]:
        if operation.auth is Auth.NONE:
            return None, None
        match = _BEARER.fullmatch(request.headers.get("authorization", ""))
        caller = authenticate(self.store.db, match[1], real_now) if match else None
        if match and (caller or operation.auth is Auth.REVOKE):
            return caller, match[1]
        raise ApiError(
            401,
            "UNAUTHENTICATED",
            "Authorization: Bearer <token> is required"
            if match is None
            else "the bearer token is unknown, expired or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )

    def _admit(
        self,
        caller: Caller,
        request: Request,
        operation: Operation,
        now: float,
        headers: dict[str, str],
    ) -> Fault | None:
        """The rate limit, then the fault that fires on this request, if any."""
        rates = self.controls.rates
        if operation.control:
            headers.update(rates.peek(caller.token_hash, now).headers())
            return None
        state = rates.hit(caller.token_hash, now)
        headers.update(state.headers())
        if state.retry_after is not None:
            raise ApiError(
                429,
                "RATE_LIMITED",
                f"rate limit of {state.limit} requests a minute reached:"
                f" retry in {state.retry_after} seconds",
            )
        return self.controls.faults.fire(caller.seq, request.method, request.url.path)

    @staticmethod
    def _body(raw: bytes, operation: Operation) -> dict[str, Any]:
        if not operation.request:
            return {}
        try:
            body = jsonio.loads(raw)
        except jsonio.InvalidJSONError as error:
            raise invalid("INVALID_JSON", None, str(error)) from None
        if not isinstance(body, dict):
            raise invalid("INVALID_JSON", None, "the request body must be a JSON object")
        return body

    @staticmethod
    def _key(request: Request, operation: Operation) -> str | None:
        key = request.headers.get("idempotency-key")
        if key is None or not operation.idempotent:
            return None
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise invalid(
                "INVALID_IDEMPOTENCY_KEY",
                None,
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            )
        return key

    async def handle(self, request: Request, operation: Operation) -> Response:
        """Answer one request."""
        request_id = _request_id(request.scope)
        # The whole request is read before any check, so that from a fault firing to the
        # idempotency key's claim nothing awaits: whoever sees a delay fault fired (in the
        # fault list) knows that its request already holds its key.
        raw = await request.body()
        real_now = time.time()
        headers = {"Cache-Control": "no-store"}
        fault: Fault | None = None
        try:
            caller, token = self._authenticate(request, operation, real_now)
            now = caller.now(real_now) if caller else real_now
            if caller:
                fault = self._admit(caller, request, operation, now, headers)
            if fault and self.stats:
                held = fault.spec["ms"] / 1000 if fault.spec["kind"] == "delay" else 0.0
                self.stats.fault("customer", fault.kind, delay=held)
            if fault and fault.spec["kind"] == "status":
                raise _injected(fault)
            if fault and fault.spec["kind"] == "reset":
                return DropConnection(abort=True)
            query = single_values(request.query_params.multi_items(), operation.query)
            body = self._body(raw, operation)
            incoming = Incoming(
                path_params=request.path_params,
                query=query,
                body=body,
                caller=caller,
                token=token,
                real_now=real_now,
            )
            execute = operation.prepare(incoming, self.controls)
            key = self._key(request, operation)
        except ApiError as error:
            await _delay(fault)
            return _deliver(fault, error_response(error, request_id, headers))
        scope = caller.account_id if caller else ""
        fingerprint = ""
        if key is not None:
            fingerprint = jsonio.fingerprint(operation.method, request.url.path, body)
            refusal = self._replay_or_claim(scope, key, fingerprint, now, request_id, headers)
            if refusal is not None:
                await _delay(fault)
                return _deliver(fault, refusal)
        try:
            # A delay holds the key: a resend meanwhile is 409 IDEMPOTENCY_KEY_IN_USE.
            await _delay(fault)
            if isinstance(execute, Offloaded):
                execute = await execute.ready(self.store.db)
            with self.store.transaction() as db:
                try:
                    status, content = operation.status, execute(db)
                    rendered = b"" if content is None else jsonio.dumps(content)
                    code = None
                except ApiError as error:
                    status, rendered, code = (
                        error.status,
                        _error_body(error, request_id),
                        error.code,
                    )
                    headers.update(error.headers)
                if key is not None and storable(status, code):
                    stored = StoredResponse(fingerprint=fingerprint, status=status, body=rendered)
                    self.keys.store(db, scope, key, stored, now)
            # The audit counts executions of the API's own creating requests, not of controls.
            if (
                self.stats
                and operation.idempotent
                and not operation.control
                and 200 <= status < 300
            ):
                self.stats.executed(request_id, f"{operation.method} {operation.path}")
        finally:
            if key is not None:
                self.keys.release(scope, key)
        return _deliver(fault, _json(status, rendered, headers))

    def _replay_or_claim(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        now: float,
        request_id: str,
        headers: dict[str, str],
    ) -> Response | None:
        """The answer for a key already used, or None once this request holds the key."""
        stored = self.keys.stored(self.store.db, scope, key, now)
        if stored and stored.fingerprint != fingerprint:
            reused = ApiError(
                422,
                "IDEMPOTENCY_KEY_REUSED",
                "Idempotency-Key was already used with another request body",
            )
            return error_response(reused, request_id, headers)
        if stored:
            return _json(stored.status, stored.body, {**headers, "Idempotent-Replayed": "true"})
        if not self.keys.claim(scope, key):
            in_use = ApiError(
                409,
                "IDEMPOTENCY_KEY_IN_USE",
                "a request with this Idempotency-Key is still executing: retry shortly",
                headers={"Retry-After": "1"},
            )
            return error_response(in_use, request_id, headers)
        return None


def _injected(fault: Fault) -> ApiError:
    """The answer of a `status` fault: that status, code INJECTED_FAULT, its Retry-After."""
    status = fault.spec["status"]
    retry_after = fault.spec["retry_after"]
    return ApiError(
        status,
        "INJECTED_FAULT",
        f"a sandbox fault answered {status} {HTTPStatus(status).phrase}",
        headers={} if retry_after is None else {"Retry-After": retry_after},
    )


class RequestIdMiddleware:
    """Give every request an id (the client's X-Request-ID if sane) and echo it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
        if not _REQUEST_ID.fullmatch(request_id):
            request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """The first check of all: a request body over `BODY_LIMIT` is 413 PAYLOAD_TOO_LARGE.

    A declared Content-Length over the limit is answered before a byte of the body is read; a
    body without one (chunked) is counted while it is read and answered once it passes the
    limit. Either answer comes before authentication, so it carries no rate-limit headers
    and counts against no limit; the server reads and discards what is left of the body
    (`sandbox.server`), so that the client sees the answer. A body within the limit is read
    whole here and handed on as it came.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # The server has checked that a Content-Length is a number (and that there is one).
        if int(headers.get(b"content-length", 0)) > BODY_LIMIT:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away: nobody to answer
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > BODY_LIMIT:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        error = ApiError(
            413,
            "PAYLOAD_TOO_LARGE",
            f"the request body is larger than {BODY_LIMIT} bytes ({BODY_LIMIT >> 20} MiB), the most"
            " the API reads: send a smaller one",
        )
        response = error_response(error, _request_id(scope), {"Cache-Control": "no-store"})
        await response(scope, receive, send)


def _endpoint(sandbox: Sandbox, operations: dict[str, Operation]) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        # HEAD is served as GET (the server sends no body).
        operation = operations.get(request.method) or operations["GET"]
        try:
            return await sandbox.handle(request, operation)
        except Exception:
            logger.exception("unexpected error in %s %s", request.method, request.url.path)
            error = ApiError(500, "INTERNAL_ERROR", "the sandbox failed unexpectedly")
            return error_response(error, _request_id(request.scope), {})

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    message = {404: "no such path", 405: f"{request.method} is not allowed here"}.get(
        exc.status_code, phrase
    )
    code = phrase.upper().replace(" ", "_").replace("-", "_")
    error = ApiError(exc.status_code, code, message)
    return error_response(error, _request_id(request.scope), dict(exc.headers or {}))


async def _server_error(request: Request, exc: Exception) -> Response:
    error = ApiError(500, "INTERNAL_ERROR", "the sandbox failed unexpectedly")
    return error_response(error, _request_id(request.scope), {})


def create_app(
    store: Store,
    *,
    rules: Rules,
    stats: Stats | None = None,
) -> ASGIApp:
    """The sandbox under these rules, as an ASGI application (counting executions in ``stats``)."""
    sandbox = Sandbox(store, rules=rules, stats=stats)
    app = FastAPI(
        title="Trading API sandbox",
        version=__version__,
        redoc_url=None,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in OPERATIONS:
        by_path.setdefault(operation.path, {})[operation.method] = operation
    for path, operations in by_path.items():
        # A plain Starlette route: the pipeline reads the request itself, so FastAPI's
        # dependency solving would only add work to every request.
        app.add_route(
            path, _endpoint(sandbox, operations), methods=list(operations), include_in_schema=False
        )
    document = openapi.build(OPERATIONS)
    app.openapi = lambda: document  # type: ignore[method-assign]
    return RequestIdMiddleware(BodyLimitMiddleware(app))
