"""A body over 1 MiB: 413 PAYLOAD_TOO_LARGE before anything else, and an answer, not a reset.

Real sockets on 127.0.0.1 throughout: what is under test is what a client sees on the wire
when the server answers before it has read the body (Content-Length first, a chunked body
counted as it comes), and what becomes of the rest of that body.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import requests

from framework.client import ApiClient
from framework.retry import RetryPolicy
from framework.settings import Settings
from tests.sandbox.conftest import REQUEST_TIMEOUT, Customer, assert_error

#: bytes: the contract's limit on a request body
LIMIT = 1 << 20
#: bytes: the most of a refused body the sandbox reads and discards (see sandbox.server)
DISCARD_LIMIT = 256 << 20
#: bytes: more than the kernel's buffers of a loopback connection hold, both ends together
SOCKET_BUFFERS = 32 << 20
#: bytes: the unauthenticated body of the issue, far past both limits
HUNDRED_MB = 100 * 10**6
DEPOSIT = b'{"amount": 100, "method": "CARD"}'


def padded(document: bytes, size: int) -> bytes:
    """``document`` with whitespace after it (still the same JSON) up to ``size`` bytes."""
    return document + b" " * (size - len(document))


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """``body`` as a generator, which requests sends chunked, without a Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(response: requests.Response) -> None:
    """The contract's 413, answered before authentication: no rate-limit headers."""
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert not [name for name in response.headers if name.lower().startswith("x-ratelimit")]


def send(method: str, url: str, body: bytes, **headers: str) -> requests.Response:
    """One request without a customer's session."""
    return requests.request(method, url, data=body, headers=headers, timeout=REQUEST_TIMEOUT)


def test_a_body_over_the_limit_is_refused_before_authentication(base_url: str) -> None:
    over = padded(DEPOSIT, LIMIT + 1)
    assert_too_large(send("POST", base_url + "/payments/deposits", over))
    assert_too_large(send("POST", base_url + "/orders", over, Authorization="Bearer made-up"))
    # On any path and method, before routing too.
    assert_too_large(send("POST", base_url + "/nowhere", over))
    assert_too_large(send("GET", base_url + "/health", over))
    # Exactly at the limit, the next check answers.
    at_limit = padded(DEPOSIT, LIMIT)
    assert_error(send("POST", base_url + "/payments/deposits", at_limit), 401, "UNAUTHENTICATED")


def test_the_limit_comes_before_the_rate_limit_and_costs_nothing_from_it(
    customer: Customer,
) -> None:
    assert customer.put("/_sandbox/rate-limit", json={"limit": 2}).status_code == 200
    over = padded(DEPOSIT, LIMIT + 1)
    for _ in range(3):
        assert_too_large(customer.post("/payments/deposits", data=over))
    assert customer.post("/payments/deposits", data=padded(DEPOSIT, LIMIT)).status_code == 201
    account = customer.get("/account")
    assert account.headers["X-RateLimit-Remaining"] == "0"
    assert account.json()["balance"] == 100
    assert_error(customer.get("/account"), 429, "RATE_LIMITED")
    assert_too_large(customer.post("/payments/deposits", data=over))


def test_every_operation_with_a_body_refuses_one_over_the_limit(customer: Customer) -> None:
    over = b" " * (LIMIT + 1)
    for method, path in (
        ("POST", "/accounts"),
        ("POST", "/auth/token"),
        ("POST", "/orders"),
        ("POST", "/payments/deposits"),
        ("POST", "/payments/withdrawals"),
        ("PUT", "/_sandbox/market/AAPL"),
        ("POST", "/_sandbox/faults"),
        ("PUT", "/_sandbox/clock"),
        ("PUT", "/_sandbox/rate-limit"),
    ):
        assert_too_large(customer.request(method, path, data=over))
    assert customer.get("/_sandbox/faults").json()["items"] == []
    assert customer.get("/payments").json()["items"] == []


def test_a_chunked_body_is_counted_while_it_is_read(customer: Customer) -> None:
    at_limit = padded(DEPOSIT, LIMIT)
    response = customer.post("/payments/deposits", data=chunks(at_limit))
    assert response.status_code == 201, response.text
    assert_too_large(customer.post("/payments/deposits", data=chunks(at_limit + b" ")))
    response = requests.post(
        customer.base_url + "/orders", data=chunks(at_limit + b" "), timeout=REQUEST_TIMEOUT
    )
    assert_too_large(response)
    assert customer.get("/account").json()["balance"] == 100


def _raw_exchange(
    base_url: str, head: bytes, block: bytes, count: int, *, tail: bytes = b"", then: bytes = b""
) -> tuple[bytes, int]:
    """Send ``head``, ``block`` ``count`` times, ``tail``, then ``then`` on one socket.

    Returns what came back and how many bytes of blocks were sent whole. ``then`` should
    ask the server to close the connection after answering it, which ends the reading.
    """
    address = urlsplit(base_url)
    assert address.hostname
    assert address.port
    received = b""
    sent = 0
    with socket.create_connection((address.hostname, address.port), REQUEST_TIMEOUT) as sock:
        sock.sendall(head)
        try:
            for _ in range(count):
                sock.sendall(block)
                sent += len(block)
            sock.sendall(tail + then)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed past the discard limit: the answer is already on its way
        try:
            while chunk := sock.recv(1 << 16):
                received += chunk
        except ConnectionResetError:
            pass
    return received, sent


def test_the_rest_of_a_refused_body_is_discarded_and_the_connection_kept(base_url: str) -> None:
    block, count = b" " * (1 << 16), 48  # 3 MiB
    health = b"GET /health HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n"
    size = len(block) * count
    head = f"POST /orders HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {size}\r\n\r\n".encode()
    received, sent = _raw_exchange(base_url, head, block, count, then=health)
    assert sent == size
    first, _, second = received.partition(b"HTTP/1.1 200 OK")
    assert first.startswith(b"HTTP/1.1 413 "), received[:300]
    assert b'"PAYLOAD_TOO_LARGE"' in first
    assert b'"status":"ok"' in second, received[-300:]
    # A chunked body, refused once past the limit: its remaining chunks are discarded too.
    head = b"POST /orders HTTP/1.1\r\nHost: sandbox\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (len(block), block)
    received, _ = _raw_exchange(base_url, head, chunk, count, tail=b"0\r\n\r\n", then=health)
    assert received.startswith(b"HTTP/1.1 413 "), received[:300]
    assert b'"status":"ok"' in received.partition(b"HTTP/1.1 200 OK")[2]


def test_past_the_discard_limit_the_answer_comes_and_then_the_connection_closes(
    base_url: str,
) -> None:
    block = b" " * (1 << 20)
    head = f"POST /accounts HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {1 << 30}\r\n\r\n"
    received, sent = _raw_exchange(base_url, head.encode(), block, 1 << 10)
    assert received.startswith(b"HTTP/1.1 413 "), received[:300]
    assert b'"PAYLOAD_TOO_LARGE"' in received
    # The sandbox read and threw away its share of the gigabyte, then closed: what the socket
    # buffers on both sides held (a few megabytes) is all that went beyond.
    assert DISCARD_LIMIT - len(block) <= sent <= DISCARD_LIMIT + SOCKET_BUFFERS, sent


async def _post_with_httpx(url: str, body: bytes) -> int:
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:
        response = await client.post(url, content=body)
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE", response.text
    return response.status_code


def test_a_100_mb_body_reaches_every_client_as_an_answer(
    base_url: str,
) -> None:
    body = b" " * HUNDRED_MB
    for chunked in (False, True):
        started = time.perf_counter()
        data = chunks(body, 1 << 20) if chunked else body
        response = requests.post(base_url + "/accounts", data=data, timeout=REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - started
        assert_too_large(response)
        print(f"100 MB {'chunked' if chunked else 'with Content-Length'}: {elapsed:.3f} s")
    # An asyncio client loses an answer once its send fails on a reset; it sees this one.
    assert asyncio.run(_post_with_httpx(base_url + "/accounts", body)) == 413
    # The suite's client, which would resend a POST with its key after a reset.
    policy = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.01)
    with ApiClient(Settings(), base_url=base_url, policy=policy) as client:
        answer = client.request("POST", "/orders", content=body, expect={413: None})
    assert answer.status == 413
    assert len(answer.attempts) == 1
