"""Sensitivity to hyperparameters: the random search's runs (:mod:`genstudy.runs.search`) per family.

One hand-picked configuration per family says little about the family (Lucic et al. 2018).
These tables read the search's records (``results/search/<profile>/``) beside the book's own
run of each searched model (the same budget, data and seed): the distribution of FD over a
family's configurations, its best point, where the book's configuration falls, and the GAN
family against each other family on both the distribution (the mean FD of a random
configuration, bootstrap over configurations) and the best point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genstudy.metrics.catalog import info
from genstudy.paths import SEARCH_SUBDIR
from genstudy.runs.record import load_records
from genstudy.runs.search import SPACES, book_values, config_index, space_rows
from genstudy.study.compare import FEW_SEEDS, compare, read_interval

#: Columns of :func:`search_frame`.
SEARCH_COLUMNS = ("model", "family", "config", "status", "setting", "fd", "precision", "recall", "coverage",
                  "classes_covered", "train_s", "params", "device")
#: The family every other one is compared with.
GAN = "gan"


def _setting(values: dict[str, Any]) -> str:
    """``lr 0.00025, beta1 0.9, width 48``: the searched values, in the space's order."""
    def text(v: Any) -> str:
        return f"({', '.join(map(str, v))})" if isinstance(v, list | tuple) else f"{v:g}" \
            if isinstance(v, float) else str(v)
    return ", ".join(f"{k} {text(v)}" for k, v in values.items())


def _searched(record: dict[str, Any]) -> dict[str, Any]:
    """The values of the model's searched hyperparameters in ``record``'s config."""
    config = record.get("config", {})
    options = {**config.get("model_options", {}), **config.get("train_options", {})}
    book = book_values(record["model"], record["profile"])
    return {k.name: options.get(k.name, book[k.name]) for k in SPACES[record["model"]]}


def _row(record: dict[str, Any], config: int | None) -> dict[str, Any]:
    metrics = record.get("metrics") or {}
    return {"model": record["model"], "family": record["family"], "config": config,
            "status": record.get("status", "?"), "setting": _setting(_searched(record)),
            **{m: metrics.get(m, np.nan) for m in ("fd", "precision", "recall", "coverage", "classes_covered")},
            "train_s": (record.get("timings") or {}).get("train_s", np.nan), "params": record.get("params_count"),
            "device": record.get("device_name", "")}


def search_frame(results: Path, profile: str, dataset: str = "fashion_mnist") -> pd.DataFrame:
    """One row per run of the search on ``profile`` and ``dataset`` under ``results/search``
    (columns :data:`SEARCH_COLUMNS`; ``config`` is the configuration's index, ``setting`` its
    searched values as text, the metrics NaN for a run that did not finish); empty when the
    search has not run there."""
    rows = [_row(r, config_index(Path(r["dir"]).name)) for r in load_records(Path(results) / SEARCH_SUBDIR, profile)
            if r.get("dataset") == dataset and r.get("model") in SPACES]
    frame = pd.DataFrame(rows, columns=list(SEARCH_COLUMNS))
    order = frame["model"].map(list(SPACES).index)
    return frame.assign(order=order).sort_values(["order", "config"]).drop(columns="order").reset_index(drop=True)


def book_points(results: Path, profile: str, dataset: str = "fashion_mnist", seed: int = 0) -> pd.DataFrame:
    """The book's own run (``seed``) of each searched model on ``profile``, as rows of
    :func:`search_frame` with ``config`` None: the hand-picked point beside the search's."""
    rows = [_row(r, None) for r in load_records(Path(results), profile)
            if r.get("model") in SPACES and r.get("dataset") == dataset and r.get("seed") == seed
            and r.get("framework") == "pytorch"]
    return pd.DataFrame(rows, columns=list(SEARCH_COLUMNS))


def caption(search: pd.DataFrame, profile: str, dataset: str) -> str:
    """What the search's figure and tables come from: profile, dataset, seed, runs and devices."""
    devices = ", ".join(sorted(set(search["device"].dropna().astype(str)) - {""})) or "an unnamed device"
    return (f"random search, profile {profile}, {dataset}, seed 0: {int((search['status'] == 'ok').sum())} of "
            f"{len(search)} runs finished, on {devices}")


def missing(profile: str) -> str:
    """What to do when the search has not run on ``profile`` here (a path-free line: the same in
    every checkout)."""
    return (f"no search on profile {profile!r} in this results folder ({SEARCH_SUBDIR}/{profile}/): run "
            f"`genstudy search --profile {profile}`, then re-execute this chapter")


def space_table(profile: str = "quick") -> pd.DataFrame:
    """The search space (:func:`genstudy.runs.search.space_rows`), indexed by model and hyperparameter."""
    return pd.DataFrame(space_rows(profile)).set_index(["model", "hyperparameter"])


def summary(search: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """Per searched model: configurations finished (of those run), FD of the best, median and
    worst configuration, the best's setting, and the book's configuration's FD with its rank
    among the search's finished runs and it (1 = best)."""
    rows = {}
    for model, own in search.groupby("model", sort=False):
        done = own[own["status"] == "ok"].dropna(subset=["fd"])
        if done.empty:
            rows[model] = {"family": own["family"].iloc[0], "finished": f"0 of {len(own)}"}
            continue
        best = done.loc[done["fd"].idxmin()]
        mine = book[book["model"] == model].dropna(subset=["fd"])
        row = {"family": own["family"].iloc[0], "finished": f"{len(done)} of {len(own)}",
               "best FD ↓": round(float(best["fd"]), 1), "median FD": round(float(done["fd"].median()), 1),
               "worst FD": round(float(done["fd"].max()), 1), "best setting": best["setting"]}
        if len(mine):
            fd = float(mine["fd"].iloc[0])
            rank = 1 + int((done["fd"] < fd).sum())
            row.update({"book's FD": round(fd, 1), "book's rank": f"{rank} of {len(done) + 1}"})
        rows[model] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def family_comparison(search: pd.DataFrame, metric: str = "fd") -> pd.DataFrame:
    """The GAN family against each other searched family: on the distribution (the mean of
    ``metric`` over each family's finished configurations, the gain's 95% bootstrap interval
    over configurations and the metric's no-difference band, :func:`genstudy.study.compare.compare`)
    and on the best point (one run each: no interval, read against the same band). Gain > 0:
    the GAN is better. Written for a lower-is-better ``metric`` (FD, KID)."""
    done = search[search["status"] == "ok"].dropna(subset=[metric])
    per = {f: g[metric] for f, g in done.groupby("family", sort=False)}
    if GAN not in per:
        return pd.DataFrame()
    rows = []
    for family, values in per.items():
        if family == GAN:
            continue
        c = compare(per[GAN].reset_index(drop=True), values.reset_index(drop=True), metric, (GAN, family))
        best_gan, best_other = per[GAN].min(), values.min()
        best_gain, best_band = best_other - best_gan, info(metric).band_for(best_other)
        rows.append({"against": family, "configs": f"{c.n_a} and {c.n_b}",
                     "mean FD: GAN": c.number(c.mean_a), "mean FD: other": c.number(c.mean_b),
                     "gain of the GAN [95%]": f"{c.number(c.gain)} [{c.number(c.low)}, {c.number(c.high)}]"
                     if c.outcome != FEW_SEEDS else "—",
                     "no-difference band": f"±{c.number(c.band)}" if np.isfinite(c.band) else "—",
                     "on the distribution": c.outcome,
                     "best FD: GAN": c.number(best_gan), "best FD: other": c.number(best_other),
                     "on the best point": read_interval(best_gain, best_gain, best_band)})
    return pd.DataFrame(rows).set_index("against")


def favoured(search: pd.DataFrame) -> str:
    """Which family the search favours: the lowest mean FD over its configurations, and the
    lowest best FD (the two can differ: a family can be good only when tuned)."""
    done = search[search["status"] == "ok"].dropna(subset=["fd"])
    if done.empty:
        return "the search has no finished run"
    by = done.groupby("family")["fd"].agg(["mean", "min", "size"])
    on_mean, on_best = by["mean"].idxmin(), by["min"].idxmin()
    text = (f"lowest mean FD over its configurations: {on_mean.upper()} ({by.loc[on_mean, 'mean']:.1f}, "
            f"{int(by.loc[on_mean, 'size'])} configurations); lowest best FD: {on_best.upper()} "
            f"({by.loc[on_best, 'min']:.1f})")
    return text + (" — the same family" if on_mean == on_best else " — not the same family")
