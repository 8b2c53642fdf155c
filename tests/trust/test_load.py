"""`python -m trust load`, run as users run it: short runs that check money, not speed."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.api import OPERATIONS
from sandbox.openapi import build
from steps.sandbox_process import SandboxProcess
from tests.trust.commands import ROOT

#: seconds a short load run may take, start-up and the check after included
RUN_TIMEOUT = 240
#: limits no short run on a busy machine can break: these tests judge money, not speed
LENIENT_PROFILE = """
max_error_rate = 0
[latency_ms.default]
p99 = 600000
"""


def _load(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile.toml"
    profile.write_text(LENIENT_PROFILE, encoding="utf-8")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("API_", "SUITE_"))
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "trust",
            "load",
            "--output",
            str(tmp_path / "out"),
            "--profile",
            str(profile),
            "--users",
            "4",
            "--duration",
            "4s",
            "--seed",
            "7",
            *args,
        ],
        cwd=ROOT,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def _summary(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    return data


def test_a_short_run_on_the_sandbox_conserves_money_and_writes_locust_s_reports(
    tmp_path: Path,
) -> None:
    run = _load(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = _summary(tmp_path)
    checked = summary["conservation"]
    assert len(checked) >= 2
    assert all(not account["problems"] for account in checked), checked
    assert run.stdout.rstrip().endswith(
        f"load run held: money conserved on all {len(checked)} accounts, every profile limit kept"
    )
    out = tmp_path / "out"
    with (out / "load_stats.csv").open(encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    kinds = {(row["Type"], row["Name"]) for row in rows}
    assert {("request", "POST /orders"), ("attempt", "POST /orders")} <= kinds
    names = {name for _, name in kinds}
    assert not any("ord_" in name or "acc_" in name for name in names), names
    assert any("{order_id}" in name for name in names), names
    html = (out / "load.html").read_text(encoding="utf-8")
    assert "POST /orders" in html
    assert '<script src="http' not in html, "the report must not load scripts from elsewhere"
    opened = (out / "opened-accounts.txt").read_text(encoding="utf-8").splitlines()
    assert len(opened) == summary["opened"] >= len(checked) - 1
    assert (out / "summary.md").read_text(encoding="utf-8") in run.stdout


def test_a_run_against_a_buy_that_is_not_debited_fails_money_conservation(tmp_path: Path) -> None:
    run = _load(tmp_path, "--defect", "buy_not_debited")
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert any(line.startswith("product defect: money was not conserved on ") for line in lines)
    assert any("cash is " in line and "but the record gives" in line for line in lines)
    failed = [a for a in _summary(tmp_path)["conservation"] if a["problems"]]
    assert failed, "a buy that takes no cash must break conservation on an account that bought"


def _open_customers(url: str, count: int) -> list[tuple[str, str]]:
    customers = []
    for _ in range(count):
        username, password = f"file_{uuid.uuid4().hex[:20]}", f"pw-{uuid.uuid4().hex}"
        credentials = {"username": username, "password": password}
        requests.post(f"{url}/accounts", json=credentials, timeout=10).raise_for_status()
        customers.append((username, password))
    return customers


def test_a_distributed_run_as_the_customers_of_a_file_never_shows_their_passwords(
    tmp_path: Path,
) -> None:
    sandbox = SandboxProcess.start(project_root=ROOT)
    try:
        customers = _open_customers(sandbox.url, 2)
        listed = tmp_path / "customers.txt"
        listed.write_text(
            "# the customers of the load\n" + "".join(f"{u} {p}\n" for u, p in customers),
            encoding="utf-8",
        )
        run = _load(
            tmp_path,
            "--workers",
            "2",
            "--customers",
            str(listed),
            env={"API_URL": sandbox.url, "SUITE_OPEN_ACCOUNTS": "false"},
        )
    finally:
        sandbox.stop()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = _summary(tmp_path)
    assert "a Locust master and 2 workers" in summary["shape"]
    assert "open an account" not in summary["shape"], "SUITE_OPEN_ACCOUNTS=false opens nothing"
    assert summary["opened"] == 0
    assert {a["username"] for a in summary["conservation"]} == {u for u, _ in customers}
    assert all(not a["problems"] for a in summary["conservation"])
    shown = run.stdout + run.stderr
    shown += "".join(p.read_text("utf-8", "replace") for p in (tmp_path / "out").iterdir())
    for _, password in customers:
        assert password not in shown


class _NotASandbox(BaseHTTPRequestHandler):
    """A deployment of the API: its document, and no sandbox controls (404)."""

    document = json.dumps(build(OPERATIONS)).encode()

    def do_GET(self) -> None:
        found = self.path == "/openapi.json"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        body = self.document if found else b'{"code": "NOT_FOUND"}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@contextmanager
def _deployment() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotASandbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_target_that_is_not_a_sandbox_needs_permission_before_anything_is_opened(
    tmp_path: Path,
) -> None:
    with _deployment() as url:
        run = _load(tmp_path, env={"API_URL": url})
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert "is not a sandbox (GET /_sandbox/faults answered 404)" in run.stderr
    assert "--allow-real-target" in run.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--duration", "soon"), {}, "must be a positive time in seconds, minutes or hours"),
        (("--users", "0"), {}, "must be a whole number of at least 1"),
        (("--pause", "0.5-0.1"), {}, "must be seconds or a range of them"),
        (("--worker",), {}, "a worker needs the master's address"),
        ((), {"SUITE_OPEN_ACCOUNTS": "false"}, "give its customers with --customers FILE"),
        (("--customers", "missing.txt"), {}, "--customers missing.txt: no such file"),
        (("--defect", "no_such_defect"), {}, "no defect named 'no_such_defect'"),
    ],
)
def test_bad_usage_is_one_line(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    run = _load(tmp_path, *args, env=env)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert message in run.stderr


def test_a_bad_line_of_the_customers_file_is_named_never_quoted(tmp_path: Path) -> None:
    listed = tmp_path / "customers.txt"
    listed.write_text("alice a-good-password\nbob_only-a-secret-word\n", encoding="utf-8")
    run = _load(tmp_path, "--customers", str(listed), env={"SUITE_OPEN_ACCOUNTS": "false"})
    assert run.returncode == 2
    assert f"{listed}, line 2: expected a username and a password" in run.stderr
    assert "secret" not in run.stderr
