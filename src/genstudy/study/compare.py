"""Comparing two groups of runs with stated uncertainty: a bootstrap interval over seeds and a
no-difference band.

Each group is one value per seed (a family's mean over its models for that seed). The
difference of the two groups' means gets a percentile bootstrap interval (seeds resampled with
replacement within each group, :data:`BOOTSTRAP` draws from a fixed generator, so a page
rebuilt from the same records reads the same). It is then read against the metric's
no-difference band (:meth:`genstudy.metrics.catalog.MetricInfo.band_for`):

* ``better`` / ``worse``: the whole interval lies beyond the band, in favour of / against A;
* ``same``: the whole interval lies inside the band;
* ``undecided``: the interval straddles a band edge;
* ``not enough seeds``: a group has fewer than :data:`MIN_SEEDS` seeds (no verdict).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genstudy.metrics.catalog import COSTS, info

MIN_SEEDS = 3
CONFIDENCE = 0.95
BOOTSTRAP = 4_000
BETTER, WORSE, SAME, UNDECIDED, FEW_SEEDS = "better", "worse", "same", "undecided", "not enough seeds"


def bootstrap_interval(values: np.ndarray, other: np.ndarray | None = None, *, draws: int = BOOTSTRAP,
                       confidence: float = CONFIDENCE, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``mean(values) − mean(other)`` (of ``mean(values)`` when
    ``other`` is None), resampling each array with replacement."""
    rng = np.random.default_rng(seed)
    values = np.asarray(values, dtype=float)
    means = values[rng.integers(0, len(values), (draws, len(values)))].mean(1)
    if other is not None:
        other = np.asarray(other, dtype=float)
        means = means - other[rng.integers(0, len(other), (draws, len(other)))].mean(1)
    tail = (1 - confidence) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


def with_interval(values: pd.Series, digits: int) -> str:
    """``mean [low, high]`` over seeds (95% bootstrap) from :data:`MIN_SEEDS`
    seeds on, else the mean and how many seeds it has."""
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return "—"
    if len(v) < MIN_SEEDS:
        return f"{v.mean():.{digits}f} ({len(v)} seed{'s' if len(v) > 1 else ''})"
    low, high = bootstrap_interval(v)
    return f"{v.mean():.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def read_interval(low: float, high: float, band: float) -> str:
    """``better`` / ``worse`` / ``same`` / ``undecided`` for an interval of the *gain* (positive =
    A better) against a band of half-width ``band``."""
    if low > band:
        return BETTER
    if high < -band:
        return WORSE
    if low >= -band and high <= band:
        return SAME
    return UNDECIDED


@dataclass(frozen=True)
class Comparison:
    """A against B on ``metric``: the groups' means and seed counts, the gain of A over B
    (positive = A better, in the metric's units) with its interval, the band, the outcome."""

    metric: str
    a: str
    b: str
    mean_a: float
    mean_b: float
    n_a: int
    n_b: int
    gain: float
    low: float
    high: float
    band: float
    outcome: str

    def number(self, value: float) -> str:
        """``value`` in the metric's digits, with its unit for times (``0.105 s``)."""
        if self.metric in COSTS:
            return f"{value:.3g} s"
        return f"{value:.{info(self.metric).digits}f}"

    def text(self) -> str:
        """``fd 120.0 vs 480.0, gain 360.0 [300.0, 420.0] (band ±48.0): better``."""
        if self.outcome == FEW_SEEDS:
            return f"{self.metric}: {FEW_SEEDS} ({self.n_a} and {self.n_b}; needs {MIN_SEEDS})"
        n = self.number
        return (f"{self.metric} {n(self.mean_a)} vs {n(self.mean_b)}, gain {n(self.gain)} "
                f"[{n(self.low)}, {n(self.high)}] (band ±{n(self.band)}): {self.outcome}")


def compare(a: pd.Series, b: pd.Series, metric: str, names: tuple[str, str] = ("A", "B"),
            min_seeds: int = MIN_SEEDS) -> Comparison:
    """Compare the per-seed values ``a`` and ``b`` (NaN dropped) on ``metric`` (a key of the
    catalog, whose direction and band it uses)."""
    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    m = info(metric)
    mean_a = float(a.mean()) if len(a) else float("nan")
    mean_b = float(b.mean()) if len(b) else float("nan")
    if len(a) < min_seeds or len(b) < min_seeds:
        return Comparison(metric, *names, mean_a, mean_b, len(a), len(b), float("nan"), float("nan"), float("nan"),
                          float("nan"), FEW_SEEDS)
    sign = 1.0 if m.higher_is_better else -1.0
    low, high = (sign * x for x in bootstrap_interval(a, b))
    low, high = min(low, high), max(low, high)
    band = m.band_for(mean_b)
    gain = sign * (mean_a - mean_b)
    return Comparison(metric, *names, mean_a, mean_b, len(a), len(b), gain, low, high, band,
                      read_interval(low, high, band))
