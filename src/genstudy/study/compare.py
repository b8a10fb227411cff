"""Comparing two groups of runs with stated uncertainty: a 95% interval over seeds and a
no-difference band.

Each group is one value per seed (a family's mean over its models for that seed). A group's mean
gets Student's t interval, and the difference of two groups' means Welch's (unequal variances,
Welch–Satterthwaite degrees of freedom): :func:`t_interval`. Both have their nominal coverage on
normal data however few the seeds (``tests/test_compare.py`` checks 95% by simulation at n = 3),
where a percentile bootstrap of 3 seeds returns little more than their range and covers about 75%.
The difference is then read against the metric's no-difference band
(:meth:`genstudy.metrics.catalog.MetricInfo.band_for`):

* ``better`` / ``worse``: the whole interval lies beyond the band, in favour of / against A;
* ``same``: the whole interval lies inside the band;
* ``undecided``: the interval straddles a band edge;
* ``not enough seeds``: a group has fewer than :data:`MIN_SEEDS` seeds (no verdict).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from genstudy.metrics.catalog import COSTS, info

MIN_SEEDS = 3
CONFIDENCE = 0.95
BETTER, WORSE, SAME, UNDECIDED, FEW_SEEDS = "better", "worse", "same", "undecided", "not enough seeds"
#: A comparison set aside by its reader: a precision above the real data's own (``study.claims``).
FLAGGED = "collapse signal"


def t_interval(values: np.ndarray, other: np.ndarray | None = None, *,
               confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The ``confidence`` interval of ``mean(values)`` (Student's t, n − 1 degrees of freedom) or, with
    ``other``, of ``mean(values) − mean(other)`` (Welch's t, Welch–Satterthwaite degrees of freedom).
    Each array needs 2 values or more; values all equal give a point."""
    values = np.asarray(values, dtype=float)
    if other is None:
        n = len(values)
        diff, var, df = float(values.mean()), float(values.var(ddof=1)) / n, float(n - 1)
    else:
        other = np.asarray(other, dtype=float)
        va, vb = float(values.var(ddof=1)) / len(values), float(other.var(ddof=1)) / len(other)
        diff, var = float(values.mean() - other.mean()), va + vb
        df = var**2 / (va**2 / (len(values) - 1) + vb**2 / (len(other) - 1)) if var > 0 else 1.0
    if var == 0:
        return diff, diff
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * var**0.5
    return diff - half, diff + half


def seed_interval(values: np.ndarray | pd.Series) -> tuple[float, float]:
    """:func:`t_interval` of ``values``' mean, NaN dropped; the value itself for a single value (one seed
    has no spread to read), NaNs for none. Seaborn's ``errorbar`` takes it for the book's figures."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan")
    return (float(v[0]), float(v[0])) if len(v) == 1 else t_interval(v)


def with_interval(values: pd.Series, digits: int) -> str:
    """``mean [low, high]`` over seeds (95% Student's t interval, :func:`t_interval`) from
    :data:`MIN_SEEDS` seeds on, else the mean and how many seeds it has."""
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return "—"
    if len(v) < MIN_SEEDS:
        return f"{v.mean():.{digits}f} ({len(v)} seed{'s' if len(v) > 1 else ''})"
    low, high = t_interval(v)
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
    low, high = (sign * x for x in t_interval(a, b))
    low, high = min(low, high), max(low, high)
    band = m.band_for(mean_b)
    gain = sign * (mean_a - mean_b)
    return Comparison(metric, *names, mean_a, mean_b, len(a), len(b), gain, low, high, band,
                      read_interval(low, high, band))
