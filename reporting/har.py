"""A scenario's HTTP exchanges as a HAR file (HTTP Archive 1.2), redacted like every record.

Browsers' developer tools and HTTP tools open it. Each logical request is one entry, built
from the redacted request and response records (a secret reads ``[REDACTED]`` there as
everywhere); what HAR has no field for goes into fields of the suite's own, which HAR allows
when their names start with an underscore: ``_attempts`` (each attempt's outcome, why it was
retried, the wait after it), ``_requestId`` and ``_step`` (the Gherkin step that sent it).
A request that got no answer has the status 0 and ``_error``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from importlib import metadata
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from reporting.replay import Sent

#: The version of the HAR format written.
HAR_VERSION = "1.2"


def _headers(headers: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers.items()]


def _mime(headers: Mapping[str, str]) -> str:
    found = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return found or "application/octet-stream"


def _entry(sent: Sent, started: datetime) -> dict[str, Any]:
    exchange = sent.exchange
    request = exchange.request
    response = exchange.response
    query = urlsplit(request.url).query
    total_ms = round(exchange.duration_seconds * 1000, 3)
    entry: dict[str, Any] = {
        "startedDateTime": started.isoformat().replace("+00:00", "Z"),
        "time": total_ms,
        "request": {
            "method": request.method,
            "url": request.url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(request.headers),
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(query)],
            "headersSize": -1,
            "bodySize": len(request.body.encode()) if request.body else 0,
        },
        "response": {
            "status": response.status if response else 0,
            "statusText": response.reason if response else "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(response.headers) if response else [],
            "content": {
                "size": len(response.body.encode()) if response else 0,
                "mimeType": _mime(response.headers) if response else "x-unknown",
                "text": response.body if response else "",
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(response.body.encode()) if response else -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": total_ms, "receive": 0},
        "_requestId": exchange.request_id,
        "_step": sent.step,
        "_attempts": [
            {
                "number": attempt.number,
                "outcome": attempt.outcome,
                "reason": attempt.reason,
                "waitSeconds": attempt.wait_seconds,
            }
            for attempt in exchange.attempts
        ],
    }
    if request.body is not None:
        entry["request"]["postData"] = {"mimeType": _mime(request.headers), "text": request.body}
    if exchange.error is not None and response is None:
        entry["_error"] = exchange.error.summary
    return entry


def har(sent: Iterable[Sent], *, page: str, ended: datetime | None = None) -> str:
    """The HAR document of a scenario's exchanges, in order; ``page`` is its title.

    Exchanges carry their duration, not their start: each entry starts when the one before
    it ended, counted back from ``ended`` (now, by default).
    """
    items = list(sent)
    end = ended or datetime.now(UTC)
    start = end - timedelta(seconds=sum(item.exchange.duration_seconds for item in items))
    entries = []
    for item in items:
        entries.append(_entry(item, start))
        start += timedelta(seconds=item.exchange.duration_seconds)
    try:
        version = metadata.version("requests")
    except metadata.PackageNotFoundError:
        version = "unknown"
    first = entries[0]["startedDateTime"] if entries else end.isoformat().replace("+00:00", "Z")
    document = {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": "acceptance suite (requests)", "version": version},
            "pages": [
                {
                    "startedDateTime": first,
                    "id": "scenario",
                    "title": page,
                    "pageTimings": {},
                }
            ],
            "entries": [{**entry, "pageref": "scenario"} for entry in entries],
        }
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
