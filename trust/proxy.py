"""`python -m trust proxy`: a reverse proxy that seeds one wire defect into what an API sends.

Put it between the suite and any deployment of the API (`API_URL` = the proxy's address).
It forwards every request to the upstream as it came and passes every answer back as it
came, except for what the defect changes (`trust.defects.Wire`):

- the JSON objects the defect names (an Account, an Order, an error body …), wherever they
  are nested in an answer's body, re-rendered with numbers exactly as they came;
- the OpenAPI document (`GET /openapi.json`): its schemas, changed the same way;
- the status of the error answers the defect names (a refusal sent with the wrong status);
- the requests the defect answers itself (a failing operation, an outage), which never
  reach the upstream.

Broken connections pass through as well: when the upstream resets the connection, the proxy
resets its client's; when the upstream closes it without an answer (a lost response), or
cannot be reached at all, the proxy closes its client's without a byte. A client therefore
sees a connection error exactly where it would have seen one without the proxy, never a
502 of the proxy's making. Two things differ from a direct connection, both so that answers
can be rewritten: the upstream is asked for uncompressed answers (`Accept-Encoding:
identity`), and it sees its own host in `Host`.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import socket
import sys
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import uvicorn
from starlette.types import Message, Receive, Scope, Send

from sandbox import jsonio
from sandbox.app import DropConnection
from sandbox.server import TransportExposingH11, stop_with_parent
from trust.defects import Failure, Wire, changed_schemas

#: headers of one connection, never forwarded (RFC 9110, section 7.6.1)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
#: headers the proxy sets itself: the upstream's host, and the encoding and length it sends
_SET_BY_PROXY = frozenset({"host", "accept-encoding", "content-encoding", "content-length"})
#: seconds to wait for the upstream: longer than a client waits, so that the client decides
UPSTREAM_TIMEOUT = 300
#: where the API publishes its OpenAPI document, below its base URL
DOCUMENT_PATH = "/openapi.json"
#: an http or https base URL: a host (no credentials), maybe a path, no query or fragment
UPSTREAM_URL = re.compile(r"https?://[^/?#@\s]+(/[^?#\s]*)?")
#: an X-Request-ID a failure answer echoes (as the sandbox does), else it makes one up
_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,200}")
#: statuses whose answers have no body, and so no length (RFC 9110, section 8.6)
_NO_BODY = frozenset({204, 304})

logger = logging.getLogger("trust.proxy")


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a value, the outermost first."""
    if isinstance(value, dict):
        yield value
        for item in list(value.values()):
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def rewrite(wire: Wire, path: str, content_type: str, body: bytes) -> bytes | None:
    """The body as the defect changes it, or None when the defect leaves it alone.

    `path` is below the API's base URL. Only JSON bodies change: the OpenAPI document's
    schemas, or the objects the defect names in any other answer.
    """
    if "json" not in content_type or not body:
        return None
    try:
        document = jsonio.loads(body)
    except jsonio.InvalidJSONError:
        return None
    if path == DOCUMENT_PATH:
        if wire.schemas is None or not isinstance(document, dict):
            return None
        components = document.setdefault("components", {})
        try:
            components["schemas"] = changed_schemas(wire, components.get("schemas", {}))
        except (KeyError, TypeError, AttributeError) as exc:
            # Another API's document may name its schemas otherwise: pass it on as it is.
            logger.warning("the document has no schema the defect changes (%r): unchanged", exc)
            return None
        return jsonio.dumps(document)
    if wire.change is None:
        return None
    found = [item for item in _objects(document) if wire.objects <= item.keys()]
    for item in found:
        wire.change(item)
    return jsonio.dumps(document) if found else None


def status_of(wire: Wire, request: str, status: int, content_type: str, body: bytes) -> int:
    """The answer's status as the defect changes it (`request`: `METHOD /path`)."""
    restatus = wire.restatus
    if restatus is None or not restatus.requests.fullmatch(request) or "json" not in content_type:
        return status
    try:
        document = jsonio.loads(body)
    except jsonio.InvalidJSONError:
        return status
    refused = isinstance(document, dict) and document.get("code") == restatus.code
    return restatus.status if refused else status


def failure_answer(
    failure: Failure, request_id: str
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The status, headers and error body (the contract's Error) a failure answers with."""
    body = jsonio.dumps(
        {
            "code": failure.code,
            "message": failure.message,
            "field": None,
            "request_id": request_id,
        }
    )
    headers = [
        ("content-type", "application/json"),
        ("content-length", str(len(body))),
        ("x-request-id", request_id),
        *((name.lower(), value) for name, value in failure.headers),
    ]
    return failure.status, [(name.encode(), value.encode()) for name, value in headers], body


class Proxy:
    """The proxy as an ASGI application, in front of `upstream` with one wire defect.

    Serve it with uvicorn and `sandbox.server.TransportExposingH11`, which gives each request
    its connection, so that a broken upstream connection can break the client's too.
    """

    def __init__(self, *, upstream: str, wire: Wire) -> None:
        self.upstream = upstream.rstrip("/")
        self.wire = wire
        self._client = httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, follow_redirects=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            try:
                await self._http(scope, receive, send)
            except Exception as exc:
                # Not the API's failure: a 502 that says so, never a 500 the suite would
                # take for the API's (a defect of the proxy must not pass for one of the API).
                logger.exception("%s %s: the defect proxy failed", scope["method"], scope["path"])
                failure = Failure(
                    status=502, code="PROXY_ERROR", message=f"the defect proxy failed: {exc!r}"
                )
                await _answer(send, *failure_answer(failure, str(uuid.uuid4())))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        method: str = scope["method"]
        path: str = scope["path"]
        # Headers stay bytes end to end: a value need not be ASCII, and passes as it came.
        headers = _forwarded(scope["headers"])
        failure = self.wire.failure
        if failure is not None and failure.requests.fullmatch(f"{method} {path}"):
            given = dict(headers).get(b"x-request-id", b"")
            request_id = given.decode() if _REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
            await _answer(send, *failure_answer(failure, request_id))
            return
        target = self.upstream + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        try:
            response = await self._client.request(
                method, target, headers=[*headers, (b"accept-encoding", b"identity")], content=body
            )
        except (httpx.ReadError, httpx.WriteError) as exc:
            # A reset (or a write into one) on the upstream connection: reset the client's.
            logger.info("%s %s: the upstream broke the connection (%r)", method, path, exc)
            await DropConnection(abort=True)(scope, receive, send)
            return
        except httpx.TransportError as exc:
            # Closed without an answer, unreachable or too slow: the client gets no answer.
            logger.warning("%s %s: no answer from the upstream (%r)", method, path, exc)
            await DropConnection(abort=False)(scope, receive, send)
            return
        content_type = response.headers.get("content-type", "")
        content = rewrite(self.wire, path, content_type, response.content) or response.content
        length = str(len(content))
        if method == "HEAD":
            length = response.headers.get("content-length", "0")  # what a GET would carry
        answer_headers = _forwarded(response.headers.raw)
        if response.status_code not in _NO_BODY:
            answer_headers.append((b"content-length", length.encode()))
        status = status_of(
            self.wire, f"{method} {path}", response.status_code, content_type, response.content
        )
        await _answer(send, status, answer_headers, content)


def _forwarded(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers that pass through, names in lower case (the rest the proxy sets itself)."""
    passed = []
    for name, value in headers:
        lower = name.lower().decode("latin-1")
        if lower not in HOP_BY_HOP and lower not in _SET_BY_PROXY:
            passed.append((name.lower(), value))
    return passed


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message: Message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ProxyStartError(Exception):
    """The proxy cannot start; the message says why and what to do."""


class _Server(uvicorn.Server):
    """uvicorn, saying where the proxy listens once it does, and stopping with its parent."""

    def __init__(self, config: uvicorn.Config, *, upstream: str, parent: int | None) -> None:
        super().__init__(config)
        self._upstream = upstream
        self._parent = parent
        self._watch: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            print(f"proxy listening on http://{shown}:{port} in front of {self._upstream}")
            sys.stdout.flush()
            if self._parent is not None:
                self._watch = asyncio.create_task(stop_with_parent(self, self._parent))


def serve(*, upstream: str, wire: Wire, host: str, port: int, parent: int | None = None) -> None:
    """Listen on `host`:`port` (0: a free port), say where on stdout, and proxy until stopped.

    With `parent`, stop too once that process is no longer this one's parent.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        why = "the port is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ProxyStartError(
            f"cannot listen on {host}:{port}: {why or exc}: choose another with --port"
            " (--port 0 picks a free one)"
        ) from None
    config = uvicorn.Config(
        Proxy(upstream=upstream, wire=wire),
        http=TransportExposingH11,
        lifespan="on",
        log_level="warning",
        access_log=False,
        # The upstream's own Date and Server headers pass through instead.
        server_header=False,
        date_header=False,
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
    )
    _Server(config, upstream=upstream, parent=parent).run(sockets=[sock])
