"""The exact binomial bound, checked against brute force and published values."""

from __future__ import annotations

import math

import pytest

from trust.stats import binomial_cdf, median, upper_bound


@pytest.mark.parametrize(("k", "n", "p"), [(0, 1, 0.3), (2, 5, 0.4), (3, 10, 0.05), (7, 7, 0.9)])
def test_binomial_cdf_matches_the_sum_of_the_probabilities(k: int, n: int, p: float) -> None:
    expected = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))
    assert binomial_cdf(k, n, p) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n", [1, 10, 300, 4460])
def test_with_no_failures_the_bound_is_the_closed_form(n: int) -> None:
    assert upper_bound(0, n) == pytest.approx(1 - 0.05 ** (1 / n), rel=1e-9)


def test_with_no_failures_the_bound_is_about_the_rule_of_three() -> None:
    assert upper_bound(0, 3000) == pytest.approx(3 / 3000, rel=0.01)


@pytest.mark.parametrize(
    ("failures", "trials", "bound"),
    [
        (1, 100, 0.0466),  # one-sided 95 % Clopper–Pearson, as published tables give it
        (5, 10, 0.7778),
        (10, 1000, 0.0167),
    ],
)
def test_known_bounds(failures: int, trials: int, bound: float) -> None:
    assert upper_bound(failures, trials) == pytest.approx(bound, abs=5e-4)


def test_at_the_bound_seeing_so_few_failures_has_probability_five_percent() -> None:
    bound = upper_bound(3, 500)
    assert binomial_cdf(3, 500, bound) == pytest.approx(0.05, abs=1e-9)


def test_the_bound_grows_with_failures_and_shrinks_with_trials() -> None:
    assert upper_bound(0, 100) < upper_bound(1, 100) < upper_bound(2, 100)
    assert upper_bound(1, 1000) < upper_bound(1, 100)
    assert upper_bound(5, 5) == 1.0


@pytest.mark.parametrize(
    ("failures", "trials", "confidence"), [(1, 0, 0.95), (-1, 5, 0.95), (6, 5, 0.95), (1, 5, 1.0)]
)
def test_impossible_counts_are_refused(failures: int, trials: int, confidence: float) -> None:
    with pytest.raises(ValueError, match="must"):
        upper_bound(failures, trials, confidence=confidence)


def test_median() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([1.0, 2.0]) == 1.5
    with pytest.raises(ValueError, match="no values"):
        median([])
