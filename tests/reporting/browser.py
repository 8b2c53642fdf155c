"""Headless Chromium and a local server for the report: what a person sees, and what it fetches.

The report is served on 127.0.0.1 (its pages fetch their data, which a browser refuses over
file://) with a Content-Security-Policy that allows only the report's own origin and asks the
browser to report every violation back to the same server. A violation report is therefore the
browser's own account of the page trying to reach another host: Chromium's background traffic
is not subject to the page's policy and does not count.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from reporting.build import PROJECT_ROOT

#: Where the screenshots are kept for a person to look at (reports/ is not committed).
SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
#: Upper bound for one Chromium run, in seconds; one takes about three.
CHROMIUM_TIMEOUT = 90
_VIOLATION_PATH = "/csp-violation"
_POLICY = (
    f"default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; report-uri {_VIOLATION_PATH}"
)
_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    # Chromium still calls its own services (update, accounts, time) despite the flags
    # above: resolve no name but the loopback address, so nothing leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1400,900",
    # Virtual time runs the report's scripts until they settle, without waiting for real.
    "--virtual-time-budget=10000",
)


@dataclass
class ServedReport:
    """A report folder served on 127.0.0.1, with the policy violations its pages reported."""

    url: str
    violations: list[dict[str, Any]] = field(default_factory=list)


def _handler_class(served: ServedReport) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", _POLICY)
            super().end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == _VIOLATION_PATH:
                served.violations.append(json.loads(body)["csp-report"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    return Handler


@contextmanager
def report_server() -> Iterator[Callable[[Path], ServedReport]]:
    """Serve report folders: ``start(folder) -> ServedReport``; all stopped on exit."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> ServedReport:
        served = ServedReport(url="")
        handler = functools.partial(_handler_class(served), directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        served.url = f"http://127.0.0.1:{server.server_address[1]}/"
        return served

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def _chromium() -> str:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed, so the report cannot be rendered: install Debian's "
            "package with `apt-get install -y chromium` (.ci/run does this on CI machines)",
            pytrace=False,
        )
    return executable


def render(url: str, screenshot: Path) -> str:
    """Open ``url`` in headless Chromium; save a screenshot and return the rendered DOM."""
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        completed = subprocess.run(
            [
                _chromium(),
                *_CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={screenshot}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=CHROMIUM_TIMEOUT,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    print(f"screenshot of {url}: {screenshot}")
    return completed.stdout


class _RenderedText(HTMLParser):
    """The visible text of a DOM, and the titles of the test tree's leaves."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.leaf_titles: list[str] = []
        self._hidden_depth = 0
        self._in_leaf_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden_depth += 1
        self._in_leaf_title = ("data-testid", "tree-leaf-title") in attrs

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden_depth -= 1
        self._in_leaf_title = False

    def handle_data(self, data: str) -> None:
        if self._hidden_depth == 0 and data.strip():
            self.text.append(data.strip())
            if self._in_leaf_title:
                self.leaf_titles.append(data.strip())


def read(dom: str) -> _RenderedText:
    rendered = _RenderedText()
    rendered.feed(dom)
    rendered.close()
    return rendered


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
