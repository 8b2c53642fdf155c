"""A scriptable HTTP/1.1 keep-alive server on 127.0.0.1 for socket-level tests and benchmarks.

Each request takes the next scripted action (reply, sleep then reply, reset the connection,
close it without answering); with the script empty it gives the default reply (200
``{"ok": true}`` unless told otherwise). The
server counts accepted connections, so tests can prove keep-alive reuse, and records every
request it read.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType


@dataclass(frozen=True, kw_only=True)
class Reply:
    """Answer with this status, JSON body (or raw bytes) and headers."""

    status: int = 200
    body: object = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  #: seconds to sleep before answering (for read timeouts)


@dataclass(frozen=True, kw_only=True)
class Reset:
    """Read the request, then reset the connection (RST, via SO_LINGER 0) without answering."""


@dataclass(frozen=True, kw_only=True)
class Hangup:
    """Read the request, then close the connection cleanly without answering."""


Action = Reply | Reset | Hangup


@dataclass(frozen=True, kw_only=True)
class Received:
    """A request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read the recorded requests instead."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record(
            Received(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
        )
        action = self.server.next_action()
        if isinstance(action, Reset):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if isinstance(action, Hangup):
            self.close_connection = True
            return
        if action.delay:
            time.sleep(action.delay)
        payload = (
            action.body if isinstance(action.body, bytes) else json.dumps(action.body).encode()
        )
        self.send_response(action.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:  # the client asked for Connection: close
            self.send_header("Connection", "close")
        for name, value in action.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    # The names http.server dispatches to.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle  # noqa: N815

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the connection was reset on purpose
            super().finish()


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, tls: ssl.SSLContext | None, default: Reply) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._tls = tls
        self._default = default
        self._lock = threading.Lock()
        self.actions: deque[Action] = deque()
        self.received: list[Received] = []
        self.connections = 0

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        # Answer headers and body without waiting for the client's delayed ACK (Nagle).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.connections += 1
        if self._tls is not None:
            sock = self._tls.wrap_socket(sock, server_side=True)
        return sock, address

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client went away on purpose (timeouts, failed TLS handshakes)."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def next_action(self) -> Action:
        with self._lock:
            return self.actions.popleft() if self.actions else self._default

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)


class LocalServer:
    """Start with ``with LocalServer() as server:``; ``server.url`` is its base URL."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, default: Reply | None = None) -> None:
        self._server = _Server(tls, default or Reply())
        host, port = self._server.server_address[:2]
        self.url = f"{'https' if tls else 'http'}://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, *actions: Action) -> None:
        """Queue actions for the next requests, in order."""
        self._server.actions.extend(actions)

    @property
    def received(self) -> list[Received]:
        """Every request read so far."""
        return list(self._server.received)

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        return self._server.connections
