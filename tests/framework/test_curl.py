"""The curl line: shell-safe, redacted input kept as it is, noise headers left out."""

from __future__ import annotations

import shlex
from pathlib import Path

import requests

from framework.curl import BODY_IN_LINE_MAX, to_curl
from framework.exchange import RequestRecord
from framework.redaction import Redactor
from framework.transport import record_request


def test_curl_line_reproduces_the_request() -> None:
    record = RequestRecord(
        method="POST",
        url="http://127.0.0.1:8000/orders?note=it's",
        headers={
            "User-Agent": "python-requests",
            "Content-Length": "20",
            "Authorization": "Bearer [REDACTED]",
            "Idempotency-Key": "k-1",
        },
        body='{"note": "it\'s $HOME"}',
    )
    line = to_curl(record, ca_bundle=Path("/etc/ca bundle.pem"))
    assert shlex.split(line) == [
        "curl",
        "-sS",
        "-X",
        "POST",
        "http://127.0.0.1:8000/orders?note=it's",
        "-H",
        "Authorization: Bearer [REDACTED]",
        "-H",
        "Idempotency-Key: k-1",
        "--data-raw",
        '{"note": "it\'s $HOME"}',
        "--cacert",
        "/etc/ca bundle.pem",
    ]


def test_a_body_too_long_for_a_command_line_is_read_from_a_file() -> None:
    body = '{"amount": 10}' + " " * BODY_IN_LINE_MAX
    record = RequestRecord(method="POST", url="http://h/x", headers={}, body=body)
    line = to_curl(record)
    assert len(line) < 300, line
    assert shlex.split(line, comments=True) == [
        "curl",
        "-sS",
        "-X",
        "POST",
        "http://h/x",
        "--data-binary",
        "@request-body.json",
    ]
    assert f"the body ({len(body)} characters) is too long for a command line" in line


def test_curl_without_body() -> None:
    record = RequestRecord(method="GET", url="http://h/x", headers={}, body=None)
    assert to_curl(record) == "curl -sS -X GET http://h/x"


def test_curl_line_sends_the_numbers_that_were_sent() -> None:
    body = '{"company": "ACME", "price": 150.10, "notional": 12345678901234567.89, "pan": 1.50}'
    prepared = requests.Request(
        "POST",
        "http://127.0.0.1:8000/orders",
        data=body,
        headers={"Content-Type": "application/json"},
    ).prepare()
    line = to_curl(record_request(prepared, Redactor()))
    assert shlex.split(line)[-1] == body.replace("1.50", '"[REDACTED]"')
