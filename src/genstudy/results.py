"""Run records: one JSON file per training run, written atomically, loaded into pandas.

A record lives at ``results/<profile>/<run_id>/record.json`` beside its artefacts
(``samples.png``, ``samples.npy``, ``history.csv``, ``model.pt``). It carries everything
a table or figure of the book needs: the model, family, framework, dataset, profile,
seed, device, parameter count, the full config, timings, metrics and the software
versions and git commit that produced it.
"""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from genstudy.io import write_json

SCHEMA = 1
RECORD = "record.json"


def run_id(model: str, dataset: str, seed: int, framework: str = "pytorch") -> str:
    """The folder name of a run: ``<model>-<dataset>-seed<seed>``, suffixed ``-<framework>`` unless PyTorch."""
    base = f"{model}-{dataset}-seed{seed}"
    return base if framework == "pytorch" else f"{base}-{framework}"


def run_dir(root: Path, profile: str, rid: str) -> Path:
    return Path(root) / profile / rid


def versions(*extra: str) -> dict[str, str]:
    """Versions of Python, the platform and the libraries that shape the numbers."""
    import numpy

    from genstudy import __version__

    out = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "genstudy": __version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }
    for name in extra:
        module = __import__(name)
        out[name] = getattr(module, "__version__", "?")
    return out


def device_description(device: torch.device) -> str:
    """``"cpu (2 threads)"`` or the GPU's name, e.g. ``"cuda: NVIDIA H100 80GB HBM3"``."""
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    return f"cpu ({torch.get_num_threads()} threads)"


def git_commit(root: Path | None = None) -> str | None:
    """The checked-out commit (suffixed ``+dirty`` with uncommitted changes), or None outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_record(directory: Path, record: dict[str, Any]) -> Path:
    """Write ``record`` to ``directory/record.json`` atomically (schema version added)."""
    return write_json(Path(directory) / RECORD, {"schema": SCHEMA, **record})


def read_record(directory: Path) -> dict[str, Any] | None:
    """The record in ``directory``, or None when there is none."""
    path = Path(directory) / RECORD
    return json.loads(path.read_text()) if path.is_file() else None


def load_records(root: Path, profile: str | None = None) -> pd.DataFrame:
    """Every record under ``root`` (of one ``profile`` if given) as a DataFrame, one row per run.

    Nested blocks are flattened with dots (``timings.train_s``, ``metrics.fid``); ``dir``
    is the run's folder. An empty frame when there are no records.
    """
    pattern = f"{profile}/*/{RECORD}" if profile else f"*/*/{RECORD}"
    rows = []
    for path in sorted(Path(root).glob(pattern)):
        record = json.loads(path.read_text())
        record["dir"] = str(path.parent)
        rows.append(record)
    if not rows:
        return pd.DataFrame()
    return pd.json_normalize(rows, max_level=1)


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


def history(directory: Path) -> pd.DataFrame:
    """The logged losses of the run in ``directory`` (``history.csv``)."""
    return pd.read_csv(Path(directory) / "history.csv")


#: Record metric → column title of the book's tables, in display order.
METRIC_COLUMNS: dict[str, str] = {
    "fd": "FD ↓",
    "kid": "KID ↓",
    "precision": "precision ↑",
    "recall": "recall ↑",
    "density": "density",
    "coverage": "coverage ↑",
    "class_kl": "class KL ↓",
    "classes_covered": "classes covered",
    "parzen_ll": "Parzen log-lik.",
    "log_likelihood": "log-likelihood",
    "log_likelihood_estimator": "estimator",
}


def table_label(record: dict[str, Any]) -> str:
    """A record's row name in the book's tables: the model, ``real data (train vs test)`` for the
    real-data baseline, suffixed `` (TF)`` for TensorFlow runs."""
    label = "real data (train vs test)" if record.get("family") == "data" else record["model"]
    return label + (" (TF)" if record.get("framework") == "tensorflow" else "")


def metrics_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per record (model, framework), one column per metric of :data:`METRIC_COLUMNS`.

    Values are the record's own numbers (nats per image for likelihoods); a metric a family
    does not define is NaN. Real-data baselines (family ``data``) appear as ``real data``.
    """
    rows = []
    for r in records:
        row: dict[str, Any] = {"model": table_label(r)}
        m = r.get("metrics", {})
        for key, title in METRIC_COLUMNS.items():
            row[title] = m.get(key, float("nan") if key != "log_likelihood_estimator" else "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


def class_counts_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Generated images per predicted class (rows: models, columns: classes), from the records'
    ``evaluation.class_counts``; the real baseline's row shows the data's own spread."""
    rows = {}
    for r in records:
        counts = r.get("evaluation", {}).get("class_counts")
        if counts:
            rows[table_label(r)] = counts
    return pd.DataFrame(rows).T
