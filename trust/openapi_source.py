"""Where the drift check gets the OpenAPI document: a URL, a file, or a sandbox it starts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from steps.sandbox_process import SandboxProcess, SandboxStartError
from trust.suite import PROJECT_ROOT

#: seconds to wait for the document
TIMEOUT = 10


class DocumentError(Exception):
    """The document could not be had; the message says why and what to do."""


def _get(url: str) -> dict[str, Any]:
    address = f"{url.rstrip('/')}/openapi.json"
    try:
        response = requests.get(address, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise DocumentError(
            f"cannot fetch {address}: {type(exc).__name__}; is the API up?"
        ) from None
    if response.status_code != 200:
        raise DocumentError(f"{address} answered {response.status_code}, not the OpenAPI document")
    return _parse(response.text, address)


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError:
        raise DocumentError(f"{where} is not JSON: expected an OpenAPI 3 document") from None
    if not isinstance(document, dict) or "openapi" not in document:
        raise DocumentError(f"{where} is not an OpenAPI document (no 'openapi' member)")
    return document


def fetch_document(*, url: str | None, file: Path | None) -> tuple[dict[str, Any], str]:
    """The document and where it came from; with neither, from a sandbox started for it."""
    if file is not None:
        try:
            return _parse(file.read_text(encoding="utf-8"), str(file)), str(file)
        except OSError as exc:
            raise DocumentError(f"cannot read {file}: {exc.strerror}") from None
    if url is not None:
        return _get(url), f"{url.rstrip('/')}/openapi.json"
    try:
        sandbox = SandboxProcess.start(project_root=PROJECT_ROOT)
    except SandboxStartError as exc:
        raise DocumentError(str(exc)) from None
    try:
        return _get(sandbox.url), "the sandbox's /openapi.json"
    finally:
        sandbox.stop()
