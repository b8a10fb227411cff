""""Generalisation is a challenge": the train − test likelihood gap in one unit, memorisation
from copying, and samples off the data's manifold named as such."""

from __future__ import annotations

import pandas as pd

from genstudy.study import compare as cmp
from genstudy.study import report
from genstudy.study.claims.evidence import family_runs
from genstudy.study.claims.verdicts import NOT_ENOUGH_SEEDS, Verdict, missing, tally

#: A family memorises when its samples' median nearest-training distance is below this share
#: of held-out test images' (the NN-distance ratio), or more than this many samples are copies.
MEMORISATION_RATIO, COPIES_LIMIT = 0.8, 0.05
#: A ratio above this says the samples lie off the data's manifold (farther from every training image than
#: fresh data is): poor samples, which say nothing of how the model generalises.
OFF_MANIFOLD_RATIO = 1.2
#: A train − test log-likelihood gap (binarized nats) whose whole 95% interval lies above this is a
#: generalisation gap.
GAP_BAND_NATS = 1.0


def binarized(runs: pd.DataFrame) -> pd.Series:
    """Which runs' likelihood is in nats per binarized image (the VAEs', RBM's, DBN's), not a density
    on grey levels (the VAE on DCGAN's networks: dequantized, or an older record's continuous one):
    True/False per row."""
    return ~runs["log_likelihood_estimator"].fillna("").map(report.grey_level).astype(bool)


def check_generalisation(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"Generalisation is a challenge": per family, from the train − test log-likelihood gap in one unit
    (binarized nats; a continuous density is left out), whose 95% interval over seeds must lie above
    :data:`GAP_BAND_NATS`, and from memorisation (copies, or samples nearer the training images than
    fresh data is). Samples off the data's manifold are named, and count for nothing here. Supported
    when it holds of every family with evidence, refuted of none, qualified otherwise."""
    runs = family_runs(frame).dropna(subset=["nn_ratio"])
    if runs.empty:
        return missing("any family with the memorisation measures")
    per = runs.groupby("family", sort=False).agg(ratio=("nn_ratio", "mean"), copies=("copies", "mean"),
                                                 seeds=("seed", "nunique"))
    lik = runs[binarized(runs)].dropna(subset=["log_likelihood", "log_likelihood_train"])
    gaps = {}
    for family, rows in lik.assign(gap=lik["log_likelihood_train"] - lik["log_likelihood"]).groupby("family",
                                                                                                    sort=False):
        values = rows.groupby("seed")["gap"].mean()
        if len(values) >= cmp.MIN_SEEDS:
            gaps[str(family)] = (float(values.mean()), *cmp.t_interval(values.to_numpy()))
    memorise = [f for f, r in per.iterrows() if r.ratio < MEMORISATION_RATIO or r.copies > COPIES_LIMIT]
    gapped = [f for f, (_, low, _) in gaps.items() if low > GAP_BAND_NATS]
    off = [f"{f.upper()} {r.ratio:.2f}" for f, r in per.iterrows() if r.ratio > OFF_MANIFOLD_RATIO]
    gap_text = ", ".join(f"{f.upper()} {m:.1f} [{lo:.1f}, {hi:.1f}]" for f, (m, lo, hi) in gaps.items())
    text = ("memorisation: nearest-training-image distance of samples / of held-out test images (1 = like fresh "
            "data, 0 = copies) and share of samples closer to a training image than 99% of test images: "
            + ", ".join(f"{f.upper()} {r.ratio:.2f}, {r.copies:.3f}" for f, r in per.iterrows())
            + (f"; generalisation gap, train − test log-likelihood in nats per binarized image (mean [95% "
               f"interval] over seeds; the continuous density of the VAE on DCGAN's networks left out): {gap_text}"
               if gaps else "; no family has a likelihood gap in binarized nats on enough seeds")
            + (f"; samples off the data's manifold (ratio above {OFF_MANIFOLD_RATIO}), which say nothing of "
               f"generalisation: {', '.join(off)}" if off else "")
            + f" (rule: the claim holds of a family whose gap's interval lies above {GAP_BAND_NATS:g} nat or which "
              f"memorises: ratio below {MEMORISATION_RATIO} or copies above {COPIES_LIMIT}; a family without a "
              "likelihood is read by memorisation alone)")
    headline = ("train − test gap (binarized nats) " + gap_text + "; " if gaps else "") + "NN-distance ratio " + \
        ", ".join(f"{f.upper()} {r.ratio:.2f}" for f, r in per.iterrows())
    if per["seeds"].min() < cmp.MIN_SEEDS:
        return Verdict(NOT_ENOUGH_SEEDS, text, headline)
    holds = [f for f in per.index if f in memorise or f in gapped]
    return tally(holds, list(per.index), text, "a challenge for", "not for", headline)
