"""The flatness rule, one for the whole book: had a run's quality curve flattened when its training
ended? A curve still improving says the budget stopped the run, not that its family is worse.

A curve (lower is better; a run's logged rows by training ``step``) is read over the last fifth of
training: the mean of its values logged in the fifth before the last (60–80% of the steps) against
the mean over the last fifth (80–100%). Means over windows, not single points, because a probe FD
or a mini-batch loss is noisy from one point to the next. Where a fifth holds no value (a curve of a
few points), the last value at or before 80% of training is compared with the last one. The
improvement is the difference as a share of the first; a curve is **flat** when it improved by
less than :data:`FLAT_SHARE`. The comparison chapter applies it to every run's probe FD
(:func:`genstudy.study.report.flatness`), the chapter *Against the literature* to the curve that
names a shortfall's cause (:func:`genstudy.study.literature.budget_verdict`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A curve that improved by less than this share over the last fifth of training is flat.
FLAT_SHARE = 0.02
#: The last fifth of training.
LAST_PART = 0.2


@dataclass(frozen=True)
class CurveEnd:
    """How much a run's curve ``column`` still improved over the last fifth of training: ``start``
    (its mean over the fifth before the last), ``end`` (its mean over the last fifth), in the
    curve's units; ``improvement`` (a share of ``start``; positive = better)."""

    column: str
    start: float
    end: float

    @property
    def improvement(self) -> float:
        return (self.start - self.end) / abs(self.start) if self.start else 0.0

    @property
    def flat(self) -> bool:
        return self.improvement < FLAT_SHARE


def curve_end(history: pd.DataFrame, column: str) -> CurveEnd | None:
    """:class:`CurveEnd` of ``column`` (lower is better) in ``history`` (rows with ``step`` and
    ``column``, in training order), by the rule of this module. None when ``column`` is missing or
    fewer than two of its values were logged."""
    if column not in history:
        return None
    points = history[["step", column]].dropna()
    if len(points) < 2:
        return None
    steps, values = points["step"].to_numpy(float), points[column].to_numpy(float)
    cut = (1 - LAST_PART) * steps[-1]
    before = values[(steps > cut - LAST_PART * steps[-1]) & (steps <= cut)]
    last = values[steps > cut]
    if len(before) and len(last):
        return CurveEnd(column, float(before.mean()), float(last.mean()))
    at = np.flatnonzero(steps <= cut)
    return CurveEnd(column, float(values[at[-1] if len(at) else 0]), float(values[-1]))
