"""Statistics of the audit: an exact (Clopper–Pearson) upper bound on a rate, and medians."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

#: bisection steps: 2**-60 of the interval is far below any rate the audit can report
_BISECTION_STEPS = 60


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space so that large n stays exact."""
    if not 0 <= k <= n:
        raise ValueError(f"k must be from 0 to n={n}, not {k}")
    if p <= 0:
        return 1.0
    if p >= 1:
        return 1.0 if k >= n else 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n = math.lgamma(n + 1)
    return min(
        1.0,
        sum(
            math.exp(
                log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
            )
            for i in range(k + 1)
        ),
    )


def upper_bound(failures: int, trials: int, *, confidence: float = 0.95) -> float:
    """The one-sided exact upper confidence bound of a rate after `failures` in `trials`.

    The Clopper–Pearson bound: the rate p at which seeing `failures` or fewer has
    probability 1 - confidence. With no failures it is 1 - (1 - confidence)^(1/n), about
    3/n at 95 % (the rule of three). Found by bisection, since P(X <= k) falls as p grows.
    """
    if trials <= 0:
        raise ValueError("trials must be at least 1")
    if not 0 <= failures <= trials:
        raise ValueError(f"failures must be from 0 to trials={trials}, not {failures}")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if failures == trials:
        return 1.0
    alpha = 1 - confidence
    low, high = failures / trials, 1.0
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2
        if binomial_cdf(failures, trials, middle) > alpha:
            low = middle
        else:
            high = middle
    return high


def median(values: Sequence[float]) -> float:
    """The median of measured values (at least one)."""
    if not values:
        raise ValueError("no values to take the median of")
    return float(statistics.median(values))
