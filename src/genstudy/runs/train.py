"""One PyTorch training run end to end: parameters → data → model → training → artefacts → record.

Used by ``genstudy train`` and by the model chapters, so both produce the same record.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genstudy.config import Profile, RunParams, get_profile
from genstudy.data import IMAGE_DATASETS
from genstudy.errors import ParameterError
from genstudy.io import load_torch, remove_stale_temporaries, save_torch
from genstudy.models import GenerativeModel, build
from genstudy.models.registry import spec
from genstudy.runs.artifacts import weights_artifacts, write_artifacts
from genstudy.runs.evaluate import reference
from genstudy.runs.probe import LikelihoodProbe, QualityProbe
from genstudy.runs.record import code_digest, device_description, new_record, read_record, run_dir, run_id, write_record
from genstudy.runs.training_set import training_images
from genstudy.training import FitResult, fit, make_deterministic, make_task, seed_everything


@dataclass
class TrainedRun:
    """A finished (or interrupted) training run, PyTorch or TensorFlow: its ``record``, its
    ``directory``, the trained ``model`` (a :class:`GenerativeModel`; for TensorFlow, a dict
    of Keras models by name; None for a finished run reused without its weights, see
    :func:`train_run`'s ``need_model``) and what the training loop returned (None when the run
    was loaded, not trained)."""

    record: dict[str, Any]
    directory: Path
    model: Any
    result: FitResult | Any | None


def shown(path: Path) -> str:
    """``path`` relative to the working directory, for logs that end up in the book."""
    return os.path.relpath(path)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


#: The quality probe's generator is seeded with the run's seed plus this (the samples' grid: plus 1).
PROBE_SEED_OFFSET = 2
#: What the probes of a run can measure (:func:`train_run`'s ``probe_quantity``).
PROBE_QUANTITIES = ("fd", "likelihood")
#: Held-out images of a likelihood probe: the first 1,000 of the profile's likelihood test images.
LIKELIHOOD_PROBE_SIZE = 1_000



def probe_ais(profile: Profile) -> dict[str, int]:
    """The AIS of a likelihood probe on ``profile``: ``{"steps": β, "chains": chains}``, the probe's own
    (:class:`~genstudy.runs.probe.LikelihoodProbe`) or the profile's evaluation's, whichever is smaller."""
    return {"steps": min(profile.ais_steps, LikelihoodProbe.ais_steps),
            "chains": min(profile.ais_chains, LikelihoodProbe.ais_chains)}


def run_config(params: RunParams, probes: int | None = None, probe_quantity: str = "fd") -> dict[str, Any]:
    """What a run of ``params`` records as its ``config`` and compares before reusing a finished run: every
    setting of its profile its training depends on (budget, architecture and training options, Gibbs
    sweeps, the probes: ``probes`` points, default the profile's, of ``probe_quantity``)."""
    profile = get_profile(params.profile)
    budget = params.budget
    probes = profile.probes if probes is None else probes
    config: dict[str, Any] = {
        "model": params.model, "dataset": params.dataset, "profile": params.profile, "seed": params.seed,
        "train_size": budget.train_size, "epochs": budget.epochs, "batch_size": budget.batch_size,
        "model_options": {**budget.options, **params.model_options},
        "train_options": {**budget.train_options, **params.train_options}, "gibbs_steps": profile.gibbs_steps,
        "probe": {"points": probes, "samples": profile.probe_samples, "gibbs_steps": profile.probe_gibbs_steps},
    }
    if params.train_first is not None:  # only then: the configs of runs on the whole split stay as they were
        config["train_first"] = params.train_first
    if probe_quantity != "fd":  # likewise
        config["probe"] = {"points": probes, "quantity": probe_quantity, "size": LIKELIHOOD_PROBE_SIZE}
        if spec(params.model).family in ("rbm", "dbn"):  # the AIS the probe uses (its bias shrinks with it)
            config["probe"]["ais"] = probe_ais(profile)
    return config


#: Timed draws of the sampling time (after one untimed warm-up draw)...
SAMPLING_REPEATS = 5
#: ... unless the timed draws have taken ``SAMPLING_SECONDS`` together: repeats tame the noise of
#: a draw of milliseconds; one of seconds is long enough to time once (the RBM's 1,000 samples
#: of 1,000 Gibbs sweeps take ~15 s on 2 cores: 5 draws were 75 s of a quick book).
SAMPLING_SECONDS = 10.0


@dataclass(frozen=True)
class SamplingTime:
    """Wall seconds to draw ``n`` samples on one device: the median of ``repeats`` timed draws
    (device synchronised) after one warm-up draw, with the fastest and slowest."""

    median: float
    low: float
    high: float
    repeats: int


def time_sampling(model: GenerativeModel, n: int, generator: torch.Generator, repeats: int = SAMPLING_REPEATS,
                  seconds: float = SAMPLING_SECONDS) -> tuple[SamplingTime, torch.Tensor]:
    """Time ``repeats`` draws of ``n`` samples after a warm-up draw (the first call pays for
    allocations and kernel selection), or fewer (at least one) once the timed draws have taken
    ``seconds`` together; returns the times and the first timed draw's samples."""
    model.sample(min(n, 100), generator)
    times: list[float] = []
    first = None
    while not times or (len(times) < repeats and sum(times) < seconds):
        _sync(model.device)
        start = time.perf_counter()
        x = model.sample(n, generator)
        _sync(model.device)
        times.append(time.perf_counter() - start)
        first = x if first is None else first
    assert first is not None
    return SamplingTime(float(np.median(times)), min(times), max(times), len(times)), first


def train_run(
    params: RunParams,
    out: Path | str = "results",
    *,
    force: bool = False,
    progress: bool | None = None,
    checkpoint_every: int = 500,
    stop_after: int | None = None,
    log: Callable[[str], None] = print,
    name: str | None = None,
    probes: int | None = None,
    sampling_repeats: int | None = None,
    need_model: bool = True,
    same_code: bool = False,
    probe_quantity: str = "fd",
) -> TrainedRun:
    """Train ``params`` and write ``<out>/<profile>/<run_id>/`` (record last, atomically).

    A finished run with the same config is loaded instead of retrained unless ``force``.
    A checkpoint of the same config is resumed. ``stop_after`` stops after that many
    steps as if killed (tests), leaving the checkpoint and no record. ``name`` replaces the
    folder name ``<model>-<dataset>-seed<seed>`` (runs of one model that differ in their
    options, e.g. a hyperparameter search's); ``probes`` replaces the profile's number of
    quality probes (0: none); ``sampling_repeats`` the most timed draws of 1,000 samples
    (:func:`time_sampling`; default: the profile's; 0: none, the run's 100 shown samples drawn
    untimed, for runs whose speed no page compares). A finished run whose weights file is missing (a published run's
    weights too large to commit) is retrained, unless the caller needs only its record
    (``need_model`` false): the record is then returned with ``model`` None. With ``same_code``,
    a finished run is reused only if this very code made it too (its record's ``code`` equals
    :func:`~genstudy.runs.record.code_digest`), on whatever device: so a chapter shows the run a
    GPU machine made with its code, and retrains one an older library made. ``probe_quantity``:
    what the probes measure, ``"fd"`` (:class:`~genstudy.runs.probe.QualityProbe`, column
    ``fd_probe``) or ``"likelihood"`` (the quantity the literature reports for the family,
    :class:`~genstudy.runs.probe.LikelihoodProbe`, column ``ll_probe``).
    """
    if probe_quantity not in PROBE_QUANTITIES:
        raise ParameterError("probe_quantity", probe_quantity, PROBE_QUANTITIES)
    if params.dataset not in IMAGE_DATASETS:
        raise ParameterError("dataset", params.dataset, f"an image dataset for training: {', '.join(IMAGE_DATASETS)}")
    profile = get_profile(params.profile)
    budget = params.budget
    device = params.torch_device()
    rid = name or run_id(params.model, params.dataset, params.seed)
    directory = run_dir(Path(out), params.profile, rid)
    config = run_config(params, probes, probe_quantity)
    probes, options, train_options = config["probe"]["points"], config["model_options"], config["train_options"]

    previous = read_record(directory)
    current = (bool(previous) and previous.get("config") == config and previous.get("status") == "ok" and not force
               and (not same_code or previous.get("code") == code_digest(params.model)))
    has_weights = (directory / "model.pt").is_file()
    if current and not has_weights and not need_model:  # the record alone: no images, no model needed
        log(f"[genstudy] {rid}: up to date ({shown(directory / 'record.json')}; its weights are not "
            "committed), not retrained")
        return TrainedRun(previous, directory, None, None)

    seed_everything(params.seed)
    make_deterministic(device)
    images = training_images(params.dataset, params.data_dir, budget.train_size, params.seed, params.train_first)
    model = build(params.model, side=images.shape[1], generator=torch.Generator().manual_seed(params.seed),
                  gibbs_steps=profile.gibbs_steps, **options).to(device)
    if current and has_weights:
        model.load_state_dict(load_torch(directory / "model.pt", map_location=device))
        log(f"[genstudy] {rid}: up to date ({shown(directory / 'record.json')}), not retrained")
        return TrainedRun(previous, directory, model, None)

    task = make_task(model, **train_options)
    x = task.prepare(images, device)
    checkpoint = directory / "checkpoint.pt"
    remove_stale_temporaries(directory)
    if force:
        checkpoint.unlink(missing_ok=True)
    log(f"[genstudy] {rid}: training {model.n_parameters():,} parameters on {len(images):,} images, "
        f"{budget.epochs} epochs of batch {budget.batch_size} on {device_description(device)}")
    ref = reference(params.dataset, params.profile, params.data_dir)
    probe: QualityProbe | LikelihoodProbe | None = None
    if probes and probe_quantity == "likelihood":
        top = model.n_layers - 1 if hasattr(model, "n_layers") else 0
        ais = probe_ais(profile)
        probe = LikelihoodProbe(model, ref, LIKELIHOOD_PROBE_SIZE, seed=params.seed + PROBE_SEED_OFFSET,
                                ais_steps=ais["steps"], ais_chains=ais["chains"],
                                iwae_k=min(profile.iwae_k, LikelihoodProbe.iwae_k),
                                parzen_samples=min(profile.eval_samples, LikelihoodProbe.parzen_samples),
                                top_started=lambda: top in getattr(task, "started", {top}))
    elif probes:
        probe = QualityProbe(model, ref, x, profile.probe_samples, profile.probe_gibbs_steps,
                             seed=params.seed + PROBE_SEED_OFFSET)
    result = fit(task, x, epochs=budget.epochs, batch_size=budget.batch_size, seed=params.seed,
                 checkpoint=checkpoint, config=config, checkpoint_every=checkpoint_every,
                 progress=progress, stop_after=stop_after, probe=probe, probes=probes)
    if result.resumed_from_step:
        log(f"[genstudy] {rid}: resumed from the checkpoint at step {result.resumed_from_step}")
    if result.status == "interrupted":
        return TrainedRun({}, directory, model, result)

    sample_s: SamplingTime | None = None
    grid = None
    if result.status == "ok":
        model.eval()
        model.after_training(x, params.seed)
        generator = torch.Generator(device=device).manual_seed(params.seed + 1)
        repeats = profile.sampling_repeats if sampling_repeats is None else sampling_repeats
        if repeats:
            sample_s, samples = time_sampling(model, 1000, generator, repeats)
        else:
            samples = model.sample(100, generator)
        grid = samples[:100].reshape(100, *samples.shape[-2:]).float().cpu().numpy()
        save_torch(directory / "model.pt", model.state_dict())
    artifacts = write_artifacts(directory, result.history, grid)
    if grid is not None:
        artifacts.update(weights_artifacts(directory, "model.pt", profile.published))

    record = new_record(
        rid=rid, status=result.status, message=result.message, model=params.model, family=model.family,
        framework="pytorch", dataset=params.dataset, profile=params.profile, seed=params.seed, device=device.type,
        device_name=device_description(device), params_count=model.n_parameters(), config=config,
        training={"steps": result.steps, "epochs": result.epochs, "resumed_from_step": result.resumed_from_step,
                  "final": result.history[-1] if result.history else {}},
        timings={"train_s": round(result.train_s, 3), "probe_s": round(result.probe_s, 3),
                 "sample_1k_s": None if sample_s is None else round(sample_s.median, 4),
                 "sample_1k_s_range": None if sample_s is None else [round(sample_s.low, 4), round(sample_s.high, 4)],
                 "sample_repeats": None if sample_s is None else sample_s.repeats,
                 "sample_gibbs_steps": model.gibbs_steps},
        artifacts=artifacts)
    write_record(directory, record)
    checkpoint.unlink(missing_ok=True)
    if result.status == "ok":
        timed = "" if sample_s is None else \
            f"; 1,000 samples in {sample_s.median:.2f} s (median of {sample_s.repeats})"
        log(f"[genstudy] {rid}: ok in {result.train_s:.1f} s{timed} → {shown(directory / 'record.json')}")
    else:
        log(f"[genstudy] {rid}: {result.status}: {result.message} → {shown(directory / 'record.json')}")
    return TrainedRun(record, directory, model, result)
