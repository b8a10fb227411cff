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

Where a curve flattens is read from the long runs of ``genstudy budgets``
(:mod:`genstudy.runs.budgets`): :func:`by_budget` applies the rule at every shorter budget of one,
:func:`flat_from` finds where it stays flat, :func:`budget_summary` reads one against a budget, and
:func:`long_runs`, :func:`budget_table` and :func:`budget_curves` give the comparison chapter all of
a profile's long runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genstudy.config import Budget, get_profile
from genstudy.runs.record import load_records, short_commit

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


#: The curve a long run logged, by its record's probe quantity (``config.probe.quantity``): the probe FD
#: (lower is better) or the family's log-likelihood in nats (``ll_probe``, higher is better).
PROBE_COLUMNS = {"fd": "fd_probe", "likelihood": "ll_probe"}
#: The curves in words, by column.
CURVE_NAMES = {"fd_probe": "probe FD", "ll_probe": "log-likelihood (nats)"}


def probe_column(record: dict[str, Any]) -> str:
    """The column of the curve the run of ``record`` logged (:data:`PROBE_COLUMNS`)."""
    return PROBE_COLUMNS[record["config"].get("probe", {}).get("quantity", "fd")]


def budget_summary(record: dict[str, Any], history: pd.DataFrame, budget_epochs: int,
                   column: str | None = None) -> dict[str, Any]:
    """One long run (:mod:`genstudy.runs.budgets`) read against a profile's budget of
    ``budget_epochs``: ``model``, ``seed``, ``curve`` (its words, :data:`CURVE_NAMES`; ``column``,
    default the run's own, :func:`probe_column`), ``trained`` (epochs of the long run; per layer for a
    DBN), ``final`` (the curve's last value), ``at end`` (the improvement over the long run's own last
    fifth, e.g. ``"5.1%"``),
    ``budget`` (the profile's epochs), ``at budget`` (the improvement over the budget's last fifth;
    ``-`` past the long run), ``flat at budget`` (``yes``/``no``), ``flat from`` (:func:`flat_from`,
    or ``not within N``), ``s per epoch`` (training seconds per epoch of ``trained``) and ``device``.

    A run that is not a prefix of a longer one (:func:`is_prefix`: its epochs per layer, or its step
    following a schedule over its length) answers for its own budget only, so ``at budget`` is filled
    only when that is the profile's, and ``flat from`` is ``-``. So does a likelihood curve, whose few
    probes read no shorter budget; it is read in nats, its rise over the last fifth (``"+1.25 nats"``),
    never by the share rule (``flat at budget`` ``-``): runs at several budgets show where it stops rising."""
    column = probe_column(record) if column is None else column
    trained = int(record["config"]["epochs"])
    end = curve_end(history, column)
    if column == PROBE_COLUMNS["likelihood"]:  # curve_end's windows, read in nats: its rise
        rise = "-" if end is None else f"{end.end - end.start:+.2f} nats"
        readings = {"at end": rise, "at budget": rise if trained == budget_epochs else "-",
                    "flat at budget": "-", "flat from": "-"}
    else:
        readings = _fd_readings(record, history, budget_epochs, column, end)
    return {"model": record["model"], "seed": int(record["config"].get("seed", 0)), "curve": CURVE_NAMES[column],
            "trained": trained, "final": _final(history, column), "at end": readings["at end"],
            "budget": budget_epochs, "at budget": readings["at budget"], "flat at budget": readings["flat at budget"],
            "flat from": readings["flat from"],
            "s per epoch": round(float(record.get("timings", {}).get("train_s", float("nan"))) / trained, 2),
            "device": record.get("device_name", "")}


def _fd_readings(record: dict[str, Any], history: pd.DataFrame, budget_epochs: int, column: str,
                 end: CurveEnd | None) -> dict[str, Any]:
    """:func:`budget_summary`'s readings of a curve read by the share rule (lower is better)."""
    trained = int(record["config"]["epochs"])
    if is_prefix(record):
        table = by_budget(history, int(record.get("training", {}).get("steps", 0)) // max(trained, 1), column)
        at = table.loc[budget_epochs] if budget_epochs in table.index else None
        first = flat_from(table)
        improvement = None if at is None else float(at["improvement"])
        since: int | str = f"not within {trained}" if first is None else first
    else:
        improvement = end.improvement if end is not None and trained == budget_epochs else None
        since = "-"
    return {"at end": "-" if end is None else f"{100 * end.improvement:.1f}%",
            "at budget": "-" if improvement is None else f"{100 * improvement:.1f}%",
            "flat at budget": "-" if improvement is None else ("yes" if improvement < FLAT_SHARE else "no"),
            "flat from": since}


def _final(history: pd.DataFrame, column: str) -> float | None:
    """The last logged value of ``column`` (2 decimals), None without one."""
    values = history[column].dropna() if column in history else pd.Series(dtype=float)
    return round(float(values.iloc[-1]), 2) if len(values) else None


def is_prefix(record: dict[str, Any]) -> bool:
    """Whether the first *E* epochs of the run of ``record`` are the run a budget of *E* epochs makes: not
    where its epochs are per layer (a DBN's), nor where its step follows a schedule over the run's length
    (its ``train_options.lr_schedule`` other than constant: a shorter run decays sooner)."""
    schedule = record["config"].get("train_options", {}).get("lr_schedule", "constant")
    return _layers(record) == 1 and schedule == "constant"


def same_recipe(record: dict[str, Any], budget: Budget) -> bool:
    """Whether the run of ``record`` trained ``budget``'s recipe (training images, batch, architecture and
    training options; its epochs aside): else it is no evidence for that budget."""
    config = record["config"]
    return (config.get("train_size"), config.get("batch_size"), config.get("model_options", {}),
            config.get("train_options", {})) == (budget.train_size, budget.batch_size, budget.options,
                                                 budget.train_options)


def _layers(record: dict[str, Any]) -> int:
    """How many times a run trained its ``config.epochs``: its layers for a DBN (whose
    ``training.epochs`` counts every layer's), 1 for every other model."""
    epochs = int(record["config"]["epochs"])
    return int(record.get("training", {}).get("epochs") or epochs) // epochs


def long_runs(directory: Path | str, profile: str, dataset: str = "fashion_mnist"
              ) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """The finished long runs of ``profile`` on ``dataset`` under ``directory`` (``genstudy budgets
    --out``, by default ``results/budgets``: its ``<profile>/*/record.json``), each as its record and
    its ``history.csv``, ordered by model, seed and epochs."""
    runs = [(r, pd.read_csv(Path(r["dir"]) / r["artifacts"]["history"]))
            for r in load_records(Path(directory), profile)
            if r.get("status") == "ok" and r.get("dataset") == dataset]
    return sorted(runs, key=lambda run: (run[0]["model"], run[0]["config"]["seed"], run[0]["config"]["epochs"]))


def published_epochs(results_dir: Path | str, profile: str) -> dict[str, str]:
    """The epochs each model's runs of ``profile`` under ``results_dir`` trained for (their records'
    ``config.epochs``, per layer for a DBN), e.g. ``{"dcgan": "8"}``; ``"8, 10"`` where they differ."""
    epochs: dict[str, set[int]] = {}
    for record in load_records(Path(results_dir), profile):
        if record.get("status") == "ok" and record.get("config", {}).get("epochs"):
            epochs.setdefault(record["model"], set()).add(int(record["config"]["epochs"]))
    return {model: ", ".join(map(str, sorted(e))) for model, e in epochs.items()}


def budget_table(runs: list[tuple[dict[str, Any], pd.DataFrame]], profile: str,
                 published: dict[str, str] | None = None) -> pd.DataFrame:
    """:func:`budget_summary` of every long run of :func:`long_runs` against ``profile``'s budget
    for its model, with the machine (its CPU in words, where recorded) and the commit that trained
    it; one row per run. ``recipe``: ``the profile's``, or ``another`` where the run trained another
    recipe than the budget's (:func:`same_recipe`: then it is not read against the budget, ``at budget``
    and ``flat at budget`` being ``-``). With ``published`` (:func:`published_epochs`), a column
    ``published`` after ``budget`` says what the profile's own runs trained for (``-`` where it has none)."""
    rows = []
    for record, history in runs:
        budget = get_profile(profile).budget(record["model"])
        row, same = budget_summary(record, history, budget.epochs), same_recipe(record, budget)
        if not same:
            row.update({"at budget": "-", "flat at budget": "-"})
        rows.append({**row, "recipe": "the profile's" if same else "another",
                     "machine": record.get("machine", ""), "commit": short_commit(record.get("git_commit"))})
    table = pd.DataFrame(rows)
    if published is not None and len(table):
        table.insert(table.columns.get_loc("budget") + 1, "published",
                     [published.get(model, "-") for model in table["model"]])
    return table


def budget_curves(runs: list[tuple[dict[str, Any], pd.DataFrame]], profile: str,
                  column: str = "fd_probe") -> pd.DataFrame:
    """The curves ``column`` of the long runs that logged it (:func:`probe_column`), in long form:
    ``model``, ``run`` (e.g. ``"seed 0, 60 epochs"``, ``"seed 0, 20 epochs a layer"``; ``", another
    recipe"`` where it is not the profile's, :func:`same_recipe`), ``epoch`` (epochs trained; every
    layer's together for a DBN), ``value`` (the logged ``column``) and ``budget`` (the profile's
    budget on the same axis: its epochs times the layers for a DBN)."""
    frames = []
    for record, history in runs:
        if probe_column(record) != column:
            continue
        epochs, layers = int(record["config"]["epochs"]), _layers(record)
        run = f"seed {record['config']['seed']}, {epochs} epochs" + (" a layer" if layers > 1 else "")
        if not same_recipe(record, get_profile(profile).budget(record["model"])):
            run += ", another recipe"
        points = history[["epoch", column]].dropna()
        frames.append(pd.DataFrame({"model": record["model"], "run": run, "epoch": points["epoch"].to_numpy(float),
                                    "value": points[column].to_numpy(float),
                                    "budget": get_profile(profile).budget(record["model"]).epochs * layers}))
    return (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=["model", "run", "epoch", "value", "budget"]))
