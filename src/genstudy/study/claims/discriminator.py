""""The discriminator becomes ever more accurate": its accuracy read as a trend over the
whole of training (Mann–Kendall), from where it holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from genstudy.study import compare as cmp
from genstudy.study.claims.evidence import family_runs
from genstudy.study.claims.verdicts import (
    NOT_ENOUGH_SEEDS,
    NOT_MEASURED,
    QUALIFIED,
    REFUTED,
    SUPPORTED,
    Verdict,
    missing,
)


def discriminator_accuracy(history: pd.DataFrame) -> pd.Series:
    """The discriminator's balanced accuracy at threshold ½ as logged, approximated from its mean
    outputs: ``(D(x) + 1 − D(G(z))) / 2``; ½ at the game's equilibrium D = ½, 1 when D wins."""
    return (history["d_real"] + 1.0 - history["d_fake"]) / 2.0


#: Logged rows a GAN history needs before its first and last fifths can be compared.
MIN_HISTORY_ROWS = 10


def discriminator_readings(history: pd.DataFrame) -> pd.Series:
    """:func:`discriminator_accuracy` of the rows that logged both of D's outputs, in training
    order (a quality probe's row, such as the one at step 0, logs none); empty when the history
    has no such columns."""
    if not {"d_real", "d_fake"} <= set(history.columns):
        return pd.Series(dtype=float)
    return discriminator_accuracy(history.dropna(subset=["d_real", "d_fake"])).reset_index(drop=True)


#: The discriminator's curve is read in this many consecutive, equal parts of training (tenths).
TREND_PARTS = 10
#: A trend is read from at least this many parts, by Mann–Kendall's one-sided test at this level.
TREND_MIN_PARTS, TREND_ALPHA = 4, 0.05


def part_means(readings: pd.Series, parts: int = TREND_PARTS) -> np.ndarray | None:
    """The means of ``readings`` (in training order) over ``parts`` consecutive parts of as equal
    length as can be; None for fewer than :data:`MIN_HISTORY_ROWS` readings."""
    acc = readings.to_numpy(dtype=float)
    if len(acc) < max(MIN_HISTORY_ROWS, parts):
        return None
    return np.array([chunk.mean() for chunk in np.array_split(acc, parts)])


def trend_from(means: np.ndarray, direction: str = "greater", alpha: float = TREND_ALPHA,
               min_parts: int = TREND_MIN_PARTS) -> int | None:
    """The part (0-based) from which ``means`` trend in ``direction`` to the end (``greater``: rise,
    ``less``: fall): the curve's extreme (its lowest part for a rise, its highest for a fall), when the
    stretch from there to the end has ``min_parts`` parts or more and Kendall's tau of it against its
    order is significant one-sided at ``alpha`` (the Mann–Kendall trend test). None otherwise: a curve
    whose extreme comes too late, or whose stretch after it shows no such trend."""
    start = int(np.argmin(means)) if direction == "greater" else int(np.argmax(means))
    tail = means[start:]
    if len(tail) < min_parts or np.ptp(tail) == 0:
        return None
    result = stats.kendalltau(np.arange(len(tail)), tail, alternative=direction)
    return start if result.pvalue < alpha else None


def check_discriminator_accuracy(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"D becomes ever more accurate": a trend over the whole of training, not two ends. Each GAN run's
    accuracy (:func:`discriminator_readings`) is read in tenths of training; Mann–Kendall's test says
    from which tenth on it rises (:func:`trend_from`). Supported when it rises from the first tenth on
    every seed; refuted when it falls over the whole of training on every seed and rises on none;
    qualified otherwise (it rises only from a later tenth, or the seeds disagree), saying from where."""
    runs = family_runs(frame)
    gans = runs[runs["family"] == "gan"]
    if gans.empty:
        return missing("gan")
    curves: dict[int, np.ndarray] = {}
    for r in gans.itertuples():
        path = Path(str(r.dir)) / "history.csv"
        if path.is_file() and (means := part_means(discriminator_readings(pd.read_csv(path)))) is not None:
            curves[int(r.seed)] = means
    if not curves:
        return Verdict(NOT_MEASURED, f"no GAN run logged {MIN_HISTORY_ROWS} or more discriminator readings")
    rises = {seed: trend_from(m) for seed, m in curves.items()}
    falls = {seed: trend_from(m, "less") for seed, m in curves.items()}
    theory = ("at the game's equilibrium D = ½ everywhere (p_g = p_data), so a generator that learns makes D "
              "less accurate, not more")
    start = {seed: "rises from the first tenth" if i == 0 else f"rises from tenth {i + 1}" if i is not None
             else "falls over the whole of training" if falls[seed] == 0 else "no trend" for seed, i in rises.items()}
    text = ("D's accuracy (D(x) + 1 − D(G(z)))/2 by tenth of training, read from its lowest tenth to the end "
            f"(Mann–Kendall's one-sided test at {TREND_ALPHA}, {TREND_MIN_PARTS} tenths or more): "
            + "; ".join(f"seed {seed}: " + " ".join(f"{v:.2f}" for v in m) + f", {start[seed]}"
                        for seed, m in curves.items()) + f" (½ = equilibrium); {theory}")
    mean_curve = np.mean(list(curves.values()), axis=0)
    headline = ("D's accuracy by tenth " + " → ".join(f"{v:.2f}" for v in mean_curve[[0, 1, 4, -1]]) + "; "
                + ", ".join(start[seed] for seed in curves) + " (seeds)")
    if len(curves) < cmp.MIN_SEEDS:
        return Verdict(NOT_ENOUGH_SEEDS, text, f"{len(curves)} seeds")
    if all(i == 0 for i in rises.values()):
        return Verdict(SUPPORTED, text, headline)
    if all(i is None for i in rises.values()) and all(f == 0 for f in falls.values()):
        return Verdict(REFUTED, text, headline)
    return Verdict(QUALIFIED, text, headline)
