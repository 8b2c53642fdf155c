"""The text layout of exchanges: excerpts and attempt lines."""

from __future__ import annotations

from framework.exchange import Attempt, excerpt, format_attempts


def test_excerpt_says_what_was_cut() -> None:
    assert excerpt("abcdef", limit=4) == "abcd… (2 more characters)"
    assert excerpt("abc", limit=4) == "abc"


def test_attempt_lines() -> None:
    attempts = (
        Attempt(
            number=1,
            outcome="429 Too Many Requests",
            reason="retried: rate limited",
            wait_seconds=1.5,
            elapsed_seconds=0.01,
        ),
        Attempt(
            number=2,
            outcome="200 OK",
            reason="not retried: final answer",
            wait_seconds=0.0,
            elapsed_seconds=1.6,
        ),
    )
    assert format_attempts(attempts) == (
        "  1. 429 Too Many Requests — retried: rate limited; waited 1.500 s\n"
        "  2. 200 OK — not retried: final answer"
    )
