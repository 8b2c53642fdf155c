"""Serving the sandbox with uvicorn: HTTP/1.1 keep-alive, optional TLS, faults at socket level."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from sandbox.api import DISCARD_LIMIT
from sandbox.app import TRANSPORT_STATE, create_app
from sandbox.chaos import Chaos, ChaosOptions, Gateway, Stats
from sandbox.rules import CONTRACT, Rules
from sandbox.store import Store

#: Seconds between two looks at whether the parent process is still there.
PARENT_POLL = 0.5


class TransportExposingH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with each connection's transport in the scope's state.

    A `reset` or `drop_response` fault must break the real connection before any byte of
    a response is written; ASGI itself has no message for that.

    A request answered before its body was read (413 PAYLOAD_TOO_LARGE) leaves the rest of
    the body on its way. A client such as `requests` reads no answer before it has sent its
    whole body, and a connection closed with unread data resets: the answer could be lost
    (urllib3 still reads it after a failed send; an asyncio client does not) and the
    request retried. So uvicorn reads and throws away the rest, which keeps the connection,
    up to `DISCARD_LIMIT`; past that the connection is closed, the answer long sent. A
    client that stops sending meanwhile is closed after the keep-alive timeout.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._discarded = 0
        self.app_state = {**self.app_state, TRANSPORT_STATE: transport}
        # asyncio sets TCP_NODELAY only on sockets created with proto=IPPROTO_TCP, which a
        # pre-bound listening socket is not; without it Nagle's algorithm holds the body
        # back behind the headers for a delayed ACK (40 ms per keep-alive request).
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def _discarding(self) -> bool:
        """Whether the answer is out while the request's body is still coming."""
        return self.conn.our_state is h11.DONE and self.conn.their_state is h11.SEND_BODY

    def data_received(self, data: bytes) -> None:
        if not self._discarding():
            self._discarded = 0
        else:
            self._discarded += len(data)
            if self._discarded > DISCARD_LIMIT:
                self.transport.close()
                return
        super().data_received(data)
        if self._discarding() and not self.transport.is_closing():
            # uvicorn's keep-alive timer stops with each arrival and restarts only after an
            # answer: restarted here, a client that stops sending the rest is not kept forever.
            self._unset_keepalive_if_required()
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )


@dataclass(frozen=True, kw_only=True)
class ServerOptions:
    """How to serve the sandbox."""

    host: str = "127.0.0.1"
    rules: Rules = CONTRACT
    tls_cert: Path | None = None
    tls_key: Path | None = None
    chaos: ChaosOptions | None = None
    #: Stop once this process is no longer the parent (it ended, even by SIGKILL).
    parent: int | None = None

    @property
    def scheme(self) -> str:
        """https with a certificate, else http."""
        return "https" if self.tls_cert else "http"


async def stop_with_parent(server: uvicorn.Server, parent: int) -> None:
    """Stop `server`, as on SIGTERM, once ``parent`` is no longer this process's parent.

    A parent that ends however it ends (SIGKILL included) leaves its children to another
    parent; a server it started for a test run must not outlive it.
    """
    while not server.should_exit:
        if os.getppid() != parent:
            server.should_exit = True
            return
        await asyncio.sleep(PARENT_POLL)


class Server(uvicorn.Server):
    """A uvicorn server that says where it listens once it does."""

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        scheme: str,
        host: str,
        on_stop: Callable[[], None] | None = None,
        parent: int | None = None,
    ) -> None:
        super().__init__(config)
        self._scheme = scheme
        self._host = host
        self._on_stop = on_stop
        self._parent = parent
        self._watch: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1]
            host = f"[{self._host}]" if ":" in self._host else self._host
            print(f"sandbox listening on {self._scheme}://{host}:{port}", flush=True)
            if self._parent is not None:
                self._watch = asyncio.create_task(stop_with_parent(self, self._parent))

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        # Here, not after run(): uvicorn raises the SIGTERM it caught again once serving
        # ends, which ends the process before code after run() could execute.
        if self._on_stop is not None:
            self._on_stop()


def build_server(
    options: ServerOptions,
    store: Store,
    *,
    stats: Stats | None = None,
    on_stop: Callable[[], None] | None = None,
) -> Server:
    """A server for the sandbox over this store (run it on an already bound socket).

    ``on_stop`` runs once the server has shut down gracefully (e.g. to write ``stats``).
    """
    app = create_app(store, rules=options.rules, stats=stats)
    if options.chaos or stats:
        # The gateway in front counts every request and, with chaos, causes its trouble.
        chaos = Chaos(options.chaos) if options.chaos else None
        app = Gateway(app, chaos=chaos, stats=stats)
    config = uvicorn.Config(
        app,
        http=TransportExposingH11,
        lifespan="off",
        log_level="warning",
        access_log=False,
        ssl_certfile=options.tls_cert,
        ssl_keyfile=options.tls_key,
        timeout_keep_alive=30,
        # On SIGTERM, connections still open after this many seconds are closed: a TLS
        # connection whose client went away without a close_notify would otherwise hold
        # the shutdown until its keep-alive timeout.
        timeout_graceful_shutdown=2,
    )
    return Server(
        config, scheme=options.scheme, host=options.host, on_stop=on_stop, parent=options.parent
    )
