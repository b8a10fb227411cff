"""The comparison chapter's tables, built from run records only (no number typed by hand).

:func:`runs_frame` reads every record of a profile (``results/<profile>/*/record.json``)
into one tidy DataFrame, one row per run; every other function takes that frame and
returns a table (or the long form seaborn plots). Runs of several seeds of one model
aggregate into ``mean ± sd (n)``; failed runs are kept and listed by :func:`failed_runs`,
never dropped silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genstudy.metrics.catalog import METRICS
from genstudy.metrics.likelihood import ESTIMATOR_BIAS
from genstudy.models import registry
from genstudy.runs.executions import load_executions
from genstudy.runs.record import load_records, short_commit
from genstudy.runs.timing import read_timings, training_seconds
from genstudy.study.compare import compare, with_interval
from genstudy.study.flatness import FLAT_SHARE, curve_end
from genstudy.study.tables import METRIC_COLUMNS, TEXT_METRICS, one_sided_reading, unreliable

if TYPE_CHECKING:
    from pandas.core.groupby import DataFrameGroupBy

#: Families in the order the book presents them (the real-data baseline last).
FAMILY_ORDER = ("gan", "vae", "autoencoder", "rbm", "dbn", "data")
#: Numeric metrics of the records (``METRIC_COLUMNS`` without the text ones).
NUMERIC_METRICS = tuple(k for k in METRIC_COLUMNS if k not in TEXT_METRICS)
#: Run columns of :func:`runs_frame` besides the metrics.
#: Columns of :func:`runs_frame` from the chapter *The cost of sampling and training* (:mod:`genstudy.runs.timing`).
TIMED_COLUMNS = ("timed_1k_s", "timed_on", "timed_step_s", "timed_phase_epochs", "timed_train_s")
COST_COLUMNS = {"params": "params_count", "train_s": "timings.train_s", "steps": "training.steps",
                "sample_1k_s": "timings.sample_1k_s", "gibbs_steps": "timings.sample_gibbs_steps",
                "eval_s": "evaluation.seconds"}


def runs_frame(results_dir: Path | str, profile: str) -> pd.DataFrame:
    """Every run record of ``profile`` under ``results_dir``, one row per run.

    Columns: ``run_id, label, model, family, framework, dataset, seed, status, message,
    device, machine`` (the record's CPU in words, ``""`` where it was not recorded),
    ``commit, params, train_s`` (seconds on the run's own machine), ``steps`` (optimizer steps),
    ``sample_1k_s, gibbs_steps, eval_s, dir``, one column per
    metric of :data:`genstudy.study.tables.METRIC_COLUMNS` (NaN where a family has none) and
    ``class_counts`` (dict or NaN), ``ll_upper_expected`` and ``ll_upper_certain``: a withheld AIS-based
    likelihood's one-sided reading (:func:`genstudy.study.tables.one_sided_reading`; NaN otherwise), and
    from the chapter *The cost of sampling and training*
    (:mod:`genstudy.runs.timing`) ``timed_1k_s``: the seconds for 1,000 samples of the run's
    architecture measured there, all models on one machine (NaN where it timed no such
    architecture: another model, seed, option or number of Gibbs sweeps than the run's),
    ``timed_on``: that device and machine in words, ``timed_step_s``: the seconds per training step
    of each phase of the run's training timed there (a list; None where it timed no step of the run's
    training: another batch size, training options or epochs than the run's, or a table made before
    steps were timed), ``timed_phase_epochs``: those phases' epochs (a list, or None) and
    ``timed_train_s``: the run's whole training on that clock, its steps times those seconds
    (:func:`~genstudy.runs.timing.training_seconds`; NaN where no step was timed). Sorted by
    family (book order), model, framework, seed. An empty frame with those columns when there are no records.
    """
    records = load_records(Path(results_dir), profile)
    raw = pd.json_normalize(records, max_level=1) if records else pd.DataFrame()
    columns = ["run_id", "label", "model", "family", "framework", "dataset", "seed", "status", "message", "device",
               "machine", "commit", *COST_COLUMNS, *METRIC_COLUMNS, "class_counts", *ONE_SIDED_COLUMNS, "dir",
               *TIMED_COLUMNS]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame({
        "run_id": raw["run_id"],
        "label": raw["label"],
        "model": raw["model"],
        "family": raw["family"],
        "framework": raw.get("framework", "pytorch"),
        "dataset": raw["dataset"],
        "seed": raw.get("seed", np.nan),
        "status": raw.get("status", "ok"),
        "message": raw["message"].fillna("") if "message" in raw else "",
        "device": raw.get("device_name", raw.get("evaluation.device", "")),
        "machine": raw["machine"].fillna("") if "machine" in raw else "",
        "commit": raw.get("git_commit"),
    })
    for name, source in COST_COLUMNS.items():
        out[name] = pd.to_numeric(raw[source], errors="coerce") if source in raw else np.nan
    for key in METRIC_COLUMNS:
        col = f"metrics.{key}"
        if key in TEXT_METRICS:
            out[key] = raw[col].fillna("") if col in raw else ""
        else:
            out[key] = pd.to_numeric(raw[col], errors="coerce") if col in raw else np.nan
    grey = out["log_likelihood_estimator"].str.contains(CONTINUOUS, regex=False)  # an older record's continuous
    out.loc[grey, ["log_likelihood", "log_likelihood_train"]] = np.nan  # density: in no unit any column shares
    out["class_counts"] = raw.get("evaluation.class_counts", np.nan)
    readings = [one_sided_reading(r) for r in records]
    out["ll_upper_expected"] = [np.nan if x is None else x.expected for x in readings]
    out["ll_upper_certain"] = [np.nan if x is None or x.certain is None else x.certain for x in readings]
    out["dir"] = raw["dir"]
    out[list(TIMED_COLUMNS)] = _timed(raw, out, read_timings(results_dir, profile))
    order = {f: i for i, f in enumerate(FAMILY_ORDER)}
    out = out.assign(_o=out["family"].map(order).fillna(len(order)))
    return out.sort_values(["_o", "model", "framework", "seed"]).drop(columns="_o").reset_index(drop=True)


def _timed(raw: pd.DataFrame, out: pd.DataFrame, timings: pd.DataFrame) -> pd.DataFrame:
    """:data:`TIMED_COLUMNS` for each run of ``out`` (the records ``raw``, row for row): the timing of
    ``timings`` (:func:`~genstudy.runs.timing.read_timings`) with the run's dataset, model and seed
    whose architecture is the run's (the same ``model_options`` as the record's config and the same
    Gibbs sweeps per sample) and whose sampler is the one the run's evaluation scored (the same parallel
    tempering, or none); NaN, "" and None for a run with none (a TensorFlow run among them). Its
    training step counts only where the run trained as it was timed: the same batch size, the same training
    options, and as many epochs in all as the timed phases."""
    found = {(r.dataset, r.model, int(r.seed)): r for r in timings.itertuples()}
    column = lambda name: raw[name] if name in raw else pd.Series(None, index=raw.index)  # noqa: E731
    options, batch, train_options = (column(f"config.{k}") for k in ("model_options", "batch_size", "train_options"))
    trained, evaluated = column("training.epochs"), column("evaluation.settings")
    values = []
    for i, run in out.iterrows():
        row = found.get((run["dataset"], run["model"], int(run["seed"]))) if pd.notna(run["seed"]) else None
        sampler = (evaluated[i] if isinstance(evaluated[i], dict) else {}).get("tempering")
        same = (row is not None and run["framework"] == "pytorch" and row.model_options == options[i]
                and pd.notna(run["gibbs_steps"]) and int(row.gibbs_steps) == int(run["gibbs_steps"])
                and (row.tempering if isinstance(row.tempering, dict) else None) == sampler)
        if not same:
            values.append((np.nan, "", None, None, np.nan))
            continue
        timed_task = row.train_options if isinstance(row.train_options, dict) else {}  # older tables: none
        same_task = (train_options[i] if isinstance(train_options[i], dict) else {}) == timed_task
        steps = (isinstance(row.step_s, list) and pd.notna(batch[i]) and int(row.batch_size) == int(batch[i])
                 and same_task and pd.notna(trained[i]) and sum(row.phase_epochs) == int(trained[i])
                 and pd.notna(run["steps"]))
        whole = float(training_seconds([run["steps"]], run["steps"] / int(trained[i]), row.phase_epochs,
                                       row.step_s)[0]) if steps else np.nan
        values.append((float(row.sample_1k_s), str(row.timed_on), list(row.step_s) if steps else None,
                       list(row.phase_epochs) if steps else None, whole))
    return pd.DataFrame(values, columns=list(TIMED_COLUMNS), index=out.index)


def provenance(frame: pd.DataFrame, profile: str) -> str:
    """One line that says where a figure's numbers come from: profile, datasets, seeds, devices, runs
    and the commits that computed them."""
    models = frame[frame["family"] != "data"]
    seeds = sorted({int(s) for s in models["seed"].dropna()})
    devices = sorted({str(d) for d in frame["device"].dropna() if str(d)})
    datasets = sorted(set(frame["dataset"]))
    commits = sorted({short_commit(c) for c in frame.get("commit", pd.Series(dtype=object))})
    return (f"profile {profile} · {', '.join(datasets)} · seeds {', '.join(map(str, seeds)) or '—'} · "
            f"{'; '.join(devices) or 'device unknown'} · {len(models)} runs · "
            f"commit{'s' * (len(commits) > 1)} {', '.join(commits) or 'unknown'}")


def failed_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """Runs whose status is not ``ok``: run_id, status and message (empty when all succeeded)."""
    return frame.loc[frame["status"] != "ok", ["run_id", "status", "message"]].set_index("run_id")


def failed_executions(results_dir: Path | str, profile: str) -> pd.DataFrame:
    """Notebook executions of ``profile`` whose last attempt failed (an exception in a cell, a
    lost worker): run, notebook, error and the kept notebook (relative to ``results_dir``).
    Such a run may have left no training record at all, so :func:`failed_runs` cannot see it."""
    rows = [{"run": r.get("execution_id", r.get("run_id", "?")), "notebook": r.get("notebook", ""),
             "error": r.get("error", ""),
             "kept as": (str(Path(r["dir"]).relative_to(results_dir) / r["notebook_file"])
                         if r.get("notebook_file") else "nothing")}
            for r in load_executions(Path(results_dir), profile) if r.get("status") != "ok"]
    return pd.DataFrame(rows, columns=["run", "notebook", "error", "kept as"]).set_index("run")


def _ok(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["status"] == "ok"]


def metric_long(frame: pd.DataFrame, metrics: tuple[str, ...] = NUMERIC_METRICS) -> pd.DataFrame:
    """Long form of the successful runs' metrics: columns ``label, family, seed, metric, value``
    (``metric`` is the table title of :data:`METRIC_COLUMNS`); NaN values dropped."""
    ok = _ok(frame)
    long = ok.melt(id_vars=["label", "family", "seed"], value_vars=list(metrics), var_name="metric")
    long["metric"] = long["metric"].map(METRIC_COLUMNS)
    return long.dropna(subset=["value"]).reset_index(drop=True)


def _mean_sd(values: pd.Series, digits: int) -> str:
    v = values.dropna()
    if v.empty:
        return ""
    if len(v) == 1:
        return f"{v.iloc[0]:.{digits}f}"
    return f"{v.mean():.{digits}f} ± {v.std(ddof=1):.{digits}f}"


def metric_summary(frame: pd.DataFrame, metrics: tuple[str, ...] = NUMERIC_METRICS) -> pd.DataFrame:
    """One row per model (label): ``mean ± sd`` over seeds of each metric (sd with ddof 1;
    a single seed shows its value alone) and ``seeds`` = number of successful runs."""
    ok = _ok(frame)
    rows = []
    for label, group in ok.groupby("label", sort=False):
        row: dict[str, Any] = {"model": label, "seeds": int(group["seed"].notna().sum()) or len(group)}
        for key in metrics:
            row[METRIC_COLUMNS[key]] = _mean_sd(group[key], METRICS[key].digits)
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


#: Estimators whose text says this is a density of grey levels, not of binarized images: dequantized
#: (reported in bits per dimension), or an older record's plain continuous density (in no comparable unit).
CONTINUOUS, DEQUANTIZED = "continuous", "dequantized"
BINARIZED_COLUMN = "log-likelihood, nats per binarized test image"


def grey_level(estimator: str) -> bool:
    """Whether a likelihood ``estimator``'s text says it is a density of grey levels (dequantized, or
    an older record's plain continuous one), not of binarized images."""
    return CONTINUOUS in estimator or DEQUANTIZED in estimator

BITS_COLUMN = "bits per dimension of the dequantized 8-bit test images (an upper bound)"
#: What a grey-level model evaluated before dequantization shows in :data:`BITS_COLUMN`.
NOT_DEQUANTIZED = "not measured: evaluated as a continuous density before dequantization (genstudy evaluate --force)"


#: The frame's columns of a withheld likelihood's one-sided reading (nats per image; NaN when none).
ONE_SIDED_COLUMNS = ("ll_upper_expected", "ll_upper_certain")


def _withheld(group: pd.DataFrame, reasons: list[str]) -> str:
    """A model's withheld likelihood, as every chapter shows it: the reasons, then, when every seed's
    estimate was AIS-based, the one-sided reading that holds for all of them (the largest upper bound)."""
    text = unreliable("; ".join(reasons))
    expected, certain = group["ll_upper_expected"], group["ll_upper_certain"]
    if expected.isna().any():
        return text
    sure = "" if certain.isna().any() else f", and at most {certain.max():.1f} for certain (log Z's hard floor)"
    return (f"{text}; every seed at most {expected.max():.1f} in expectation (AIS's log Z is a stochastic "
            f"lower bound){sure}")


def likelihood_table(frame: pd.DataFrame, bias: dict[str, str] = ESTIMATOR_BIAS) -> pd.DataFrame:
    """Per model: the family's own log-likelihood (mean ± sd over the seeds whose estimate
    passed its guard, nats per image) *with its estimator* and which way that estimator errs
    (``bias``: family → text, by default :data:`~genstudy.metrics.likelihood.ESTIMATOR_BIAS`),
    and the train−test gap. A model with a seed whose estimate was
    withheld reads ``unreliable: <reason>``; models without an estimator show an empty cell,
    never a number from another estimator. One unit a column: nats per binarized image (and the
    train − test gap in them); a density of grey levels (the VAE on DCGAN's networks) in bits per
    dimension of the dequantized 8-bit images, in a column of its own, never beside them (a record
    evaluated before dequantization, whose estimator says ``continuous``, reads :data:`NOT_DEQUANTIZED`
    there: its plain continuous density has no comparable unit); the Parzen-window
    log-density every family gets in its own column: a density on [0, 1]^d, comparable only to other
    Parzen values."""
    ok = _ok(frame)
    rows = []
    for label, group in ok.groupby("label", sort=False):
        estimators = sorted({e for e in group["log_likelihood_estimator"] if e})
        withheld = sorted({w for w in group["log_likelihood_withheld"] if w})
        family = group["family"].iloc[0]
        continuous = any(map(grey_level, estimators))
        if withheld:
            own = _withheld(group, withheld)
        elif continuous:
            own = _mean_sd(group["bits_per_dim"], 3) if group["bits_per_dim"].notna().any() else NOT_DEQUANTIZED
        else:
            own = _mean_sd(group["log_likelihood"], 1)
        gap = "" if withheld else _mean_sd(group["log_likelihood_train"] - group["log_likelihood"], 1)
        rows.append({"model": label, "family": family,
                     BINARIZED_COLUMN: "" if continuous else own,
                     "train − test, binarized nats": "" if continuous else gap,
                     BITS_COLUMN: own if continuous else "",
                     "estimator": "; ".join(estimators) or "none (the family defines no likelihood)",
                     "errs": bias.get(family, "") if estimators else "",
                     "Parzen log-density, nats on [0, 1]^784 (not a likelihood)": _mean_sd(group["parzen_ll"], 1)})
    return pd.DataFrame(rows).set_index("model")


def class_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Share of each model's samples per predicted class (rows: labels, columns: classes),
    averaged over seeds; the real-data row is the data's own spread."""
    rows: dict[str, list[pd.Series]] = {}
    for _, r in _ok(frame).iterrows():
        counts = r["class_counts"]
        if isinstance(counts, dict) and counts:
            s = pd.Series(counts, dtype=float)
            rows.setdefault(r["label"], []).append(s / s.sum())
    return pd.DataFrame({k: pd.concat(v, axis=1).mean(axis=1) for k, v in rows.items()}).T


def cost_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per model (mean over seeds): parameters, training seconds, seconds per 1,000 samples,
    Gibbs sweeps per sample, evaluation seconds, the device, and FD for reference."""
    ok = _ok(frame[frame["family"] != "data"])
    agg = ok.groupby("label", sort=False).agg(
        family=("family", "first"), params=("params", "first"), train_s=("train_s", "mean"),
        sample_1k_s=("sample_1k_s", "mean"), gibbs_steps=("gibbs_steps", "first"), eval_s=("eval_s", "mean"),
        fd=("fd", "mean"), device=("device", "first"))
    return agg.rename(columns=COST_TITLES)


#: The matched pair: DCGAN and the VAE built from its networks (:func:`genstudy.models.vae.vae_dcgan`).
MATCHED_PAIR = ("dcgan", "vae_dcgan")
#: The metrics :func:`matched_pair` reports and compares.
PAIR_METRICS = ("fd", "precision", "recall", "coverage")


def matched_pair(frame: pd.DataFrame, pair: tuple[str, str] = MATCHED_PAIR, metrics: tuple[str, ...] = PAIR_METRICS
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matched pair's PyTorch runs side by side, and the first model against the second.

    Returns ``(table, comparisons)``. ``table``: one row per model of ``pair`` that has
    successful runs, with ``family, seeds, parameters``, the median ``train s`` (with its unit)
    and each metric's ``mean [95% interval]`` over seeds. ``comparisons``: one row per metric,
    :func:`genstudy.study.compare.compare` of the first model against the second (gain > 0: the
    first is better; ``outcome`` needs :data:`~genstudy.study.compare.MIN_SEEDS` seeds of each).
    """
    ok = _ok(frame[frame["framework"] == "pytorch"])
    runs = ok[ok["model"].isin(pair)]
    rows = {}
    for model in (m for m in pair if (runs["model"] == m).any()):
        own = runs[runs["model"] == model].sort_values("seed")
        rows[model] = {"family": own["family"].iloc[0], "seeds": own["seed"].nunique(),
                       "parameters": int(own["params"].iloc[0]), "train s": f"{own['train_s'].median():.3g} s",
                       **{METRIC_COLUMNS[m]: with_interval(own[m], METRICS[m].digits) for m in metrics}}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    if len(rows) < 2:
        return table, pd.DataFrame()
    a, b = (runs[runs["model"] == m].set_index("seed") for m in pair)
    found = []
    for m in metrics:
        c = compare(a[m], b[m], m, pair)
        found.append({"metric": METRIC_COLUMNS[m], pair[0]: c.number(c.mean_a), pair[1]: c.number(c.mean_b),
                      f"gain of {pair[0]} [95%]": f"{c.number(c.gain)} [{c.number(c.low)}, {c.number(c.high)}]"
                      if np.isfinite(c.gain) else "—",
                      "no-difference band": f"±{c.number(c.band)}" if np.isfinite(c.band) else "—",
                      "outcome": c.outcome})
    return table, pd.DataFrame(found).set_index("metric")


#: The article's own GANs (:data:`genstudy.models.registry.ARTICLE_MODELS`): they test the article's
#: code, not a family, so they set no common quality level (:func:`time_to_quality`) and the claims
#: give them a row of their own.
ARTICLE_MODELS = registry.ARTICLE_MODELS
#: Columns of :func:`quality_curves`.
CURVE_COLUMNS = ("label", "family", "seed", "probe", "step", "images_seen", "train_s", "timed_s", "fd_probe")
#: The families whose models set the matched budget of :func:`matched_compute` (the ones the
#: article's "better" and "more efficient" claims compare).
COMPARED_FAMILIES = ("gan", "vae", "rbm", "dbn")


def quality_curves(frame: pd.DataFrame) -> pd.DataFrame:
    """The quality probes (:mod:`genstudy.runs.probe`) of every successful PyTorch run, long form.

    Columns :data:`CURVE_COLUMNS`: ``probe`` numbers a run's probes 0, 1, ... in step order (the
    same steps for every seed of a model), ``images_seen`` and ``train_s`` (training seconds on the
    run's own machine, probes excluded) say how much compute the model had had, ``timed_s`` the same
    steps' seconds on the machine of the chapter *The cost of sampling and training*
    (:func:`genstudy.runs.timing.training_seconds` of the frame's ``timed_step_s``; NaN where that
    chapter timed no step of the run's training), ``fd_probe`` its FD then. Runs whose history holds
    no probe (TensorFlow runs, runs trained before probes existed) are left out.
    """
    ok = _ok(frame[(frame["family"] != "data") & (frame["framework"] == "pytorch")])
    parts = []
    for r in ok.itertuples():
        path = Path(r.dir) / "history.csv"
        history = pd.read_csv(path) if path.is_file() else pd.DataFrame()
        if "fd_probe" not in history:
            continue
        h = history.dropna(subset=["fd_probe"])
        timed = np.full(len(h), np.nan)
        step_s, phases = getattr(r, "timed_step_s", None), getattr(r, "timed_phase_epochs", None)
        if isinstance(step_s, list) and isinstance(phases, list):  # matched by runs_frame: its steps are known
            timed = training_seconds(h["step"].to_numpy(), r.steps / sum(phases), phases, step_s)
        parts.append(pd.DataFrame({"label": r.label, "family": r.family, "seed": r.seed, "probe": range(len(h)),
                                   "step": h["step"].to_numpy(), "images_seen": h["images_seen"].to_numpy(),
                                   "train_s": h["train_s"].to_numpy(), "timed_s": timed,
                                   "fd_probe": h["fd_probe"].to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=list(CURVE_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def _runs_and_ends(curves: pd.DataFrame) -> tuple[DataFrameGroupBy, pd.Series]:
    """Curves grouped by run (``label, seed``) in probe order, and each model's median training
    seconds at its last probe."""
    runs = curves.sort_values("probe").groupby(["label", "seed"], sort=False)
    return runs, runs["train_s"].max().groupby(level="label").median()


def at_budget(curves: pd.DataFrame, families: tuple[str, ...] = COMPARED_FAMILIES) -> tuple[pd.Series, float]:
    """Each run's probe FD at one training budget that every compared model reached, and the budget.

    The budget is the shortest median training time (seconds) among the models of ``families``
    (of all models when none is of them): every such model had at least that much compute, on the
    device its runs name. A run's FD at the budget is interpolated linearly between its probes
    (the first is before any training, at 0 s); a run that had finished by then keeps its last
    value. Returns a Series indexed by ``(label, seed)`` and the budget (NaN for no curves).
    """
    if curves.empty:
        return pd.Series(dtype=float), float("nan")
    runs, ends = _runs_and_ends(curves)
    compared = curves[curves["family"].isin(families)]["label"].unique()
    budget = float(ends[ends.index.isin(compared)].min()) if len(compared) else float(ends.min())
    values = runs.apply(lambda h: float(np.interp(budget, h["train_s"], h["fd_probe"])), include_groups=False)
    return values, budget


def time_to_quality(curves: pd.DataFrame, families: tuple[str, ...] = COMPARED_FAMILIES
                    ) -> tuple[pd.Series, float]:
    """Training seconds each run took to reach one probe FD that every compared run reached.

    The target is the worst of the compared runs' best probe FDs (runs of models of
    ``families`` other than :data:`ARTICLE_MODELS`, whose collapse would set a level any model
    passes at once; of all runs when there are none), so each of those runs reached it. A run's
    time is where its curve first falls to the target, interpolated linearly between the probe
    before and the probe that reached it (0 s when its first probe already had). Runs of other
    families that never reached it get NaN. Returns a Series indexed by ``(label, seed)`` and
    the target (NaN for no curves).
    """
    if curves.empty:
        return pd.Series(dtype=float), float("nan")
    runs, _ = _runs_and_ends(curves)
    compared = curves["family"].isin(families) & ~curves["label"].isin(ARTICLE_MODELS)
    best = (curves[compared] if compared.any() else curves).groupby(["label", "seed"])["fd_probe"].min()
    target = float(best.max())

    def reached(h: pd.DataFrame) -> float:
        fd, seconds = h["fd_probe"].to_numpy(), h["train_s"].to_numpy()
        below = np.flatnonzero(fd <= target)
        if not len(below):
            return float("nan")
        j = int(below[0])
        if j == 0:
            return float(seconds[0])
        share = (fd[j - 1] - target) / (fd[j - 1] - fd[j])
        return float(seconds[j - 1] + share * (seconds[j] - seconds[j - 1]))

    return runs.apply(reached, include_groups=False), target


def time_to_quality_table(curves: pd.DataFrame, families: tuple[str, ...] = COMPARED_FAMILIES
                          ) -> tuple[pd.DataFrame, float]:
    """Per model, the training seconds its runs took to the common probe FD of
    :func:`time_to_quality` (``mean [95% interval]`` over seeds after a tilde: measured seconds;
    "not reached" for a model none of whose runs reached it), and that FD."""
    seconds, target = time_to_quality(curves, families)
    if curves.empty:
        return pd.DataFrame(), target
    rows = {}
    for label, own in curves.groupby("label", sort=False):
        values = seconds.loc[label].dropna()
        rows[label] = {"family": own["family"].iloc[0], "seeds": own["seed"].nunique(),
                       "seconds to the common FD ↓": "~" + with_interval(values, 2) if len(values) else "not reached"}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model"), target


def matched_compute(curves: pd.DataFrame, families: tuple[str, ...] = COMPARED_FAMILIES
                    ) -> tuple[pd.DataFrame, float]:
    """Every model's probe FD at the budget of :func:`at_budget`, beside its FD at the end.

    Returns a table per model (``family, seeds``, ``FD at budget`` and ``FD at end`` as ``mean
    [95% interval]`` over seeds, ``train s at end`` as a median with its unit) and the budget.
    The FD at the budget is written after a tilde (``"~80.0 [70.1, 90.2]"``): it depends on
    measured seconds, so it moves a little from one execution to the next even where training
    does not.
    """
    values, budget = at_budget(curves, families)
    if curves.empty:
        return pd.DataFrame(), budget
    runs, ends = _runs_and_ends(curves)
    at_end = runs["fd_probe"].last()
    rows = {}
    for label, own in curves.groupby("label", sort=False):
        rows[label] = {"family": own["family"].iloc[0], "seeds": own["seed"].nunique(),
                       "FD at budget ↓": "~" + with_interval(values.loc[label], 1),
                       "FD at end ↓": with_interval(at_end.loc[label], 1),
                       "train s at end": f"{ends.loc[label]:.3g} s"}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model"), budget


def flatness(curves: pd.DataFrame) -> pd.DataFrame:
    """Whether each model's probe FD had flattened when its training ended, by the book's one rule
    (:mod:`genstudy.study.flatness`: the mean over the last fifth of the steps against the mean over
    the fifth before).

    A model is ``flat`` when every seed improved by less than :data:`~genstudy.study.flatness.FLAT_SHARE`
    (a curve still falling says the budget was too short for the model, not that the family is
    worse). Columns per model: ``family, seeds``, ``FD, fifth before last`` and ``FD, last fifth``
    (means over seeds), ``improvement`` (mean share, e.g. ``"5.1%"``), ``flat`` (``yes`` / ``no``).
    """
    rows = {}
    for (label, seed), h in curves.sort_values("probe").groupby(["label", "seed"], sort=False):
        end = curve_end(h, "fd_probe")
        if end is not None:
            rows[(label, seed)] = {"family": h["family"].iloc[0], "before": end.start, "final": end.end,
                                   "improvement": end.improvement}
    if not rows:
        return pd.DataFrame()
    per_run = pd.DataFrame.from_dict(rows, orient="index").rename_axis(["label", "seed"])
    out = per_run.groupby(level="label", sort=False).agg(
        family=("family", "first"), seeds=("final", "size"), before=("before", "mean"), final=("final", "mean"),
        improvement=("improvement", "mean"), worst=("improvement", "max"))
    return pd.DataFrame({
        "family": out["family"], "seeds": out["seeds"],
        "FD, fifth before last": out["before"].round(1), "FD, last fifth": out["final"].round(1),
        "improvement": (100 * out["improvement"]).map(lambda v: f"{v:.1f}%"),
        "flat": np.where(out["worst"] < FLAT_SHARE, "yes", "no"),
    }).rename_axis("model")


#: Column titles of the cost quantities (and FD, shown beside them) in the book's tables.
COST_TITLES = {"params": "parameters", "train_s": "train s", "sample_1k_s": "1k samples s",
               "gibbs_steps": "Gibbs sweeps", "eval_s": "evaluation s", "fd": "FD ↓"}


def framework_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Models trained in both PyTorch and TensorFlow: rows (model, quantity: parameters and each
    metric), columns ``pytorch``, ``tensorflow`` (means over seeds), for the same architecture and
    budget. Their seconds are in :func:`cost_table`, one row per framework."""
    ok = _ok(frame)
    both = [m for m, g in ok.groupby("model") if {"pytorch", "tensorflow"} <= set(g["framework"])]
    rows = []
    for model in both:
        g = ok[ok["model"] == model]
        for key in ("params", *NUMERIC_METRICS):
            means = g.groupby("framework")[key].mean()
            if means.notna().any():
                rows.append({"model": model, "quantity": METRIC_COLUMNS.get(key, COST_TITLES.get(key, key)),
                             "pytorch": means.get("pytorch"), "tensorflow": means.get("tensorflow")})
    if not rows:
        return pd.DataFrame(columns=["pytorch", "tensorflow"])
    return pd.DataFrame(rows).set_index(["model", "quantity"])


def captioned(table: pd.DataFrame, caption: str, precision: int = 3) -> Any:
    """``table`` as a pandas Styler with ``caption`` above it (how the book shows every table:
    the caption carries :func:`provenance`) and floats to ``precision`` decimals."""
    return table.style.set_caption(caption).format(precision=precision, na_rep="")
