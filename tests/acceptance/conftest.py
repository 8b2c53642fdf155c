"""Fixtures of the acceptance suite's own tests: a stand-in for a real deployment."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _RealDeployment(BaseHTTPRequestHandler):
    """Just enough of a real deployment: accounts and tokens, and no sandbox controls."""

    def do_GET(self) -> None:
        if self.path == "/health":
            self._answer(200, {"status": "ok", "version": "real-1"})
        else:
            self._answer(404, {"code": "NOT_FOUND", "message": "no such path", "field": None})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
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
        else:
            self._answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 3600})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        content = json.dumps({**body, "request_id": "r"} if status >= 400 else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def real_deployment() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RealDeployment)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
