"""The tables of the chapter *The cost of sampling and training*, from its timings (:mod:`genstudy.runs.timing`)
and the runs' frame (:func:`genstudy.study.report.runs_frame`).

* :func:`sampling_summary` — per model: its family, parameters, Gibbs sweeps per sample, and the
  seconds for 1,000 samples over the seeds timed, with the ratio to the fastest GAN;
* :func:`against_records` — per model: the seconds its runs' records measured after training
  (on the machines that trained them) beside the seconds timed together here;
* :func:`training_summary` — per model: its batch, the phases of its training and the seconds of
  one optimizer step in each, over the seeds timed;
* :func:`training_against_records` — per model: the training seconds its records measured (on
  the machines that trained them) beside its steps times the seconds per step timed here.

Seconds are written with their unit (``"0.123 s"``) and ratios of seconds with ``×``, as
everywhere in the book (:func:`genstudy.study.tables.in_seconds`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genstudy.runs.record import short_commit
from genstudy.study.report import FAMILY_ORDER


def _seconds(value: float) -> str:
    return f"{value:.3g} s"


def _spread(values: pd.Series) -> str:
    """``0.123 s`` for one value, ``0.123 s (0.12 s to 0.131 s)`` for the median of several and their
    range (every number with its unit), ``""`` for none."""
    if len(values) <= 1:
        return "" if values.empty else _seconds(values.iloc[0])
    return f"{_seconds(values.median())} ({_seconds(values.min())} to {_seconds(values.max())})"


def caption(timings: pd.DataFrame, profile: str) -> str:
    """The provenance line of the chapter's tables: profile, datasets, seeds, the device and machine
    and the commit the timings ``timings`` (:func:`~genstudy.runs.timing.read_timings`) were made on."""
    seeds = sorted({int(s) for s in timings["seed"]})
    return (f"profile {profile} · {', '.join(sorted(set(timings['dataset'])))} · seeds {', '.join(map(str, seeds))} · "
            f"{' and '.join(sorted(set(timings['timed_on'])))} · "
            f"commit {', '.join(sorted({short_commit(c) for c in timings['timed_commit']}))}")


def sampling_summary(timings: pd.DataFrame) -> pd.DataFrame:
    """One row per model of ``timings`` (:func:`~genstudy.runs.timing.time_architectures`' table), in
    the book's family order: ``family``, ``parameters``, ``Gibbs sweeps`` per sample, ``seeds``,
    ``1k samples s``: the median over seeds (with the range where there are several), and ``× fastest
    GAN``: that median over the fastest GAN's median (empty when no GAN was timed)."""
    order = {f: i for i, f in enumerate(FAMILY_ORDER)}
    per = timings.groupby("model", sort=False).agg(family=("family", "first"), params=("params", "first"),
                                                   gibbs=("gibbs_steps", "first"), seeds=("seed", "nunique"),
                                                   median=("sample_1k_s", "median"))
    per = per.sort_values("family", key=lambda f: f.map(order).fillna(len(order)), kind="stable")
    spread = timings.groupby("model")["sample_1k_s"].agg(_spread)
    gans = per.loc[per["family"] == "gan", "median"]
    fastest = gans.min() if len(gans) else None
    return pd.DataFrame({
        "family": per["family"], "parameters": [f"{int(p):,}" for p in per["params"]],
        "Gibbs sweeps": per["gibbs"].astype(int), "seeds": per["seeds"],
        "1k samples s": spread.reindex(per.index),
        "× fastest GAN": ["" if fastest is None else f"{m / fastest:.3g}×" for m in per["median"]],
    }, index=per.index.rename("model"))


def against_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Per model whose runs were timed here (``timed_1k_s`` of the runs' frame): the seconds for
    1,000 samples its records measured after training (median over seeds, with the range) and
    the machines that trained them, beside the seconds timed together here (median over seeds):
    how much of a gap between two records' seconds is the machines' rather than the models'.
    Columns ``family, seeds, records' 1k samples s, records' machines, timed here 1k samples s``."""
    timed = frame[(frame["status"] == "ok") & frame["timed_1k_s"].notna()]
    rows = {}
    for model, runs in timed.groupby("model", sort=False):
        machines = sorted({f"{d}; {m}" if m else f"{d}; machine not recorded"
                           for d, m in zip(runs["device"], runs["machine"], strict=True)})
        rows[model] = {"family": runs["family"].iloc[0], "seeds": runs["seed"].nunique(),
                       "records' 1k samples s": _spread(runs["sample_1k_s"].dropna()),
                       "records' machines": " | ".join(machines),
                       "timed here 1k samples s": _seconds(runs["timed_1k_s"].median())}
    columns = ["family", "seeds", "records' 1k samples s", "records' machines", "timed here 1k samples s"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("model")


def _phases_text(phases: list[int]) -> str:
    """``"20"`` for one phase of 20 epochs, ``"10 + 10"`` for a DBN's two layers of 10."""
    return " + ".join(str(int(p)) for p in phases)


def training_summary(timings: pd.DataFrame) -> pd.DataFrame:
    """One row per model of ``timings`` whose training step was timed, in the book's family order:
    ``family``, ``batch``, ``epochs`` (per phase: ``"10 + 10"`` for a DBN's layers), ``seeds`` and
    ``s per step``: each phase's seconds per optimizer step, the median over seeds (with the range
    where there are several), phases joined by ``" | "`` and named by layer where there are several.
    Empty (with those columns) when no step was timed (a table made before steps were)."""
    columns = ["family", "batch", "epochs", "seeds", "s per step"]
    timed = timings[timings["step_s"].map(lambda s: isinstance(s, list))]
    if timed.empty:
        return pd.DataFrame(columns=columns).rename_axis("model")
    order = {f: i for i, f in enumerate(FAMILY_ORDER)}
    rows = {}
    for model, runs in timed.groupby("model", sort=False):
        phases = list(runs["phase_epochs"].iloc[0])
        per_phase = [pd.Series([float(s[i]) for s in runs["step_s"]]) for i in range(len(phases))]
        text = " | ".join((f"layer {i + 1}: " if len(phases) > 1 else "") + _spread(v) for i, v in enumerate(per_phase))
        rows[model] = {"family": runs["family"].iloc[0], "batch": int(runs["batch_size"].iloc[0]),
                       "epochs": _phases_text(phases), "seeds": runs["seed"].nunique(), "s per step": text}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table = table.sort_values("family", key=lambda f: f.map(order).fillna(len(order)), kind="stable")
    return table.rename_axis("model")


def training_against_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Per model whose runs' training step was timed here (``timed_step_s`` of the runs' frame): the
    training seconds its records measured (median over seeds, with the range) and the machines that
    trained them, beside the optimizer steps they took and those steps' seconds on the machine timed
    here (the frame's ``timed_train_s``, median over seeds): the clock on which the
    comparison and the claims read training seconds. Columns ``family, seeds, steps, records' train s,
    records' machines, train s here``."""
    columns = ["family", "seeds", "steps", "records' train s", "records' machines", "train s here"]
    timed = frame[(frame["status"] == "ok") & frame["timed_train_s"].notna()]
    rows = {}
    for model, runs in timed.groupby("model", sort=False):
        machines = sorted({f"{d}; {m}" if m else f"{d}; machine not recorded"
                           for d, m in zip(runs["device"], runs["machine"], strict=True)})
        rows[model] = {"family": runs["family"].iloc[0], "seeds": runs["seed"].nunique(),
                       "steps": f"{int(np.median(runs['steps'])):,}",
                       "records' train s": _spread(runs["train_s"].dropna()),
                       "records' machines": " | ".join(machines), "train s here": _spread(runs["timed_train_s"])}
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("model")
