"""One training run end to end: parameters → data → model → training → artefacts → record.

Used by ``genstudy train`` and by the model notebooks, so both produce the same record.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from genstudy.config import RunParams, get_profile
from genstudy.data import IMAGE_DATASETS, balanced_subset, load_images
from genstudy.errors import ParameterError
from genstudy.io import remove_stale_temporaries, save_torch, write_atomic
from genstudy.models import GenerativeModel, build
from genstudy.results import (
    device_description,
    git_commit,
    now,
    read_record,
    run_dir,
    run_id,
    versions,
    write_record,
)
from genstudy.training import FitResult, fit, make_deterministic, make_task, seed_everything

GIBBS_FAMILIES = ("rbm", "dbn")


@dataclass
class Run:
    """A finished (or interrupted) run: its record, folder, model and training result."""

    record: dict[str, Any]
    directory: Path
    model: GenerativeModel
    result: FitResult | None


def shown(path: Path) -> str:
    """``path`` relative to the working directory, for logs that end up in the book."""
    return os.path.relpath(path)


def sample(model: GenerativeModel, n: int, generator: torch.Generator, gibbs_steps: int) -> torch.Tensor:
    """``n`` samples in [0, 1]; RBM and DBN chains run ``gibbs_steps`` sweeps."""
    if model.family in GIBBS_FAMILIES:
        return model.sample(n, generator, steps=gibbs_steps)
    return model.sample(n, generator)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_sampling(
    model: GenerativeModel, n: int, generator: torch.Generator, gibbs_steps: int
) -> tuple[float, torch.Tensor]:
    """Wall seconds to draw ``n`` samples (device synchronised), and the samples."""
    _sync(model.device)
    start = time.perf_counter()
    x = sample(model, n, generator, gibbs_steps)
    _sync(model.device)
    return time.perf_counter() - start, x


def save_samples_png(path: Path, images: np.ndarray, nrow: int = 8) -> None:
    """Save (N, H, W) images in [0, 1] as one grid PNG (black ink on white), atomically."""
    import matplotlib.pyplot as plt

    from genstudy.plots import image_grid

    grid = image_grid(images[: nrow * nrow], nrow)
    write_atomic(path, lambda f: plt.imsave(f, grid, cmap="gray_r", vmin=0.0, vmax=1.0, format="png"))


def training_images(dataset: str, data_dir: str | None, train_size: int | None, seed: int) -> np.ndarray:
    """The training images of a run, uint8 (N, H, W): a class-balanced subset of ``train_size``
    drawn with ``seed`` (the whole training split when ``train_size`` is None or too large).
    PyTorch and TensorFlow runs of the same model and seed see exactly the same images."""
    ds = load_images(dataset, data_dir)
    images = ds.train.images
    if train_size is not None and train_size < len(images):
        images = images[balanced_subset(ds.train.labels, train_size, seed=seed)]
    return images


def write_artifacts(directory: Path, history: list[dict[str, float]], grid: np.ndarray | None) -> dict[str, str]:
    """Write ``history.csv`` and, when ``grid`` (N, H, W) in [0, 1] is given, ``samples.png`` and
    ``samples.npy`` (uint8) into ``directory``, atomically; return the record's artifact names."""
    history_csv = pd.DataFrame(history).to_csv(index=False).encode()
    write_atomic(directory / "history.csv", lambda f: f.write(history_csv))
    artifacts = {"history": "history.csv"}
    if grid is not None:
        save_samples_png(directory / "samples.png", grid)
        write_atomic(directory / "samples.npy", lambda f: np.save(f, (grid * 255).round().astype(np.uint8)))
        artifacts.update(samples_png="samples.png", samples_npy="samples.npy")
    return artifacts


def train_run(
    params: RunParams,
    out: Path | str = "results",
    *,
    force: bool = False,
    progress: bool | None = None,
    checkpoint_every: int = 500,
    stop_after: int | None = None,
    log: Callable[[str], None] = print,
) -> Run:
    """Train ``params`` and write ``<out>/<profile>/<run_id>/`` (record last, atomically).

    A finished run with the same config is loaded instead of retrained unless ``force``.
    A checkpoint of the same config is resumed. ``stop_after`` stops after that many
    steps as if killed (tests), leaving the checkpoint and no record.
    """
    if params.dataset not in IMAGE_DATASETS:
        raise ParameterError("dataset", params.dataset, f"an image dataset for training: {', '.join(IMAGE_DATASETS)}")
    profile = get_profile(params.profile)
    budget = params.budget
    device = params.torch_device()
    rid = run_id(params.model, params.dataset, params.seed)
    directory = run_dir(Path(out), params.profile, rid)
    options = {**budget.options, **params.model_options}
    config = {
        "model": params.model, "dataset": params.dataset, "profile": params.profile, "seed": params.seed,
        "train_size": budget.train_size, "epochs": budget.epochs, "batch_size": budget.batch_size,
        "model_options": options, "train_options": dict(params.train_options), "gibbs_steps": profile.gibbs_steps,
    }

    seed_everything(params.seed)
    make_deterministic(device)
    images = training_images(params.dataset, params.data_dir, budget.train_size, params.seed)
    model = build(params.model, side=images.shape[1], generator=torch.Generator().manual_seed(params.seed),
                  **options).to(device)

    previous = read_record(directory)
    if previous and previous.get("config") == config and previous.get("status") == "ok" and not force:
        model.load_state_dict(torch.load(directory / "model.pt", map_location=device, weights_only=True))
        log(f"[genstudy] {rid}: up to date ({shown(directory / 'record.json')}), not retrained")
        return Run(previous, directory, model, None)

    task = make_task(model, **params.train_options)
    x = task.prepare(images, device)
    checkpoint = directory / "checkpoint.pt"
    remove_stale_temporaries(directory)
    if force:
        checkpoint.unlink(missing_ok=True)
    log(f"[genstudy] {rid}: training {model.n_parameters():,} parameters on {len(images):,} images, "
        f"{budget.epochs} epochs of batch {budget.batch_size} on {device_description(device)}")
    result = fit(task, x, epochs=budget.epochs, batch_size=budget.batch_size, seed=params.seed,
                 checkpoint=checkpoint, config=config, checkpoint_every=checkpoint_every,
                 progress=progress, stop_after=stop_after)
    if result.resumed_from_step:
        log(f"[genstudy] {rid}: resumed from the checkpoint at step {result.resumed_from_step}")
    if result.status == "interrupted":
        return Run({}, directory, model, result)

    sample_s: float | None = None
    grid = None
    if result.status == "ok":
        model.eval()
        generator = torch.Generator(device=device).manual_seed(params.seed + 1)
        sample_s, samples = time_sampling(model, 1000, generator, profile.gibbs_steps)
        grid = samples[:100].reshape(100, *samples.shape[-2:]).float().cpu().numpy()
        save_torch(directory / "model.pt", model.state_dict())
    artifacts = write_artifacts(directory, result.history, grid)
    if grid is not None:
        artifacts["weights"] = "model.pt"

    record = {
        "run_id": rid,
        "status": result.status,
        "message": result.message,
        "model": params.model,
        "family": model.family,
        "framework": "pytorch",
        "dataset": params.dataset,
        "profile": params.profile,
        "seed": params.seed,
        "device": device.type,
        "device_name": device_description(device),
        "params_count": model.n_parameters(),
        "config": config,
        "training": {"steps": result.steps, "epochs": result.epochs, "resumed_from_step": result.resumed_from_step,
                     "final": result.history[-1] if result.history else {}},
        "timings": {"train_s": round(result.train_s, 3),
                    "sample_1k_s": None if sample_s is None else round(sample_s, 4),
                    "sample_gibbs_steps": profile.gibbs_steps if model.family in GIBBS_FAMILIES else 0},
        "metrics": {},
        "artifacts": artifacts,
        "versions": versions(),
        "git_commit": git_commit(),
        "created": now(),
    }
    write_record(directory, record)
    checkpoint.unlink(missing_ok=True)
    if result.status == "ok":
        log(f"[genstudy] {rid}: ok in {result.train_s:.1f} s; 1,000 samples in {sample_s:.2f} s "
            f"→ {shown(directory / 'record.json')}")
    else:
        log(f"[genstudy] {rid}: {result.status}: {result.message} → {shown(directory / 'record.json')}")
    return Run(record, directory, model, result)
