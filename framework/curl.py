"""A ``curl`` command line that reproduces a request, built from its redacted record."""

from __future__ import annotations

import shlex
from pathlib import Path

from framework.exchange import RequestRecord

#: Headers curl computes itself: repeating them would only add noise.
_IMPLIED_HEADERS = frozenset({"content-length", "accept-encoding", "connection", "user-agent"})
#: characters: the longest body written into the line; Linux takes at most 128 KiB in one
#: command-line argument, so a longer one could not run (and would fill the report)
BODY_IN_LINE_MAX = 100_000
#: the file a body too long for the line is read from
BODY_FILE = "request-body.json"


def to_curl(request: RequestRecord, *, ca_bundle: Path | None = None) -> str:
    """One shell-quoted line; secrets appear as ``[REDACTED]`` to be filled in by hand."""
    parts = ["curl", "-sS", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers.items():
        if name.lower() not in _IMPLIED_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    note = ""
    if request.body and len(request.body) > BODY_IN_LINE_MAX:
        parts += ["--data-binary", f"@{BODY_FILE}"]
        note = (
            f"  # the body ({len(request.body)} characters) is too long for a command line:"
            f" save it as {BODY_FILE}"
        )
    elif request.body:
        parts += ["--data-raw", shlex.quote(request.body)]
    if ca_bundle is not None:
        parts += ["--cacert", shlex.quote(str(ca_bundle))]
    return " ".join(parts) + note
