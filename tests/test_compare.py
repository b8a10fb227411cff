"""The intervals every comparison of the book rests on: their coverage, checked by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from genstudy.study import compare as cmp

TRIALS = 4_000


def _coverage(interval, sizes: tuple[int, ...], sds: tuple[float, ...], seed: int = 0) -> float:
    """The share of ``TRIALS`` normal samples (true difference 0) whose ``interval`` covers 0."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(TRIALS):
        groups = [rng.normal(0.0, sd, n) for n, sd in zip(sizes, sds, strict=True)]
        low, high = interval(*groups)
        hits += low <= 0.0 <= high
    return hits / TRIALS


def _percentile_bootstrap(values: np.ndarray, other: np.ndarray | None = None) -> tuple[float, float]:
    """The rule the book used before: a percentile bootstrap of the mean (or the difference of means)."""
    rng = np.random.default_rng(0)
    means = values[rng.integers(0, len(values), (1_000, len(values)))].mean(1)
    if other is not None:
        means = means - other[rng.integers(0, len(other), (1_000, len(other)))].mean(1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


@pytest.mark.parametrize(("sizes", "sds"), [((3,), (1.0,)), ((3, 3), (1.0, 1.0)), ((3, 3), (1.0, 4.0)),
                                            ((3, 5), (2.0, 0.5))])
def test_the_interval_covers_the_truth_about_95_percent_of_the_time_with_three_seeds(
        sizes: tuple[int, ...], sds: tuple[float, ...]) -> None:
    assert _coverage(cmp.t_interval, sizes, sds) >= 0.92


def test_a_percentile_bootstrap_of_three_seeds_covers_far_less_than_it_says() -> None:
    rng = np.random.default_rng(1)
    hits = sum(lo <= 0.0 <= hi for lo, hi in (_percentile_bootstrap(rng.normal(0, 1, 3)) for _ in range(1_000)))
    assert hits / 1_000 < 0.85  # about 75%: why the book no longer uses it


def test_the_interval_on_exact_values() -> None:
    low, high = cmp.t_interval(np.array([1.0, 2.0, 3.0]))
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)  # sd 1, n 3
    assert (low, high) == pytest.approx((2.0 - half, 2.0 + half))
    assert cmp.t_interval(np.array([2.0, 2.0, 2.0]), np.array([1.0, 1.0, 1.0])) == (1.0, 1.0)
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0, 3.0])
    va, vb = a.var(ddof=1) / 3, b.var(ddof=1) / 3
    df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 2)
    low, high = cmp.t_interval(a, b)
    assert (low + high) / 2 == pytest.approx(1.0)
    assert high - low == pytest.approx(2 * stats.t.ppf(0.975, df) * np.sqrt(va + vb))


def test_the_interval_is_wider_than_the_seeds_range_for_three_seeds() -> None:
    low, high = cmp.t_interval(np.array([14.3, 15.2, 18.8]))
    assert low < 14.3 and high > 18.8  # a bootstrap returned about [14.3, 18.8], the range itself
    assert cmp.with_interval(__import__("pandas").Series([14.3, 15.2, 18.8]), 1) == f"16.1 [{low:.1f}, {high:.1f}]"
