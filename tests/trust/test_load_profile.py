"""The load profile: reading it, each kind of bad file in one line, and the judgement of a run."""

from __future__ import annotations

import pytest

from sandbox.api import OPERATIONS
from tests.trust.commands import ROOT
from trust.load_profile import Figures, Profile, ProfileError, Run, breaches, parse_profile

KNOWN = ("GET /account", "POST /orders")

GOOD = """
min_samples = 3
max_error_rate = 0.01
min_throughput_per_user = 2

[latency_ms.default]
p50 = 10
p95 = 50
p99 = 100

[latency_ms."POST /orders"]
p95 = 80
"""


def test_a_profile_is_read_with_its_defaults_per_operation() -> None:
    profile = parse_profile(GOOD, source="p.toml", known=KNOWN)
    assert profile.ceilings("POST /orders") == {"p50": 10, "p95": 80, "p99": 100}
    assert profile.ceilings("GET /account") == {"p50": 10, "p95": 50, "p99": 100}
    assert (profile.min_samples, profile.max_error_rate, profile.min_throughput_per_user) == (
        3,
        0.01,
        2.0,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[latency_ms.default\n", "p.toml is not valid TOML"),
        ("max_error_rate = 0\n", "needs a \\[latency_ms.default\\] table"),
        ("p95 = 1\n[latency_ms.default]\np95 = 1\n", "unknown setting 'p95'"),
        ("[latency_ms.default]\np90 = 1\n", "unknown percentile 'p90'; expected p50, p95, p99"),
        ("[latency_ms.default]\np95 = 0\n", "p95 must be a positive number, not 0"),
        (
            '[latency_ms.default]\np95 = 1\n[latency_ms."POST /order"]\np95 = 1\n',
            "'POST /order' is not an operation of the API's document; did you mean 'POST /orders'",
        ),
        ("max_error_rate = 2\n[latency_ms.default]\np95 = 1\n", "share from 0 to 1"),
        ("min_samples = 0\n[latency_ms.default]\np95 = 1\n", "min_samples must be a whole number"),
        ("min_throughput_per_user = -1\n[latency_ms.default]\np95 = 1\n", "positive number"),
    ],
)
def test_a_bad_profile_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as raised:
        parse_profile(text, source="p.toml", known=KNOWN)
    assert "\n" not in str(raised.value)


def _figures(operation: str, p95: float, *, requests: int = 10, failures: int = 0) -> Figures:
    return Figures(
        operation=operation,
        requests=requests,
        failures=failures,
        percentiles={"p50": 5, "p95": p95, "p99": p95},
    )


def test_each_broken_limit_is_a_line_of_its_own() -> None:
    profile = parse_profile(GOOD, source="p.toml", known=KNOWN)
    held = Run(
        operations=[_figures("POST /orders", 80), _figures("GET /account", 50)], users=1, seconds=10
    )
    assert breaches(held, profile) == []
    broken = Run(
        operations=[_figures("POST /orders", 81, failures=1), _figures("GET /account", 51)],
        users=2,
        seconds=10,
    )
    assert breaches(broken, profile) == [
        "POST /orders: p95 81 ms is over its limit of 80 ms",
        "GET /account: p95 51 ms is over its limit of 50 ms",
        "error rate 5.00% (1 of 20 logical requests) is over its limit of 1.00%",
        "throughput 2.0 requests/s with 2 users (1.00 per user) is under its floor of 2 per user",
    ]


def test_an_operation_with_too_few_requests_is_not_judged() -> None:
    profile = Profile(default={"p95": 1}, min_samples=20)
    assert (
        breaches(Run(operations=[_figures("GET /account", 999)], users=1, seconds=1), profile) == []
    )


def test_the_projects_profile_names_only_the_sandbox_s_operations() -> None:
    known = [f"{operation.method} {operation.path}" for operation in OPERATIONS]
    profile = parse_profile(
        (ROOT / "load-profile.toml").read_text(encoding="utf-8"),
        source="load-profile.toml",
        known=known,
    )
    assert profile.default["p95"] > 0
