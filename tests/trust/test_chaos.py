"""Chaos: repeatable by seed, at the rate asked, with only the faults allowed where it fires."""

from __future__ import annotations

import time
from collections import Counter
from email.utils import parsedate_to_datetime

import pytest

from sandbox.chaos import DELAY_MS, KINDS, Chaos, ChaosOptions, fault_kind


def draws(seed: int, count: int = 500, rate: float = 0.3) -> list[dict[str, object] | None]:
    chaos = Chaos(ChaosOptions(rate=rate, seed=seed))
    found = []
    for _ in range(count):
        fault = chaos.draw(rate_limited=True, now=1_800_000_000.0)
        found.append(None if fault is None else fault.spec)
    return found


def test_the_same_seed_gives_the_same_faults() -> None:
    assert draws(seed=7) == draws(seed=7)


def test_another_seed_gives_other_faults() -> None:
    assert draws(seed=7) != draws(seed=8)


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 1.0])
def test_faults_come_at_about_the_rate_asked(rate: float) -> None:
    found = draws(seed=1, count=4000, rate=rate)
    share = sum(spec is not None for spec in found) / len(found)
    assert share == pytest.approx(rate, abs=0.03)


def test_every_kind_is_drawn() -> None:
    chaos = Chaos(ChaosOptions(rate=1.0, seed=3))
    kinds = Counter(fault_kind(chaos.draw(rate_limited=True)) for _ in range(2000))  # type: ignore[arg-type]
    assert set(kinds) == set(KINDS)


def test_no_429_where_no_rate_limit_applies() -> None:
    chaos = Chaos(ChaosOptions(rate=1.0, seed=3))
    kinds = {fault_kind(chaos.draw(rate_limited=False)) for _ in range(2000)}  # type: ignore[arg-type]
    assert kinds == set(KINDS) - {"status_429"}


def test_a_429_asks_for_a_second_in_seconds_or_as_an_http_date() -> None:
    chaos = Chaos(ChaosOptions(rate=1.0, seed=5))
    now = time.time()
    values = set()
    for _ in range(500):
        fault = chaos.draw(rate_limited=True, now=now)
        assert fault is not None
        if fault.spec.get("status") == 429:
            values.add(fault.spec["retry_after"])
    assert "1" in values
    dates = [parsedate_to_datetime(value) for value in values - {"1"}]
    assert dates
    assert all(0 <= date.timestamp() - int(now) <= 1 for date in dates)


def test_delays_are_short() -> None:
    chaos = Chaos(ChaosOptions(rate=1.0, seed=9))
    delays = [
        fault.spec["ms"]
        for fault in (chaos.draw(rate_limited=True) for _ in range(1000))
        if fault is not None and fault.spec["kind"] == "delay"
    ]
    assert delays
    assert all(DELAY_MS[0] <= ms <= DELAY_MS[1] for ms in delays)


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_rate_outside_zero_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="from 0 to 1"):
        ChaosOptions(rate=rate, seed=1)
