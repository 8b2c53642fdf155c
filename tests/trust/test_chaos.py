"""Chaos: repeatable by seed, at the rate asked, drawing the trouble real gateways cause."""

from __future__ import annotations

from collections import Counter
from email.utils import parsedate_to_datetime

import pytest

from models.common import ErrorCode, error_code
from sandbox.chaos import BODIES_429, DELAY_MS, KINDS, Chaos, ChaosOptions, Trouble

#: The moment every draw is made at (seconds since the epoch).
NOW = 1_800_000_000.0


def draws(seed: int, count: int = 500, rate: float = 0.3) -> list[Trouble | None]:
    chaos = Chaos(ChaosOptions(rate=rate, seed=seed))
    return [chaos.draw(now=NOW) for _ in range(count)]


def every(kind: str, count: int = 2000, seed: int = 3) -> list[Trouble]:
    """The trouble of one kind among ``count`` draws at rate 1, all at the moment ``NOW``."""
    chaos = Chaos(ChaosOptions(rate=1.0, seed=seed))
    found = [chaos.draw(now=NOW) for _ in range(count)]
    return [trouble for trouble in found if trouble is not None and trouble.kind == kind]


def test_the_same_seed_gives_the_same_trouble() -> None:
    assert draws(seed=7) == draws(seed=7)


def test_another_seed_gives_other_trouble() -> None:
    assert draws(seed=7) != draws(seed=8)


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 1.0])
def test_trouble_comes_at_about_the_rate_asked(rate: float) -> None:
    found = draws(seed=1, count=4000, rate=rate)
    share = sum(trouble is not None for trouble in found) / len(found)
    assert share == pytest.approx(rate, abs=0.03)


def test_every_kind_is_drawn_about_equally() -> None:
    found = draws(seed=3, count=8000, rate=1.0)
    kinds = Counter(trouble.kind for trouble in found if trouble is not None)
    assert set(kinds) == set(KINDS)
    assert all(count == pytest.approx(1000, rel=0.15) for count in kinds.values())


def test_a_gateways_429_never_carries_the_apis_error_body() -> None:
    found = every("status_429")
    assert {(t.body, t.media_type) for t in found} == set(BODIES_429)
    codes = {error_code(trouble.body) for trouble in found}
    assert codes == {None, "THROTTLED"}
    assert not codes & set(ErrorCode)


def test_a_gateways_429_asks_for_a_second_in_seconds_as_an_http_date_or_not_at_all() -> None:
    values = {trouble.retry_after for trouble in every("status_429")}
    dates = values - {None, "1"}
    assert {None, "1"} < values
    assert {parsedate_to_datetime(str(value)).timestamp() for value in dates} == {NOW + 1}


@pytest.mark.parametrize("kind", ["status_502", "status_503", "status_504", "late_504"])
def test_a_gateways_error_is_its_own_html_page(kind: str) -> None:
    found = every(kind)
    assert found
    assert {(t.status, t.media_type, t.retry_after) for t in found} == {
        (int(kind[-3:]), "text/html", None)
    }
    assert all(trouble.body.startswith(b"<html>") for trouble in found)


def test_delays_are_short() -> None:
    delays = [trouble.delay_ms for trouble in every("delay")]
    assert delays
    assert all(DELAY_MS[0] <= ms <= DELAY_MS[1] for ms in delays)


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_rate_outside_zero_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="from 0 to 1"):
        ChaosOptions(rate=rate, seed=1)
