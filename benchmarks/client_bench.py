"""Client benchmarks: ratios of variants measured side by side, in one run, against a local server.

1. one pooled connection vs a new connection per request, over HTTP and over HTTPS
   (certificates from trustme, the CA passed through the CA-bundle setting);
2. the full client stack (retry policy, attempt recording, redaction of every exchange read
   by a listener, contract validation) vs a bare ``requests.Session``;
3. redaction as learned secrets pile up (10, 100, 1000): cost per secret learned and per
   text redacted.

The server runs in its own process so that its work does not share the client's GIL.
Each comparison alternates its two variants for ``ROUNDS`` rounds of ``REQUESTS`` requests
and compares the medians of the per-request times. Run with ``make bench``.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import secrets
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path

import requests
import trustme
from pydantic import BaseModel

# Run as a script (make bench): the project's root holds the packages imported below.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from framework.client import ApiClient, Exchange
from framework.redaction import Redactor
from framework.settings import Settings
from tests.framework.local_server import LocalServer, Reply

#: Rounds per comparison; the median of the rounds is reported.
ROUNDS = 25
#: Requests per round.
REQUESTS = 60
#: Requests per round when each one opens a new connection (slower).
UNPOOLED_REQUESTS = 20

#: A typical small JSON answer of an API (an order).
BODY = {
    "order_id": "ord_8f3a9c0d2b1e4f5a6b7c8d9e",
    "account_id": "acc_1a2b3c4d5e6f7a8b9c0d1e2f",
    "symbol": "AAPL",
    "side": "buy",
    "type": "limit",
    "quantity": 10,
    "limit_price": 150.10,
    "status": "filled",
    "fill_price": 149.95,
    "created_at": "2026-11-27T10:30:00Z",
}


class Order(BaseModel):
    order_id: str
    account_id: str
    symbol: str
    side: str
    type: str
    quantity: int
    limit_price: Decimal
    status: str
    fill_price: Decimal | None
    created_at: str


def serve(cert_dir: str | None, channel: Connection) -> None:
    """Run a keep-alive server until told to stop; send its URL first."""
    context = None
    if cert_dir is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(f"{cert_dir}/server.pem")
    with LocalServer(tls=context, default=Reply(body=BODY)) as server:
        channel.send(server.url)
        channel.recv()


class Server:
    """A LocalServer in a child process."""

    def __init__(self, cert_dir: str | None = None) -> None:
        self._channel, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=serve, args=(cert_dir, child))
        self._process.start()
        self.url: str = self._channel.recv()

    def stop(self) -> None:
        self._channel.send("stop")
        self._process.join(timeout=10)


def per_request(action: Callable[[], object], count: int) -> tuple[float, float]:
    """Wall-clock and client CPU seconds per request over ``count`` requests.

    The server runs in another process, so CPU time is the client's own work: it is the
    steadier measure on a busy machine, where wall-clock time also counts waiting.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        action()
    return (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count


def compare(
    name: str,
    first: tuple[str, Callable[[], object], int],
    second: tuple[str, Callable[[], object], int],
) -> tuple[float, float]:
    """Alternate the two variants for ROUNDS rounds; print medians and the ratios.

    Returns the ratios second / first of the median wall-clock and CPU times.
    """
    walls: dict[str, list[float]] = {first[0]: [], second[0]: []}
    cpus: dict[str, list[float]] = {first[0]: [], second[0]: []}
    for _, action, _ in (first, second):
        per_request(action, 10)  # warm up: connections, caches
    for _ in range(ROUNDS):
        for label, action, count in (first, second):
            wall, cpu = per_request(action, count)
            walls[label].append(wall)
            cpus[label].append(cpu)
    print(f"\n{name} (medians of {ROUNDS} alternating rounds)")
    for label in walls:
        wall, cpu = statistics.median(walls[label]), statistics.median(cpus[label])
        print(f"  {label:<28} {wall * 1e6:7.0f} µs/request wall, {cpu * 1e6:7.0f} µs client CPU")
    ratios = tuple(
        statistics.median(values[second[0]]) / statistics.median(values[first[0]])
        for values in (walls, cpus)
    )
    print(f"  ratio {second[0]} / {first[0]}: {ratios[0]:.2f} wall, {ratios[1]:.2f} CPU")
    return ratios[0], ratios[1]


def pooling(scheme: str, settings: Settings, server_url: str) -> tuple[float, float]:
    """Pooled vs a new connection per request, through the framework's client."""
    with (
        ApiClient(settings, base_url=server_url) as pooled,
        ApiClient(settings, base_url=server_url) as unpooled,
    ):
        close = {"Connection": "close"}
        return compare(
            f"{scheme}: one pooled connection vs a new connection per request",
            ("pooled", lambda: pooled.request("GET", "/orders/1"), REQUESTS),
            (
                "new connection each time",
                lambda: unpooled.request("GET", "/orders/1", headers=close),
                UNPOOLED_REQUESTS,
            ),
        )


def overhead(server_url: str) -> tuple[float, float]:
    """The full client stack, as the suite runs it, vs a bare requests.Session."""
    bare = requests.Session()
    url = f"{server_url}/orders/1"
    rendered: list[int] = []

    def report(exchange: Exchange) -> None:  # what a reporting listener does per request
        rendered.append(len(exchange.render()))

    settings = Settings(api_secrets=secrets.token_urlsafe(16))
    with ApiClient(settings, base_url=server_url) as client:
        client.add_listener(report)
        token = secrets.token_urlsafe(32)

        def full() -> object:
            response = client.request("GET", "/orders/1", token=token, expect={200: Order})
            return response.model

        def plain() -> object:
            response = bare.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
            return response.json()

        ratio = compare(
            "HTTP: full client stack vs a bare requests.Session (both pooled)",
            ("bare requests.Session", plain, REQUESTS),
            ("full client stack", full, REQUESTS),
        )
    bare.close()
    assert len(rendered) >= ROUNDS * REQUESTS, "the listener saw every exchange"
    return ratio


def redaction_at_scale() -> None:
    """What learning secrets costs as they pile up during a run, and what redaction costs."""
    text = json.dumps({"items": [BODY] * 3})  # about 1 KB of ordinary JSON
    print(f"\nRedaction as learned secrets pile up ({len(text)} characters of JSON per text)")
    for count in (10, 100, 1000):
        redactor = Redactor()
        started = time.process_time()
        for _ in range(count):  # as a run does: learn a token, then redact an exchange
            redactor.learn(secrets.token_urlsafe(32))
            redactor.text(text)
        learning = (time.process_time() - started) / count
        redact = functools.partial(redactor.text, text)
        samples = [per_request(redact, 20)[1] for _ in range(ROUNDS)]
        print(
            f"  {count:>5} secrets: {learning * 1e3:6.2f} ms per secret learned (amortised),"
            f" {statistics.median(samples) * 1e6:6.0f} µs per text redacted"
        )


def main() -> None:
    started = time.perf_counter()
    authority = trustme.CA()
    with tempfile.TemporaryDirectory() as cert_dir:
        authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
            f"{cert_dir}/server.pem"
        )
        bundle = Path(cert_dir) / "ca.pem"
        authority.cert_pem.write_to_path(str(bundle))
        plain_server = Server()
        tls_server = Server(cert_dir)
        try:
            http_ratio = pooling("HTTP", Settings(), plain_server.url)
            https_ratio = pooling("HTTPS", Settings(api_ca_bundle=bundle), tls_server.url)
            stack_ratio = overhead(plain_server.url)
        finally:
            plain_server.stop()
            tls_server.stop()
    redaction_at_scale()
    print("\nSummary (wall clock; client CPU in brackets)")
    print(
        f"  pooled vs unpooled, HTTP:  {http_ratio[0]:.1f}x faster ({http_ratio[1]:.1f}x less CPU)"
    )
    print(
        f"  pooled vs unpooled, HTTPS: {https_ratio[0]:.1f}x faster"
        f" ({https_ratio[1]:.1f}x less CPU); target >= 3x"
    )
    print(
        f"  full stack vs bare session: {(stack_ratio[0] - 1) * 100:+.1f}%"
        f" ({(stack_ratio[1] - 1) * 100:+.1f}% CPU); target <= +15%"
    )
    print(f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
