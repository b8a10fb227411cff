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
from typing import Any

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


def by_budget(history: pd.DataFrame, steps_per_epoch: int, column: str = "fd_probe") -> pd.DataFrame:
    """The rule applied to every shorter budget of one long run (:mod:`genstudy.runs.budgets`): for
    each whole number of epochs *E* from 2 to the run's last, :func:`curve_end` of ``history`` up to
    step ``E * steps_per_epoch``. Columns ``start``, ``end`` (the curve's units), ``improvement``
    (share) and ``flat`` (bool), indexed by ``epochs``. Empty when ``column`` was not logged."""
    if column not in history or steps_per_epoch < 1:
        return pd.DataFrame(columns=["start", "end", "improvement", "flat"]).rename_axis("epochs")
    last = int(history["step"].max()) // steps_per_epoch
    rows = {}
    for epochs in range(2, last + 1):
        end = curve_end(history[history["step"] <= epochs * steps_per_epoch], column)
        if end is not None:
            rows[epochs] = {"start": end.start, "end": end.end, "improvement": end.improvement, "flat": end.flat}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["start", "end", "improvement", "flat"]
                                  ).rename_axis("epochs")


def flat_from(table: pd.DataFrame) -> int | None:
    """The fewest epochs from which every longer budget of :func:`by_budget`'s ``table`` is flat too
    (a curve that is flat once by chance and falls again is not flat there); None when its last
    budget is not flat."""
    if table.empty or not bool(table["flat"].iloc[-1]):
        return None
    not_flat = table.index[~table["flat"].astype(bool)]
    return int(table.index[0]) if not len(not_flat) else int(table.index[table.index > not_flat.max()][0])


def budget_summary(record: dict[str, Any], history: pd.DataFrame, budget_epochs: int,
                   column: str = "fd_probe") -> dict[str, Any]:
    """One long run read against a profile's budget of ``budget_epochs``: ``model``, ``trained``
    (epochs of the long run), ``budget`` (the profile's epochs), ``at budget`` (the improvement over
    the budget's last fifth, e.g. ``"5.1%"``; ``-`` past the long run), ``flat at budget``
    (``yes``/``no``), ``flat from`` (:func:`flat_from`, or ``not within N``), ``s per epoch``
    (training seconds) and ``device``."""
    training = record.get("training", {})
    trained = int(training.get("epochs") or record["config"]["epochs"])
    table = by_budget(history, int(training.get("steps", 0)) // max(trained, 1), column)
    at = table.loc[budget_epochs] if budget_epochs in table.index else None
    first = flat_from(table)
    return {"model": record["model"], "trained": trained, "budget": budget_epochs,
            "at budget": "-" if at is None else f"{100 * at['improvement']:.1f}%",
            "flat at budget": "-" if at is None else ("yes" if at["flat"] else "no"),
            "flat from": f"not within {trained}" if first is None else first,
            "s per epoch": round(float(record.get("timings", {}).get("train_s", float("nan"))) / trained, 2),
            "device": record.get("device_name", "")}
