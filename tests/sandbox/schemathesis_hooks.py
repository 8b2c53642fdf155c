"""Schemathesis hooks: every generated request is authenticated as a brand-new customer.

The API includes operations that change the caller's own world: revoking the token,
moving the clock, lowering the rate limit, injecting faults. Giving each request a fresh
customer (a real account and token) keeps one generated request from sabotaging the next,
while every check still runs on every response.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import requests
import schemathesis

#: seconds before the hook's own requests give up
TIMEOUT = 10


@schemathesis.auth(refresh_interval=None)
class FreshCustomer:
    """Open an account and log in for each request; the token is a real one."""

    def get(self, case: Any, context: Any) -> str:
        base_url = os.environ["SANDBOX_URL"]
        username = f"st_{uuid.uuid4().hex[:24]}"
        password = "schemathesis password"
        opened = requests.post(
            base_url + "/accounts",
            json={"username": username, "password": password},
            timeout=TIMEOUT,
        )
        opened.raise_for_status()
        login = requests.post(
            base_url + "/auth/token",
            json={"username": username, "password": password},
            timeout=TIMEOUT,
        )
        login.raise_for_status()
        token: str = login.json()["access_token"]
        return token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
