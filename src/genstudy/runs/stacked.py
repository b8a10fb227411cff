"""DCGAN on Stacked MNIST: the mode-collapse row of the chapter *Against the literature*.

For each seed of the plan (:attr:`genstudy.literature_plan.LiteraturePlan.stacked`): Stacked MNIST training
images drawn with that seed, a three-channel DCGAN trained on them (the study's GAN task and
training loop, the KL over modes of a few samples probed while it trains), then its modes counted
in the plan's number of samples with the committed MNIST classifier (:mod:`genstudy.metrics.modes`).
Each run leaves an ordinary run record (dataset ``stacked_mnist``, metrics ``stacked_modes`` and
``stacked_kl``), ``history.csv`` and ``samples.npy`` (64 samples, uint8 (64, 3, 32, 32)) under
``results/literature/<plan profile>/<book profile>-stacked-mnist-seed<seed>/``. The same count on
Stacked MNIST test images is the baseline (:func:`real_stacked`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genstudy.config import resolve_device
from genstudy.data import ImageDataset, load_images, pad, to_symmetric
from genstudy.data.stacked import MODES, stack_digits
from genstudy.io import write_atomic
from genstudy.literature_plan import StackedRun, literature_plan
from genstudy.metrics import classifier as clf
from genstudy.metrics.modes import ModeCount, count_modes, read_digits
from genstudy.models.gan import dcgan
from genstudy.paths import literature_dir
from genstudy.runs.artifacts import write_artifacts
from genstudy.runs.evaluate import draw
from genstudy.runs.record import device_description, new_record, read_record, run_dir, write_record
from genstudy.training import fit, make_deterministic, make_task, seed_everything

DATASET = "stacked_mnist"
#: Seed of the Stacked MNIST test images of the baseline (independent of the runs' seeds).
BASELINE_SEED = 10_005


def stacked_images(images: np.ndarray, labels: np.ndarray, n: int, seed: int, device: torch.device
                   ) -> torch.Tensor:
    """``n`` Stacked MNIST images from MNIST ``images`` / ``labels``, as DCGAN takes them: float
    (n, 3, 32, 32) in [-1, 1], zero-padded (the background, -1) on ``device``."""
    stacked, _ = stack_digits(images, labels, n, seed)
    return to_symmetric(pad(torch.from_numpy(stacked).to(device).float().div_(255.0), 32))


def modes_of(classifier: clf.FeatureClassifier, images: torch.Tensor) -> ModeCount:
    """The modes of ``images`` (N, 3, H, W) in [0, 1], read channel by channel by ``classifier``."""
    return count_modes(read_digits(classifier, images))


def train_stacked(book_profile: str, *, results: Path | None = None, device: str = "auto",
                  data_dir: str | None = None, reuse: bool | None = None,
                  log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Train and count every seed of the plan's Stacked MNIST run for a book of ``book_profile``;
    return the run records (each with ``row`` = ``"stacked"`` and its folder ``dir``), seeds ascending.
    ``reuse`` (default: for the full version only) keeps a finished run of the same configuration."""
    plan = literature_plan(book_profile)
    spec = plan.stacked
    reuse = plan.reuses_runs if reuse is None else reuse
    dev = resolve_device(device)
    mnist = load_images("mnist", data_dir)
    classifier = clf.load_classifier("mnist")
    records = []
    for seed in plan.seeds:
        directory = run_dir(literature_dir(results), plan.profile,
                            f"{book_profile}-stacked-mnist-seed{seed}")
        config = {"model": "dcgan", "dataset": DATASET, "profile": plan.profile, "seed": seed,
                  "train_size": spec.images, "epochs": spec.epochs, "batch_size": spec.batch_size,
                  "model_options": {"width": spec.width, "channels": 3}, "train_options": {},
                  "samples": spec.samples, "probe": {"points": spec.probes, "samples": spec.probe_samples}}
        record = read_record(directory)
        if reuse and record and record.get("config") == config and record.get("status") == "ok":
            log(f"[genstudy] {directory.name}: up to date, not retrained")
        else:
            record = _train(spec, config, directory, mnist, classifier, dev, seed, log)
        records.append({**record, "row": "stacked", "dir": str(directory)})
    return records


def _train(spec: StackedRun, config: dict[str, Any], directory: Path, mnist: ImageDataset,
           classifier: clf.FeatureClassifier, dev: torch.device, seed: int,
           log: Callable[[str], None]) -> dict[str, Any]:
    """Train seed ``seed`` of ``spec`` into ``directory`` (resuming its checkpoint of the same ``config``),
    count its modes, write its record and artefacts; return the record."""
    seed_everything(seed)
    make_deterministic(dev)
    x = stacked_images(mnist.train.images, mnist.train.labels, spec.images, seed, dev)
    model = dcgan(width=spec.width, channels=3).to(dev)
    task = make_task(model)
    probe_generator = torch.Generator(device=dev).manual_seed(seed + 2)

    def probe() -> dict[str, float]:
        return {"kl_probe": modes_of(classifier, model.sample(spec.probe_samples, probe_generator)).kl}

    directory.mkdir(parents=True, exist_ok=True)
    log(f"[genstudy] {directory.name}: training {model.n_parameters():,} parameters on {spec.images:,} Stacked "
        f"MNIST images, {spec.epochs} epochs of batch {spec.batch_size} on {device_description(dev)}")
    result = fit(task, x, epochs=spec.epochs, batch_size=spec.batch_size, seed=seed,
                 checkpoint=directory / "checkpoint.pt", config=config, probe=probe, probes=spec.probes)
    metrics: dict[str, Any] = {}
    if result.status == "ok":
        model.eval()
        samples = draw(model.sample, spec.samples, torch.Generator(device=dev).manual_seed(seed + 1))
        modes = modes_of(classifier, samples)
        metrics = {"stacked_modes": modes.captured, "stacked_kl": round(modes.kl, 6)}
        grid = (samples[:64] * 255).round().to(torch.uint8).numpy()
        write_atomic(directory / "samples.npy", lambda f: np.save(f, grid))
    artifacts = write_artifacts(directory, result.history, None)
    record = new_record(
        rid=directory.name, status=result.status, message=result.message, model="dcgan", family="gan",
        framework="pytorch", dataset=DATASET, profile=config["profile"], seed=seed, device=dev.type,
        device_name=device_description(dev), params_count=model.n_parameters(), config=config,
        training={"steps": result.steps, "epochs": result.epochs, "resumed_from_step": result.resumed_from_step},
        timings={"train_s": round(result.train_s, 3), "probe_s": round(result.probe_s, 3)}, metrics=metrics,
        artifacts={**artifacts, **({"samples_npy": "samples.npy"} if metrics else {})})
    write_record(directory, record)
    (directory / "checkpoint.pt").unlink(missing_ok=True)
    if metrics:
        n = metrics["stacked_modes"]
        log(f"[genstudy] {directory.name}: {result.status} in {result.train_s:.1f} s; {n} mode{'s' * (n != 1)} "
            f"of {MODES:,} in {spec.samples:,} samples, KL {metrics['stacked_kl']:.2f}")
    else:
        log(f"[genstudy] {directory.name}: {result.status}: {result.message}")
    return record


def real_stacked(book_profile: str, data_dir: str | None = None) -> ModeCount:
    """The modes of the plan's number of Stacked MNIST *test* images, counted the same way: what a
    perfect generator would score (the classifier's errors included)."""
    spec = literature_plan(book_profile).stacked
    mnist = load_images("mnist", data_dir)
    x = stacked_images(mnist.test.images, mnist.test.labels, spec.samples, BASELINE_SEED, torch.device("cpu"))
    return modes_of(clf.load_classifier("mnist"), (x + 1.0) / 2.0)
