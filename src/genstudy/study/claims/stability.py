""""GANs are hard to train and unstable": failed runs, the FD spread over seeds, mode
collapse on the 2-D mixtures and the article's GAN's classes, counted together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genstudy.study import compare as cmp
from genstudy.study import report
from genstudy.study.claims.evidence import family_runs, finished_runs, per_seed
from genstudy.study.claims.verdicts import (
    NOT_ENOUGH_SEEDS,
    NOT_MEASURED,
    QUALIFIED,
    REFUTED,
    SUPPORTED,
    Verdict,
    missing,
)


def seed_cv(frame: pd.DataFrame) -> dict[str, float]:
    """Per family, FD's coefficient of variation over seeds (families with >= 3 seeds)."""
    runs = family_runs(frame)
    out = {}
    for family in runs["family"].unique():
        values = per_seed(runs, family, "fd")
        if len(values) >= cmp.MIN_SEEDS:
            out[str(family)] = float(values.std(ddof=1) / values.mean())
    return out


#: The article's GAN collapses when it covers fewer than this share of the data's classes on every seed.
COLLAPSED_CLASSES = 0.5


def check_gan_unstable(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"Hard to train and unstable", read from four kinds of evidence: GAN runs that failed; the GAN
    family's FD spread over seeds against the other families'; mode collapse on the 2-D mixtures
    (the GAN captures fewer modes than the VAE on a mixture, on average over seeds); the article's
    own GAN covering fewer than half of the classes on every seed. Supported when a GAN run failed or
    two of the other three signal it; refuted when none does and the GAN's spread is at most the
    others' median; qualified otherwise."""
    runs = family_runs(frame)
    gans = runs[runs["family"] == "gan"]
    if gans.empty:
        return missing("gan")
    parts, signals = [], []
    covered = gans.dropna(subset=["classes_covered"])
    failed = frame[(frame["family"] == "gan") & (frame["status"] != "ok") & ~frame["model"].isin(report.ARTICLE_MODELS)]
    parts.append(f"GAN family runs: {len(gans)} finished, {len(failed)} failed; classes covered per run: "
                 + ", ".join(f"{int(v)}/10" for v in covered["classes_covered"]))
    toy_gan, toy_vae = toy[toy["model"] == "gan"], toy[toy["model"] == "vae"]
    modes = []
    for mix in sorted(set(toy_gan["mixture"]) & set(toy_vae["mixture"])):
        g = toy_gan[toy_gan["mixture"] == mix]["modes_captured"]
        v = toy_vae[toy_vae["mixture"] == mix]["modes_captured"]
        n = int(toy_gan[toy_gan["mixture"] == mix]["n_modes"].iloc[0])
        parts.append(f"{mix}: GAN captured {g.mean():.3g}/{n} modes over {len(g)} seeds "
                     f"(range {g.min():.0f}–{g.max():.0f}), VAE {v.mean():.3g}/{n}")
        modes.append(f"{mix} GAN {g.mean():.3g}/{n}, VAE {v.mean():.3g}/{n}")
        if g.mean() < v.mean() and g.mean() < n:
            signals.append(f"mode collapse on {mix}")
    article = finished_runs(frame)
    article = article[(article["model"] == "article_gan") & (article["framework"] == "pytorch")]["classes_covered"]
    if len(article.dropna()):
        parts.append("the article's GAN covers " + ", ".join(f"{int(c)}/10" for c in article.dropna())
                     + " classes (per seed)")
        if (article.dropna() < COLLAPSED_CLASSES * 10).all():
            signals.append("the article's GAN collapses on every seed")
    cv = seed_cv(frame)
    if "gan" not in cv:
        return Verdict(NOT_ENOUGH_SEEDS, "; ".join(parts))
    others = {f: v for f, v in cv.items() if f != "gan"}
    parts.append("FD spread over seeds (sd/mean): " + ", ".join(f"{f.upper()} {v:.2f}" for f, v in cv.items()))
    if not others:
        return Verdict(NOT_MEASURED, "no other family with enough seeds to compare: " + "; ".join(parts))
    if cv["gan"] > 2 * max(others.values()):
        signals.append("the GAN's FD spread over seeds is over twice every other family's")
    rule = (" (rule: supported when a GAN run failed, or when two of these signal it: an FD spread over seeds over "
            "twice every other family's, mode collapse on a 2-D mixture, the article's GAN covering fewer than "
            f"{COLLAPSED_CLASSES:.0%} of the classes on every seed; refuted when none does and the GAN's spread is at "
            "most the others' median)")
    headline = (f"{len(failed)} GAN runs failed; FD sd/mean over seeds GAN {cv['gan']:.2f}, others "
                f"{min(others.values()):.2f}–{max(others.values()):.2f}" + ("; 2-D modes " + ", ".join(modes)
                                                                           if modes else "")
                + (f"; the article's GAN {article.dropna().mean():.2g}/10 classes" if len(article.dropna()) else ""))
    evidence = "; ".join(parts) + (". Signals: " + "; ".join(signals) if signals else ". No signal") + rule
    if len(failed) or len(signals) >= 2:
        return Verdict(SUPPORTED, evidence, headline)
    if not signals and cv["gan"] <= float(np.median(list(others.values()))):
        return Verdict(REFUTED, evidence, headline)
    return Verdict(QUALIFIED, evidence, headline)
