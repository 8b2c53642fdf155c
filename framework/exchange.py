"""Read-only records of one HTTP exchange (request, response, attempts) and their text layout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: Longest body excerpt shown in a failure message, in characters.
BODY_EXCERPT_CHARS = 2000


@dataclass(frozen=True, kw_only=True, slots=True)
class Attempt:
    """One try of a request, as the retry policy saw it.

    ``outcome`` is what happened (``"503 Service Unavailable"``, ``"ReadTimeout: …"``),
    ``reason`` why the policy retried or stopped, ``wait_seconds`` the pause that followed
    (0.0 after the last attempt), ``asked_seconds`` the part of that pause the server asked
    for with ``Retry-After`` (as honoured, so capped; the rest is the client's own backoff)
    and ``elapsed_seconds`` the time from the start of the first attempt to the end of this
    one.
    """

    number: int
    outcome: str
    reason: str
    wait_seconds: float
    elapsed_seconds: float
    asked_seconds: float = 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestRecord:
    """A request as it went on the wire, already redacted."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ResponseRecord:
    """A response as it came back, already redacted."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: str
    elapsed_seconds: float


def excerpt(text: str, limit: int = BODY_EXCERPT_CHARS) -> str:
    """Return ``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def format_request(request: RequestRecord) -> str:
    """Lay a request out as a report section."""
    lines = [f"  {request.method} {request.url}"]
    lines += [f"    {name}: {value}" for name, value in request.headers.items()]
    if request.body:
        lines.append(_indent(excerpt(request.body)))
    return "\n".join(lines)


def format_response(response: ResponseRecord) -> str:
    """Lay a response out as a report section."""
    lines = [
        f"  {response.status} {response.reason} ({response.elapsed_seconds * 1000:.1f} ms)",
    ]
    lines += [f"    {name}: {value}" for name, value in response.headers.items()]
    if response.body:
        lines.append(_indent(excerpt(response.body)))
    return "\n".join(lines)


def format_attempts(attempts: tuple[Attempt, ...]) -> str:
    """Lay the attempt history out, one line per attempt."""
    lines = []
    for attempt in attempts:
        wait = f"; waited {attempt.wait_seconds:.3f} s" if attempt.wait_seconds else ""
        lines.append(f"  {attempt.number}. {attempt.outcome} — {attempt.reason}{wait}")
    return "\n".join(lines)


def format_report(
    summary: str,
    *,
    details: str | None = None,
    request: RequestRecord | None = None,
    response: ResponseRecord | None = None,
    attempts: tuple[Attempt, ...] = (),
    curl: str | None = None,
) -> str:
    """Lay out a whole failure report in the fixed order every error uses."""
    parts = [summary]
    if details:
        parts.append(details)
    if request is not None:
        parts.append("Request\n" + format_request(request))
    if response is not None:
        parts.append("Response\n" + format_response(response))
    if attempts:
        parts.append("Attempts\n" + format_attempts(attempts))
    if curl:
        parts.append("Reproduce\n  " + curl)
    return "\n\n".join(parts)
