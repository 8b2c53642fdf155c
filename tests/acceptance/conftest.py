"""Fixtures of the acceptance suite's own tests: a stand-in for a real deployment."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

#: Seconds a hanging deployment holds a request at most (the test ends it sooner).
HANG_LIMIT = 30.0


@dataclass
class Deployment:
    """What the stand-in does, and what it was asked (``(method, path)`` in order)."""

    url: str = ""
    #: The answers to sign-in requests, in turn, as (status, code, Retry-After); then 200.
    sign_ins: deque[tuple[int, str, str | None]] = field(default_factory=deque)
    #: Statuses a gateway answers the first health checks with, as an HTML page; then 200.
    troubled_health: deque[int] = field(default_factory=deque)
    #: Hold every request but the health check until the test ends.
    hangs: bool = False
    received: list[tuple[str, str]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def count(self, method: str, path: str) -> int:
        """How many ``method path`` requests came."""
        return self.received.count((method, path))


class _RealDeployment(BaseHTTPRequestHandler):
    """Just enough of a real deployment: accounts and tokens, and no sandbox controls."""

    server: _Server

    def do_GET(self) -> None:
        if self._held():
            return
        troubles = self.server.deployment.troubled_health
        if self.path == "/health" and troubles:
            page = b"<html><body><h1>Service Temporarily Unavailable</h1></body></html>"
            self.send_response(troubles.popleft())
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        elif self.path == "/health":
            self._answer(200, {"status": "ok", "version": "real-1"})
        else:
            self._answer(404, {"code": "NOT_FOUND", "message": "no such path", "field": None})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self._held():
            return
        deployment = self.server.deployment
        if self.path == "/accounts":
            self._answer(
                201,
                {
                    "account_id": "acc_0123456789abcdef0123",
                    "username": body["username"],
                    "currency": "USD",
                    "balance": 0,
                    "buying_power": 0,
                    "positions": [],
                    "created_at": "2026-11-27T10:30:00Z",
                },
            )
        elif self.path == "/auth/token" and deployment.sign_ins:
            status, code, retry_after = deployment.sign_ins.popleft()
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            self._answer(status, {"code": code, "message": code, "field": None}, headers)
        else:
            self._answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 3600})

    def _held(self) -> bool:
        """Record the request; a hanging deployment holds all but the health check."""
        deployment = self.server.deployment
        deployment.received.append((self.command, self.path))
        if deployment.hangs and self.path != "/health":
            deployment.released.wait(HANG_LIMIT)
            return True
        return False

    def _answer(
        self, status: int, body: dict[str, object], headers: dict[str, str] | None = None
    ) -> None:
        content = json.dumps({**body, "request_id": "r"} if status >= 400 else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    deployment: Deployment


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    """A stand-in for a real deployment on 127.0.0.1, to script and to question."""
    server = _Server(("127.0.0.1", 0), _RealDeployment)
    server.deployment = Deployment(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.deployment
    server.deployment.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def real_deployment(deployment: Deployment) -> str:
    """The URL of a stand-in deployment that answers everything."""
    return deployment.url
