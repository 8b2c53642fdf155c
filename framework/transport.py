"""Layer 1: one pooled requests session, timeouts, TLS, base URL, and exception translation.

This is the only module that catches third-party exceptions; it turns them into the
framework's own errors (``framework.errors``), each carrying the redacted request.
"""

from __future__ import annotations

import ssl
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeout

from framework.errors import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    TransportError,
)
from framework.exchange import RequestRecord, ResponseRecord
from framework.redaction import Redactor

#: Shortest timeout handed to a socket (seconds): a deadline that has run out still gets one.
MIN_TIMEOUT = 0.001


def record_request(prepared: requests.PreparedRequest, redactor: Redactor) -> RequestRecord:
    """The redacted record of a prepared request."""
    headers = prepared.headers
    return RequestRecord(
        method=prepared.method or "",
        url=redactor.url(prepared.url or ""),
        headers=redactor.headers(headers),
        body=redactor.body(prepared.body, headers.get("Content-Type")),
    )


def record_response(response: requests.Response, redactor: Redactor) -> ResponseRecord:
    """The redacted record of a response, body included."""
    return ResponseRecord(
        status=response.status_code,
        reason=response.reason or "",
        headers=redactor.headers(response.headers),
        body=redactor.body(response.content, response.headers.get("Content-Type")) or "",
        elapsed_seconds=response.elapsed.total_seconds(),
    )


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a requests/urllib3 chain (the OSError that started it)."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in exc.args if isinstance(arg, BaseException)), None)
        if inner is None:
            break
        exc = inner
    return exc


def _error_kind(exc: requests.RequestException) -> type[TransportError]:
    if isinstance(exc, requests.ConnectTimeout):
        return ConnectTimeout
    if isinstance(exc, requests.ReadTimeout):
        return ReadTimeout
    if isinstance(exc, requests.ConnectionError):
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, Urllib3ReadTimeout):
            return ReadTimeout  # a timeout while reading the body
        if isinstance(_root_cause(exc), ssl.SSLCertVerificationError):
            return CertificateError
        if isinstance(cause, MaxRetryError) or isinstance(exc, requests.exceptions.SSLError):
            return ConnectError  # failed before the request was sent
        return ReadError  # aborted or reset once the request was on its way
    return ReadError  # broken body (chunked encoding, content decoding)


class Transport:
    """Sends prepared requests over one pooled session; raises only framework errors."""

    def __init__(
        self,
        *,
        base_url: str,
        redactor: Redactor,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        pool_size: int = 10,
        ca_bundle: Path | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"base URL {redactor.url(base_url)!r} is invalid: expected http(s)://host[:port]"
            )
        self.base_url = base_url.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.ca_bundle = ca_bundle
        self._redactor = redactor
        session = requests.Session()
        # Deterministic runs: no proxies, CA bundle or .netrc credentials from the environment,
        # and no cookies carried from one scenario to the next.
        session.trust_env = False
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.verify = str(ca_bundle) if ca_bundle is not None else True
        if pool_size == 0:
            # No pooling: the server closes each connection after its answer, so every
            # request opens a new one (for measuring what pooling saves).
            session.headers["Connection"] = "close"
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size), max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._session = session

    def __repr__(self) -> str:
        return f"Transport(base_url={self._redactor.url(self.base_url)!r})"

    def url(self, path: str) -> str:
        """Join ``path`` to the base URL (an absolute http(s) URL is used as it is)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def prepare(
        self,
        method: str,
        path: str,
        *,
        params: object = None,
        headers: dict[str, str],
        body: bytes | None,
    ) -> requests.PreparedRequest:
        """Build the request once; every attempt sends these same bytes and headers."""
        request = requests.Request(
            method, self.url(path), params=params, headers=headers, data=body
        )
        try:
            return self._session.prepare_request(request)
        except (requests.exceptions.InvalidURL, ValueError) as exc:
            message = self._redactor.text(str(exc))
            raise ConfigurationError(f"cannot build {method} {path}: {message}") from None

    def send(
        self, prepared: requests.PreparedRequest, *, time_left: float | None = None
    ) -> requests.Response:
        """Send once, with timeouts cut to ``time_left`` seconds; raise a TransportError."""
        connect, read = self.connect_timeout, self.read_timeout
        if time_left is not None:
            connect = max(MIN_TIMEOUT, min(connect, time_left))
            read = max(MIN_TIMEOUT, min(read, time_left))
        try:
            return self._session.send(prepared, timeout=(connect, read), allow_redirects=False)
        except requests.RequestException as exc:
            raise self._translate(exc, prepared) from None

    def _translate(
        self, exc: requests.RequestException, prepared: requests.PreparedRequest
    ) -> TransportError:
        kind = _error_kind(exc)
        request = record_request(prepared, self._redactor)
        cause = _root_cause(exc)
        detail = self._redactor.text(f"{type(cause).__name__}: {cause}")
        if kind is CertificateError:
            detail += (
                "; set API_CA_BUNDLE to the PEM file of the CA that signed the server's certificate"
                if self.ca_bundle is None
                else f"; the only CAs trusted are those in API_CA_BUNDLE={self.ca_bundle}"
            )
        return kind(f"{request.method} {request.url}: {detail}", detail=detail, request=request)

    def close(self) -> None:
        """Close every pooled connection."""
        self._session.close()
