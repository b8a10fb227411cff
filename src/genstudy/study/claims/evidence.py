"""The runs a claim reads: the family runs, the one device whose timings compare, family
against family with t intervals, the quality curves at a matched budget, the 2-D runs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from genstudy.metrics.catalog import info
from genstudy.runs.record import RUN_RECORD, read_record
from genstudy.runs.timing import COMPARED_FAMILIES
from genstudy.study import compare as cmp
from genstudy.study import report
from genstudy.study.claims.verdicts import Verdict, agreement, combine, headline_of, missing, pair_text
from genstudy.study.toy import TOY_DIR

TOY_RUN_COLUMNS = ("model", "mixture", "seed")
TOY_METRIC_COLUMNS = ("modes_captured", "n_modes", "high_quality", "kde_ll")


def toy_frame(results_dir: Path | str, profile: str) -> pd.DataFrame:
    """The 2-D chapter's records (``results/<profile>/toy2d/*/record.json``): one row per run
    with ``model, mixture, seed, modes_captured, n_modes, high_quality, kde_ll``."""
    rows = []
    for path in sorted(Path(results_dir).glob(f"{profile}/{TOY_DIR}/*/{RUN_RECORD}")):
        r = read_record(path.parent) or {}
        rows.append({"model": r["model"], "mixture": r["dataset"], "seed": r["seed"],
                     **{k: r["metrics"][k] for k in TOY_METRIC_COLUMNS}})
    return pd.DataFrame(rows, columns=[*TOY_RUN_COLUMNS, *TOY_METRIC_COLUMNS])


def finished_runs(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["status"] == "ok") & (frame["family"] != "data")]


def real_precision(frame: pd.DataFrame) -> float:
    """The real data's own precision (its training images scored against its test images, the
    baseline run of family ``data``); NaN without a baseline."""
    data = frame[(frame["family"] == "data") & (frame["status"] == "ok")]["precision"].dropna()
    return float(data.mean()) if len(data) else float("nan")


def precision_note(frame: pd.DataFrame, runs: pd.DataFrame) -> str:
    """Which families' precision lies above the real data's own (a collapse signal), in words; ""
    where none does or there is no baseline."""
    real = real_precision(frame)
    if not np.isfinite(real):
        return ("precision compared without the real data's own (no real-data baseline among the records): a "
                "collapse signal, precision above it, cannot be told apart from a win")
    above = runs.groupby("family", sort=False)["precision"].mean()
    above = above[above > real]
    return "" if above.empty else (
        f"precision above the real images' own {real:.3f} (a collapse signal: a comparison with it is left out): "
        + ", ".join(f"{f.upper()} {v:.3f}" for f, v in above.items()))


def family_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """The successful runs that represent their family: PyTorch runs of the study's own models
    (the article's GANs and the TensorFlow runs test the article's code, not a family)."""
    ok = finished_runs(frame)
    return ok[(ok["framework"] == "pytorch") & ~ok["model"].isin(report.ARTICLE_MODELS)]


def per_seed(runs: pd.DataFrame, family: str, column: str) -> pd.Series:
    """One value per seed for ``family``: the mean of ``column`` over the family's models."""
    rows = runs[runs["family"] == family]
    return rows.groupby("seed")[column].mean().dropna()


def one_device(runs: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The runs on the device and machine most of them ran on, and a note naming the device (and,
    where runs were left out, how many and the machine kept).

    Runs match when their ``device`` and their ``machine`` (the record's CPU in words) are equal;
    a record that names no machine (made before machines were recorded) matches only others that
    name none, and the note warns when such runs were made by more than one commit: by different
    sessions, so possibly on different machines; it then gives what the runs themselves measure of
    those machines' speeds (:func:`speeds_across_commits`). ``cpu (2 threads)`` alone does not tell machines
    apart, and this project's have trained one model in 109 s and in 287 s under that label."""
    if runs.empty:
        return runs, ""
    devices = runs["device"].fillna("").astype(str)
    machines = runs["machine"].fillna("").astype(str) if "machine" in runs else pd.Series("", index=runs.index)
    keys = pd.Series(list(zip(devices, machines, strict=True)), index=runs.index)
    device, machine = main = keys.value_counts().idxmax()
    kept = keys.map(main.__eq__).astype(bool)
    left = int((~kept).sum())
    note = f"timings on {device or 'an unnamed device'} only" + (
        f" ({left} runs on other devices or machines left out; the machine kept: {machine or 'not recorded'})"
        if left else "")
    commits = sorted({report.short_commit(c) for c in runs.loc[kept, "commit"]}) if "commit" in runs else []
    if not machine and len(commits) > 1:
        note += (f"; their machine was not recorded and they were made by {len(commits)} commits "
                 f"({', '.join(commits)}), so possibly on different machines; {speeds_across_commits(runs[kept])}")
    return runs[kept], note


def sampling_runs(runs: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The runs whose sampling seconds compare, with ``sample_1k_s`` the seconds to compare, and a
    note that says where they were measured.

    Where the chapter *The cost of sampling and training* timed the runs' architectures (``timed_1k_s`` of
    :func:`genstudy.study.report.runs_frame`: every model in one process, on one device and
    machine), those timings: of the runs it timed, the note naming that machine and how many runs
    of the compared families (:data:`~genstudy.runs.timing.COMPARED_FAMILIES`) it did not time
    (left out). Otherwise the records' own seconds, measured after each run's
    training, of the one device and machine most runs ran on (:func:`one_device`)."""
    if "timed_1k_s" not in runs or runs["timed_1k_s"].isna().all():
        return one_device(runs)
    timed = runs.dropna(subset=["timed_1k_s"])
    machines = sorted(set(timed["timed_on"]))
    left = int((runs["timed_1k_s"].isna() & runs["family"].isin(COMPARED_FAMILIES)).sum())
    note = (f"1,000 samples of each run's architecture timed again, every model in one process on "
            f"{' and '.join(machines)} (the chapter The cost of sampling and training)"
            + (f"; {left} runs it did not time left out" if left else ""))
    return timed.assign(sample_1k_s=timed["timed_1k_s"]), note


def training_runs(runs: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The runs whose training seconds compare, and a note that says on what clock.

    Where the chapter *The cost of sampling and training* timed the training step of the runs'
    architectures (``timed_step_s`` of :func:`genstudy.study.report.runs_frame`: every model in one
    process, on one device and machine), the runs it timed, whose training seconds are then their
    optimizer steps times those seconds (:func:`training_curves`), wherever they were trained; the note
    names that machine and how many runs of the compared families it did not time (left out).
    Otherwise the records' own seconds, of the one device and machine most runs ran on
    (:func:`one_device`)."""
    if "timed_step_s" not in runs or runs["timed_step_s"].isna().all():
        return one_device(runs)
    timed = runs[runs["timed_step_s"].notna()]
    machines = sorted(set(timed["timed_on"]))
    left = int((runs["timed_step_s"].isna() & runs["family"].isin(COMPARED_FAMILIES)).sum())
    note = (f"training seconds are each run's optimizer steps times its architecture's seconds per step, every "
            f"model's step timed in one process on {' and '.join(machines)} (the chapter The cost of sampling and "
            f"training), not the seconds of the machines that trained the runs"
            + (f"; {left} runs it did not time left out" if left else ""))
    return timed, note


def training_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """The quality curves (:func:`genstudy.study.report.quality_curves`) of ``runs`` as
    :func:`training_runs` chose them, on its clock: where every run's training step was timed on one
    machine, ``train_s`` is those steps' seconds there (the curves' ``timed_s``); otherwise each
    record's own seconds."""
    curves = report.quality_curves(runs)
    if not curves.empty and "timed_step_s" in runs and runs["timed_step_s"].notna().all():
        curves = curves.assign(train_s=curves["timed_s"])
    return curves


def speeds_across_commits(runs: pd.DataFrame) -> str:
    """What ``runs`` (of one device, made by more than one commit) measure of their machines'
    speeds: each model trained under more than one commit, with its training seconds under each
    (one value, or the range over its seeds) and the ratio of the slowest commit's median to the
    fastest's; the same configuration apart from the seed, so a ratio near its seeds' own spread
    says the sessions' machines trained *that model* at one speed. It says nothing of the others,
    since a machine's speed differs by model (a 2-core AMD EPYC trains the full profile's RBM as
    fast as the machines of the published runs, DCGAN 2.6 times slower), and the text says so. It
    ends with the relative band within which timings count as no different. Models are named as in
    the records."""
    timed = runs.dropna(subset=["train_s"]).assign(short=runs["commit"].map(report.short_commit))
    parts = []
    for model, rows in timed.groupby("model", sort=False):
        by_commit = rows.groupby("short", sort=True)["train_s"]
        if by_commit.ngroups < 2:
            continue
        seconds = " and ".join(f"{_seconds_range(values)} under {commit}" for commit, values in by_commit)
        medians = by_commit.median()
        parts.append(f"{model} took {seconds} (slowest to fastest median {medians.max() / medians.min():.2f})")
    if not parts:
        return "no model was trained under more than one of them, so their speeds cannot be compared"
    return ("; ".join(parts) + f", against timings' no-difference band of ±{info('time_to_quality_s').band:.0%} "
            f"(of {'this model' if len(parts) == 1 else 'these models'} only: a machine's speed differs by model)")


def _seconds_range(values: pd.Series) -> str:
    """``57.1 s`` for one value, ``51.4–53.7 s`` for several."""
    low, high = values.min(), values.max()
    return f"{low:.3g} s" if len(values) == 1 or f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g}–{high:.3g} s"


def family_comparisons(frame: pd.DataFrame, a: str, others: tuple[str, ...], metrics: tuple[str, ...],
                       runs: pd.DataFrame | None = None) -> dict[str, list[cmp.Comparison]]:
    """``a`` against each family of ``others`` present, on each metric: family → comparisons. A precision
    comparison in which either family's mean precision lies above the real data's own
    (:func:`real_precision`) is :data:`~genstudy.study.compare.FLAGGED`: a collapse signal, which
    :func:`agreement` leaves out."""
    runs = family_runs(frame) if runs is None else runs
    real = real_precision(frame)
    out = {}
    for other in others:
        if (runs["family"] == other).any():
            compared = (cmp.compare(per_seed(runs, a, m), per_seed(runs, other, m), m, (a, other)) for m in metrics)
            out[other] = [replace(c, outcome=cmp.FLAGGED) if c.metric == "precision" and c.outcome != cmp.FEW_SEEDS
                          and max(c.mean_a, c.mean_b) > real else c for c in compared]
    return out


def compared(frame: pd.DataFrame, a: str, others: tuple[str, ...], metrics: tuple[str, ...],
              runs: pd.DataFrame | None = None, note: str = "", timed: str = "") -> Verdict:
    """The verdict "``a`` is better than each of ``others`` on every one of ``metrics``"; its
    headline is each pair's first metric with its interval. ``runs`` defaults to
    :func:`family_runs`; ``timed`` is the note of :func:`one_device` when ``runs`` are the runs
    of one device and machine, which the verdict then names. Not measured when ``a``, or every one
    of ``others``, has no run among ``runs``; the verdict names those (a family of ``others`` with no
    run is otherwise left out of the comparison)."""
    runs = family_runs(frame) if runs is None else runs
    comparisons = family_comparisons(frame, a, others, metrics, runs)
    present = set(runs["family"])
    if not comparisons or a not in present:
        return missing(*([a] if a not in present else []), *([] if comparisons else others), timed=timed)
    pairs = {o: agreement(cs) for o, cs in comparisons.items()}
    evidence = " | ".join(pair_text(a, o, cs, pairs[o]) for o, cs in comparisons.items())
    if "precision" in metrics and (flag := precision_note(frame, runs)):
        note = f"{note}. {flag}" if note else flag
    return Verdict(combine(pairs.values()), (note + ". " if note else "") + evidence, headline_of(comparisons))


def family_mean(frame: pd.DataFrame, family: str, column: str) -> float:
    return float(per_seed(family_runs(frame), family, column).mean())


#: A decimal number in a verdict's text (for :func:`tilde`; counts of seeds are integers and stay as they are).
_NUMBER = re.compile(r"(?<![\w.~])-?\d+\.\d+(?:e[-+]?\d+)?(?![\w.])")


def tilde(text: str) -> str:
    """``text`` with a tilde before every decimal number: numbers read at a budget of measured seconds,
    which move a little between executions (the book's notation; nbval masks them)."""
    return _NUMBER.sub(lambda m: "~" + m.group(), text)


def timed_curves(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The quality curves of the family runs whose training seconds compare, on one machine's clock
    (:func:`training_runs`, :func:`training_curves`), and its note: the one reading of training seconds
    that the matched budget and the time to a common quality rest on, in the comparison chapter and
    the claims."""
    runs, note = training_runs(family_runs(frame))
    return training_curves(runs), note


def on_curves(frame: pd.DataFrame, runs: pd.DataFrame, a: str, others: tuple[str, ...], metric: str,
               reading: Callable[[pd.DataFrame], tuple[pd.Series, float]],
               timed: str = "") -> tuple[Verdict, float] | None:
    """``a`` against ``others`` on ``metric``: one value per run that ``reading`` takes from the
    quality curves of ``runs``, the family runs whose training seconds compare (:func:`training_runs`,
    whose note is ``timed``), on their clock (:func:`training_curves`): a Series indexed by
    ``(label, seed)``, and the budget or level it read them at, returned beside the verdict; None when
    no run logged quality probes."""
    curves = training_curves(runs)
    if curves.empty:
        return None
    values, where = reading(curves)
    read = [values.get((label, seed), np.nan) for label, seed in zip(runs["label"], runs["seed"], strict=True)]
    return compared(frame, a, others, (metric,), runs.assign(**{metric: read}), timed=timed), where


def at_matched_compute(frame: pd.DataFrame, runs: pd.DataFrame, a: str, others: tuple[str, ...],
                        timed: str = "") -> tuple[Verdict, float] | None:
    """``a`` against ``others`` on the probe FD every run had at one matched training budget
    (:func:`genstudy.study.report.at_budget`), read on ``runs`` (:func:`training_runs`, whose note is
    ``timed``)."""
    return on_curves(frame, runs, a, others, "fd", report.at_budget, timed)


def to_common_quality(frame: pd.DataFrame, runs: pd.DataFrame, a: str, others: tuple[str, ...],
                     timed: str = "") -> tuple[Verdict, float] | None:
    """``a`` against ``others`` on the training seconds each run took to reach one probe FD every
    compared run reached (:func:`genstudy.study.report.time_to_quality`), read on ``runs``
    (:func:`training_runs`, whose note is ``timed``)."""
    return on_curves(frame, runs, a, others, "time_to_quality_s", report.time_to_quality, timed)


def article_runs(frame: pd.DataFrame, label: str = "article") -> pd.DataFrame:
    """The runs that stand for a family (:func:`family_runs`) and, beside them, the article's
    GAN (its PyTorch port) as one more family called ``label``; a fresh index."""
    ok = finished_runs(frame)
    article = ok[(ok["model"] == "article_gan") & (ok["framework"] == "pytorch")].assign(family=label)
    return pd.concat([family_runs(frame), article], ignore_index=True)
