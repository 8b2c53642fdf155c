"""A ``curl`` command line that reproduces a request, built from its redacted record."""

from __future__ import annotations

import shlex
from pathlib import Path

from framework.exchange import RequestRecord

#: Headers curl computes itself: repeating them would only add noise.
_IMPLIED_HEADERS = frozenset({"content-length", "accept-encoding", "connection", "user-agent"})


def to_curl(request: RequestRecord, *, ca_bundle: Path | None = None) -> str:
    """One shell-quoted line; secrets appear as ``[REDACTED]`` to be filled in by hand."""
    parts = ["curl", "-sS", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers.items():
        if name.lower() not in _IMPLIED_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body:
        parts += ["--data-raw", shlex.quote(request.body)]
    if ca_bundle is not None:
        parts += ["--cacert", shlex.quote(str(ca_bundle))]
    return " ".join(parts)
