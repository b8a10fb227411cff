"""The model chapters' tables, from run records: size and cost, metrics, class counts, losses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from genstudy.metrics.catalog import CATALOG
from genstudy.metrics.guards import OneSided, one_sided

#: Record metrics that are text: the likelihood's estimator, and why a likelihood was withheld.
TEXT_METRICS: dict[str, str] = {"log_likelihood_estimator": "estimator", "log_likelihood_withheld": "withheld"}
#: Record metric → column title of the book's tables, in display order (the catalog's, then
#: the text metrics).
METRIC_COLUMNS: dict[str, str] = {**{m.key: m.title for m in CATALOG}, **TEXT_METRICS}


def summary(records: list[dict[str, Any]]) -> pd.DataFrame:
    """A one-row-per-run table of what the model chapters report: size, budget, cost, status."""
    rows = []
    for r in records:
        rows.append({
            "model": r["model"],
            "family": r["family"],
            "framework": r["framework"],
            "parameters": r["params_count"],
            "train images": r["config"]["train_size"],
            "epochs": r["config"]["epochs"],
            "steps": r["training"]["steps"],
            "train s": r["timings"]["train_s"],
            "1k samples s": r["timings"]["sample_1k_s"],
            "Gibbs steps": r["timings"]["sample_gibbs_steps"],
            "device": r["device_name"],
            "status": r["status"],
        })
    return pd.DataFrame(rows).set_index("model")


def in_seconds(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` with ``columns`` (seconds) written with their unit, ``"12.3 s"`` (4
    significant digits; empty where missing): how the book shows wall-clock times, so a reader
    sees the unit and the notebooks' regression test can tell a time from a measurement."""
    out = frame.copy()
    for column in columns:
        out[column] = [f"{float(v):.4g} s" if pd.notna(v) else "" for v in frame[column]]
    return out


def unreliable(reason: str) -> str:
    """How a table shows a number withheld by its guard."""
    return f"unreliable: {reason}"


def one_sided_reading(record: dict[str, Any]) -> OneSided | None:
    """The one-sided reading of ``record``'s withheld AIS-based likelihood
    (:func:`genstudy.metrics.guards.one_sided`), or None (passed, not AIS-based, or not recorded)."""
    evaluation = record.get("evaluation", {})
    guard, ais = evaluation.get("likelihood_guard"), evaluation.get("ais")
    if not record.get("metrics", {}).get("log_likelihood_withheld") or not guard or not ais:
        return None
    return one_sided(guard, ais["log_z"])


def withheld_text(record: dict[str, Any]) -> str:
    """How every chapter shows ``record``'s withheld likelihood: ``unreliable: <reason>`` and, for an
    AIS-based one, what it still says one-sidedly (:func:`one_sided_reading`)."""
    reading = one_sided_reading(record)
    text = unreliable(record["metrics"]["log_likelihood_withheld"])
    return text if reading is None else f"{text}; {reading.text()}"


def history(directory: Path) -> pd.DataFrame:
    """The logged losses of the run in ``directory`` (``history.csv``)."""
    return pd.read_csv(Path(directory) / "history.csv")


def metrics_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per record (its ``label``), one column per metric of :data:`METRIC_COLUMNS`.

    Values are the record's own numbers (nats per image for likelihoods); a metric a family
    does not define is NaN. A likelihood withheld by its guard reads ``unreliable: <reason>``,
    never a number. Real-data baselines (family ``data``) appear as ``real data``.
    """
    rows = []
    for r in records:
        row: dict[str, Any] = {"model": r["label"]}
        m = r.get("metrics", {})
        for key, title in METRIC_COLUMNS.items():
            if key in TEXT_METRICS:
                continue
            row[title] = m.get(key, float("nan"))
        if m.get("log_likelihood_withheld"):
            row[METRIC_COLUMNS["log_likelihood"]] = withheld_text(r)
        row[METRIC_COLUMNS["log_likelihood_estimator"]] = m.get("log_likelihood_estimator", "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


def class_counts_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Generated images per predicted class (rows: labels, columns: classes), from the records'
    ``evaluation.class_counts``; the real baseline's row shows the data's own spread."""
    rows = {}
    for r in records:
        counts = r.get("evaluation", {}).get("class_counts")
        if counts:
            rows[r["label"]] = counts
    return pd.DataFrame(rows).T
