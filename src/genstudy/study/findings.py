"""The findings page: what the study found, on one screen, from the records of one profile.

* :func:`claims_at_a_glance` — each of the article's claims with its verdict, the numbers that
  decide it (with their 95% intervals) and a link to the chapter that holds the evidence;
* :func:`family_headline` — each family's best model by FD, with its quality (FD, recall,
  coverage: mean and 95% Student's t interval over seeds) and cost (training seconds and the device
  they were measured on; sampling seconds, timed with every model on one machine where they were),
  and its first seed's samples.

Nothing here decides anything: the verdicts are :mod:`genstudy.study.claims`'s, the intervals
:mod:`genstudy.study.compare`'s.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from genstudy.study import claims as cl
from genstudy.study import compare as cmp
from genstudy.study.report import FAMILY_ORDER

#: The chapter (its page in ``book/executed/``, and its title) that holds each claim's evidence.
EVIDENCE: dict[str, tuple[str, str]] = {
    "efficient": ("09_sampling_cost", "The cost of sampling and training"),
    "classic-inefficient": ("09_sampling_cost", "The cost of sampling and training"),
    "density": ("90_comparison", "Comparison: likelihoods"),
    "complex": ("04_rbm", "RBM: Gibbs sampling"),
    "d-accurate": ("02_gan", "GANs: training curves"),
    "article-gan": ("01_article_tensorflow", "The article's code, run"),
}
DEFAULT_EVIDENCE = ("91_claims", "The article's claims, checked")

#: The article's own GAN (PyTorch port), shown beside the families as the code the article gives.
ARTICLE = "article GAN"
QUALITY_COLUMNS = ("fd", "recall", "coverage")


def _link(page: str, title: str) -> str:
    return f'<a href="{page}.html">{escape(title)}</a>'


def claims_at_a_glance(frame: pd.DataFrame, toy: pd.DataFrame,
                       claims: tuple[cl.Claim, ...] = cl.CLAIMS) -> pd.DataFrame:
    """One row per claim: ``section``, ``claim`` (in English), ``verdict``, ``deciding numbers``
    (the verdict's headline: gains with their 95% intervals, "—" when it rests on none),
    ``basis`` and ``evidence`` (an HTML link to the chapter that holds it)."""
    rows = []
    for c in claims:
        v = c.check(frame, toy)
        rows.append({"section": c.section, "claim": c.english, "verdict": v.verdict,
                     "deciding numbers [95% interval]": v.headline or "—", "basis": c.basis,
                     "evidence": _link(*EVIDENCE.get(c.key, DEFAULT_EVIDENCE))})
    return pd.DataFrame(rows)


def family_headline(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Each family's best model (lowest mean FD over seeds), in book order, then the article's GAN.

    Returns a table (index: family; columns ``model, seeds, FD ↓, recall ↑, coverage ↑``, each
    ``mean [95% interval]``, ``train s`` and ``1k samples s``, the medians over seeds written
    with their unit (``"12.3 s"``), ``device`` (of the training) and ``timed``: which of the two were
    timed on one machine by the chapter *The cost of sampling and training* for each of its seeds
    (``timed_1k_s`` and ``timed_train_s`` of the runs' frame: those seconds are
    shown, and they compare across families), and which are the record's own (after training, on its
    training's machine)) and, per family, the samples its first seed stored, ``(N, H, W)`` in [0, 1],
    keyed by a title that carries its FD and sampling time.
    """
    runs = cl.article_runs(frame, ARTICLE).dropna(subset=["fd"])
    order = {f: i for i, f in enumerate([*FAMILY_ORDER, ARTICLE])}
    rows, grids = {}, {}
    for family in sorted(runs["family"].unique(), key=lambda f: order.get(f, len(order))):
        own = runs[runs["family"] == family]
        model = own.groupby("model")["fd"].mean().idxmin()
        best = own[own["model"] == model].sort_values("seed")
        together = "timed_1k_s" in best and bool(best["timed_1k_s"].notna().all())
        sampling = best["timed_1k_s"] if together else best["sample_1k_s"]
        clocked = "timed_train_s" in best and bool(best["timed_train_s"].notna().all())
        training = best["timed_train_s"] if clocked else best["train_s"]
        rows[family] = {"model": model, "seeds": best["seed"].nunique(),
                        "FD ↓": cmp.with_interval(best["fd"], 1), "recall ↑": cmp.with_interval(best["recall"], 3),
                        "coverage ↑": cmp.with_interval(best["coverage"], 3),
                        "train s": f"{training.median():.3g} s",
                        "1k samples s": f"{sampling.median():.3g} s",
                        "device": "; ".join(sorted({str(d) for d in best["device"] if str(d)})),
                        "timed": ("both on one machine" if together and clocked else
                                  "sampling on one machine, training on its own" if together else
                                  "training on one machine, sampling after training" if clocked else
                                  "each on its run's own machine")}
        first = best.iloc[0]
        title = (f"{family.upper() if family != ARTICLE else family}: {model}\n"
                 f"FD {best['fd'].mean():.0f} · {sampling.median():.2g} s per 1k")
        grids[title] = np.load(f"{first['dir']}/samples.npy")
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("family"), grids
