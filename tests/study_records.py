"""Synthetic run records whose right answers are known: the builders the report's and the
claims' tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from genstudy.runs import timing
from genstudy.runs.record import new_record, write_record
from genstudy.study import claims, report

CLASSES = ["a", "b"]
#: Every synthetic run's batch size and epochs (its curves take one step an epoch: :func:`write_curve`).
BATCH, EPOCHS = 64, 2


def write_run(root: Path, run_id: str, model: str, family: str, seed: int = 0, framework: str = "pytorch",
           status: str = "ok", metrics: dict[str, Any] | None = None, sample_1k_s: float = 1.0,
           gibbs: int = 0, counts: tuple[int, int] = (50, 50), params: int = 1000) -> None:
    record = new_record(
        rid=run_id, status=status, message="" if status == "ok" else "diverged at step 7", model=model,
        family=family, framework=framework, dataset="fashion_mnist", profile="quick", seed=seed, device="cpu",
        device_name="cpu (2 threads)", params_count=params, config={"model_options": {}, "batch_size": BATCH},
        training={"epochs": EPOCHS, "steps": EPOCHS},
        timings={"train_s": 10.0, "sample_1k_s": sample_1k_s, "sample_gibbs_steps": gibbs},
        metrics=metrics)
    record["evaluation"] = {"class_counts": dict(zip(CLASSES, counts, strict=True)), "seconds": 2.0}
    write_record(root / "quick" / run_id, record)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    write_run(tmp_path, "dcgan-s0", "dcgan", "gan", 0, metrics={"fd": 10.0, "recall": 0.2, "classes_covered": 2},
           sample_1k_s=0.5, counts=(100, 0))
    write_run(tmp_path, "dcgan-s1", "dcgan", "gan", 1, metrics={"fd": 14.0, "recall": 0.4, "classes_covered": 2},
           sample_1k_s=0.5, counts=(50, 50))
    write_run(tmp_path, "dcgan-s2", "dcgan", "gan", 2, status="diverged")
    write_run(tmp_path, "vae-s0", "vae_mlp", "vae", 0, sample_1k_s=0.1,
           metrics={"fd": 20.0, "recall": 0.5, "log_likelihood": -250.0,
                    "log_likelihood_estimator": "IWAE bound, k=100"})
    write_run(tmp_path, "rbm-s0", "rbm", "rbm", 0, sample_1k_s=30.0, gibbs=1000,
           metrics={"fd": 30.0, "recall": 0.1, "log_likelihood": -270.0, "log_likelihood_estimator": "AIS"})
    write_run(tmp_path, "ae-s0", "autoencoder", "autoencoder", 0, metrics={"fd": 50.0})
    write_run(tmp_path, "ae-s0-tf", "autoencoder", "autoencoder", 0, framework="tensorflow", metrics={"fd": 54.0})
    write_run(tmp_path, "real", "real", "data", 0, metrics={"fd": 1.0})
    return tmp_path


GOOD = {"fd": 10.0, "kid": 1.0, "precision": 0.80, "recall": 0.60, "coverage": 0.70, "classes_covered": 10,
        "nn_ratio": 1.0, "copies": 0.01}


POOR = {"fd": 30.0, "kid": 3.0, "precision": 0.50, "recall": 0.40, "coverage": 0.40, "classes_covered": 10,
        "nn_ratio": 1.1, "copies": 0.0}


def three_seeds(root: Path, rbm_recall: float = 0.40) -> pd.DataFrame:
    """GAN family (DCGAN), VAE and RBM with 3 seeds each, plus the article's GAN: the GAN is better
    on every yardstick against the VAE; against the RBM too, unless ``rbm_recall`` is high."""
    for seed, jitter in enumerate((0.0, 0.5, 1.0)):
        write_run(root, f"dcgan-s{seed}", "dcgan", "gan", seed, sample_1k_s=0.5 + jitter / 10,
               metrics={**GOOD, "fd": GOOD["fd"] + jitter})
        write_run(root, f"vae-s{seed}", "vae_mlp", "vae", seed, sample_1k_s=0.1,
               metrics={**POOR, "fd": POOR["fd"] + jitter, "log_likelihood": -250.0 - jitter,
                        "log_likelihood_train": -249.0 - jitter, "log_likelihood_estimator": "IWAE bound"})
        write_run(root, f"rbm-s{seed}", "rbm", "rbm", seed, sample_1k_s=30.0 + jitter, gibbs=1000,
               metrics={**POOR, "recall": rbm_recall, "fd": POOR["fd"] + 2 * jitter})
        write_run(root, f"article-s{seed}", "article_gan", "gan", seed, metrics={**POOR, "fd": 900.0 + jitter,
                                                                            "classes_covered": 1})
    return report.runs_frame(root, "quick")


def verdicts(frame: pd.DataFrame, toy: pd.DataFrame | None = None) -> dict[str, str]:
    toy = toy if toy is not None else claims.toy_frame(Path("/nonexistent"), "quick")
    return {c.key: c.check(frame, toy).verdict for c in claims.CLAIMS + claims.FAQ}


def d_curves(frame: pd.DataFrame, accuracy: np.ndarray) -> None:
    """Every DCGAN run's history logs D's outputs whose accuracy follows ``accuracy``."""
    for r in frame[frame["model"] == "dcgan"].itertuples():
        pd.DataFrame({"step": np.arange(len(accuracy)), "d_real": accuracy, "d_fake": 1 - accuracy}).to_csv(
            Path(r.dir) / "history.csv", index=False)


def write_curve(directory: str, seconds: list[float], fds: list[float]) -> None:
    """A run's history of quality probes at steps 0, 1, ... (one step an epoch) after ``seconds``."""
    pd.DataFrame({"step": range(len(seconds)), "epoch": [float(i) for i in range(len(seconds))],
                  "images_seen": [64.0 * i for i in range(len(seconds))], "train_s": seconds,
                  "fd_probe": fds}).to_csv(Path(directory) / "history.csv", index=False)


def three_seeds_with_curves(root: Path) -> pd.DataFrame:
    """:func:`three_seeds` with quality curves: the GAN best at its end but trained 5 times longer
    than the VAE (10 s against 2 s), the RBM for 4 s."""
    frame = three_seeds(root)
    for r in frame[frame["family"] != "data"].itertuples():
        if r.model == "dcgan":
            write_curve(r.dir, [0.0, 2.0, 10.0], [500.0, 300.0 + r.seed, 10.0])
        elif r.model == "vae_mlp":
            write_curve(r.dir, [0.0, 1.0, 2.0], [500.0, 100.0, 30.0 + r.seed])
        else:
            write_curve(r.dir, [0.0, 4.0], [500.0, 40.0 + r.seed])
    return frame


def write_timings(root: Path, seconds: dict[str, float], options: dict[str, Any] | None = None,
                  step_s: dict[str, float] | None = None) -> None:
    """A timing table of the chapter The cost of sampling and training for the profile quick: each
    model of ``seconds`` (of :func:`three_seeds`) timed at that many seconds for seeds 0-2, with the
    records' architecture (no options; the RBM's 1,000 Gibbs sweeps) unless ``options`` say otherwise;
    a training step of the models of ``step_s`` at that many seconds, in one phase of the records'
    :data:`EPOCHS` at their :data:`BATCH` (no step timed for the others: a table made before steps were)."""
    families = {"dcgan": "gan", "vae_mlp": "vae", "rbm": "rbm"}
    steps = step_s or {}
    rows = [{"model": m, "family": families[m], "seed": seed, "sample_1k_s": s + seed / 100, "low_s": s,
             "high_s": s, "repeats": 1, "gibbs_steps": 1000 if m == "rbm" else 0, "params": 1000,
             "model_options": (options or {}).get(m, {}),
             **({"batch_size": BATCH, "phase_epochs": [EPOCHS], "step_s": [steps[m]], "step_low_s": [steps[m]],
                 "step_high_s": [steps[m]], "step_repeats": 1} if m in steps else {})}
            for seed in range(3) for m, s in seconds.items()]
    timing.write_timing(pd.DataFrame(rows, columns=list(timing.COLUMNS)), root, "quick", "fashion_mnist", "cpu")


def write_remedies(root: Path, rows: list[dict[str, Any]], settings: dict[str, Any]) -> None:

    from genstudy.study.remedies import RESULT

    (root / RESULT).parent.mkdir(parents=True)
    (root / RESULT).write_text(json.dumps({"settings": settings, "rows": rows, "created": "2026-11-26T05:00:00",
                                           "host": {"cpu": "a CPU", "cores": 2, "gpu": None}}))
