"""Fixtures for the framework's tests: a scripted local server and a client with tiny waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from framework.client import ApiClient
from framework.retry import RetryPolicy
from framework.settings import Settings
from tests import hypothesis_profiles
from tests.framework.local_server import LocalServer

# The framework's property tests (Hypothesis) are collected under this folder.
hypothesis_profiles.use()

#: Millisecond backoffs keep the tests fast; the rules under test are the same.
FAST_POLICY = RetryPolicy(
    max_attempts=3, deadline=10.0, backoff_base=0.001, backoff_max=0.005, retry_after_cap=0.05
)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def client(server: LocalServer) -> Iterator[ApiClient]:
    settings = Settings(api_read_timeout=2.0, api_connect_timeout=2.0)
    with ApiClient(settings, base_url=server.url, policy=FAST_POLICY) as api:
        yield api
