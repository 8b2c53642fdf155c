"""Starting the sandbox: a bad start ends with one clear line on stderr, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import requests
import trustme

from tests.sandbox.conftest import ROOT, run_sandbox


def _start(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_port_in_use() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        line = _one_line(_start("--port", str(port)))
    assert f"port {port}" in line
    assert "already in use" in line


def test_unwritable_database(tmp_path: Path) -> None:
    line = _one_line(_start("--port", "0", "--db", str(tmp_path / "missing" / "x.sqlite3")))
    assert "cannot use database" in line
    assert "--db" in line


def test_bad_options() -> None:
    assert "--port" in _one_line(_start("--port", "eighty"))
    assert "--rate-limit" in _one_line(_start("--rate-limit", "0"))
    assert "unrecognized arguments" in _one_line(_start("--fast"))
    assert "--tls-key" in _one_line(_start("--tls-cert", "cert.pem"))


def test_bad_tls_files(tmp_path: Path) -> None:
    missing = str(tmp_path / "none.pem")
    assert "--tls-cert" in _one_line(_start("--tls-cert", missing, "--tls-key", missing))


def test_database_file_keeps_the_market(tmp_path: Path) -> None:
    db = tmp_path / "kept.sqlite3"
    body = {"username": "kept_user", "password": "correct horse battery"}
    with run_sandbox("--db", str(db), log=tmp_path / "first.log") as first:
        created = requests.post(first.url + "/accounts", json=body, timeout=10)
        assert created.status_code == 201
    with run_sandbox("--db", str(db), log=tmp_path / "second.log") as second:
        taken = requests.post(second.url + "/accounts", json=body, timeout=10)
        assert taken.status_code == 409


def test_serves_tls(tmp_path: Path) -> None:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    cert, key, ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert))
    certificate.private_key_pem.write_to_path(str(key))
    authority.cert_pem.write_to_path(str(ca))
    with run_sandbox("--tls-cert", str(cert), "--tls-key", str(key), log=tmp_path / "l") as tls:
        assert tls.url.startswith("https://")
        response = requests.get(tls.url + "/health", verify=str(ca), timeout=10)
        assert response.json()["status"] == "ok"
