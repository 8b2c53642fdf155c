"""The transport against real sockets on 127.0.0.1: pooling, resets, timeouts, TLS."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from framework.errors import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    ReadError,
    ReadTimeout,
)
from framework.redaction import Redactor
from framework.transport import Transport
from tests.framework.local_server import Hangup, LocalServer, Reply, Reset


def make_transport(url: str, **options: object) -> Transport:
    return Transport(base_url=url, redactor=Redactor(), **options)  # type: ignore[arg-type]


def get(transport: Transport, path: str = "/ping", time_left: float | None = None) -> int:
    prepared = transport.prepare("GET", path, headers={}, body=None)
    return transport.send(prepared, time_left=time_left).status_code


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_keep_alive_reuses_one_connection(server: LocalServer) -> None:
    transport = make_transport(server.url)
    statuses = [get(transport) for _ in range(20)]
    transport.close()
    assert statuses == [200] * 20
    assert server.connections == 1


def test_pool_size_zero_opens_a_connection_per_request(server: LocalServer) -> None:
    transport = make_transport(server.url, pool_size=0)
    statuses = [get(transport) for _ in range(5)]
    transport.close()
    assert statuses == [200] * 5
    assert server.connections == 5


@pytest.mark.parametrize(
    ("base_url", "path", "joined"),
    [
        ("http://h:1", "/orders", "http://h:1/orders"),
        ("http://h:1/", "orders", "http://h:1/orders"),
        ("http://h:1/api/v1/", "/orders/1", "http://h:1/api/v1/orders/1"),
        ("http://h:1", "https://other:2/x", "https://other:2/x"),
    ],
)
def test_base_url_joining(base_url: str, path: str, joined: str) -> None:
    assert make_transport(base_url).url(path) == joined


@pytest.mark.parametrize("base_url", ["ftp://h/x", "127.0.0.1:8000", "http://", ""])
def test_invalid_base_url_is_a_configuration_error(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="expected http"):
        make_transport(base_url)


def test_connection_refused_is_a_connect_error() -> None:
    transport = make_transport(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ConnectError) as caught:
        get(transport, "/x?token=qwerty123")
    assert "qwerty123" not in str(caught.value)
    assert caught.value.request is not None
    assert caught.value.request.url.endswith("token=[REDACTED]")


def test_connection_reset_is_a_read_error(server: LocalServer) -> None:
    server.script(Reset())
    with pytest.raises(ReadError) as caught:
        get(make_transport(server.url))
    assert "reset" in caught.value.detail.lower()


def test_connection_closed_without_answer_is_a_read_error(server: LocalServer) -> None:
    server.script(Hangup())
    with pytest.raises(ReadError):
        get(make_transport(server.url))


def test_slow_answer_is_a_read_timeout(server: LocalServer) -> None:
    server.script(Reply(delay=0.5))
    with pytest.raises(ReadTimeout):
        get(make_transport(server.url, read_timeout=0.05))


def test_time_left_cuts_the_read_timeout(server: LocalServer) -> None:
    server.script(Reply(delay=0.5))
    with pytest.raises(ReadTimeout):
        get(make_transport(server.url, read_timeout=30.0), time_left=0.05)


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(authority: trustme.CA) -> Iterator[LocalServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with LocalServer(tls=context) as running:
        yield running


def test_tls_with_the_ca_bundle(
    tls_server: LocalServer, authority: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    transport = make_transport(tls_server.url, ca_bundle=bundle)
    assert [get(transport) for _ in range(3)] == [200, 200, 200]
    assert tls_server.connections == 1


def test_tls_verification_is_always_on(tls_server: LocalServer) -> None:
    with pytest.raises(CertificateError, match="CERTIFICATE_VERIFY_FAILED") as caught:
        get(make_transport(tls_server.url))
    assert "set API_CA_BUNDLE to the PEM file of the CA" in caught.value.summary


def test_a_certificate_failure_names_the_bundle_in_use(
    tls_server: LocalServer, tmp_path: Path
) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(CertificateError) as caught:
        get(make_transport(tls_server.url, ca_bundle=other))
    assert f"the only CAs trusted are those in API_CA_BUNDLE={other}" in caught.value.summary
    assert "\n" not in caught.value.summary
