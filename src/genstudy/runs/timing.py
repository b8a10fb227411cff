"""The cost of sampling and of a training step, measured for every compared model on one machine,
in one process.

A run's record keeps the seconds its model took to draw 1,000 samples right after training
(:func:`genstudy.runs.train.time_sampling`); but a published grid may be trained on several
machines (the GAN chapter on one, the VAE chapter on another), and seconds measured on two
machines do not compare (:mod:`genstudy.machine`). So the chapter *The cost of sampling and training* builds
the architecture of each compared run again from the profile, exactly as the run was built
(:func:`architecture`; the same options and Gibbs sweeps, checked against each record's
``config`` when the frame is read: :func:`genstudy.study.report.runs_frame`), and times its
1,000 samples for each of the profile's seeds, every model in turn within a seed, all in one
process on one device and machine.

The same holds of training: a record's ``train_s`` is seconds on the machine that trained it, so
the seconds of two runs trained on two machines do not compare either. Beside each draw this
module times the architecture's *optimizer step* (:func:`time_training_steps`: the profile's batch
size and training task, warmed up, a median over repeats), once per phase of its training whose
steps cost differently (a DBN's layers). A run's training seconds *on this one machine* are then
its steps times those seconds (:func:`training_seconds`): the clock the comparison's matched
budget and time to a common quality read (:mod:`genstudy.study.claims.evidence`).

The weights are left as initialised and the images are random grey levels: the cost of a draw or
a step does not depend on their values (a forward and backward pass of the same shapes, or Gibbs
sweeps of the same sizes whose Bernoulli draws cost the same whatever their probabilities), so
every run's architecture can be timed again anywhere, its weights committed or not.

The table is written to ``results/<profile>/timing/<dataset>.json`` (not a ``record.json``, so
the run records' readers never take it for a run)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from genstudy.config import Tempering, get_profile, resolve_device
from genstudy.data import IMAGE_SIDES
from genstudy.errors import ParameterError
from genstudy.io import write_json
from genstudy.machine import describe_cpu
from genstudy.models import GenerativeModel, build
from genstudy.models.rbm import TemperedChains
from genstudy.models.registry import ARTICLE_MODELS, MODELS, canonical_name, spec
from genstudy.paths import chapter_roles, find_root
from genstudy.runs.evaluate import TEMPERED_FAMILIES
from genstudy.runs.record import code_digest, device_description, git_commit, now
from genstudy.runs.train import SAMPLING_REPEATS, SAMPLING_SECONDS, SamplingTime, time_sampling
from genstudy.sampling import bernoulli
from genstudy.training import make_task, seed_everything
from genstudy.training.tasks import DBNTask, Task

#: The folder under ``results/<profile>/`` that holds one timing table per dataset.
TIMING_DIR = "timing"
#: The families whose sampling cost the article compares (the GAN against the classic three).
COMPARED_FAMILIES = ("gan", "vae", "rbm", "dbn")
#: Samples per timed draw.
SAMPLES = 1_000
#: Optimizer steps per timed repeat of a training step, after :data:`WARMUP_STEPS` untimed ones per phase.
STEPS_PER_REPEAT = 10
WARMUP_STEPS = 3
#: Images a training step's timing cycles through, in batches (random grey levels; see the module's note).
TIMING_BATCHES = 4
#: Columns of :func:`time_architectures`' table: the sampling columns, then the training step's.
COLUMNS = ("model", "family", "seed", "sample_1k_s", "low_s", "high_s", "repeats", "gibbs_steps", "tempering",
           "params", "model_options", "train_options", "batch_size", "phase_epochs", "step_s", "step_low_s",
           "step_high_s", "step_repeats")
#: Sweeps of parallel tempering (every chain and replica) per timed repeat, after :data:`WARMUP_SWEEPS` untimed.
TEMPERED_SWEEPS, WARMUP_SWEEPS = 20, 3


def compared_models(root: Path | str | None = None, dataset: str | None = None) -> tuple[str, ...]:
    """The models whose runs stand for a compared family: every model a training chapter of the
    project at ``root`` (default: the one around the working directory) trains in PyTorch whose
    family is in :data:`COMPARED_FAMILIES`, the article's own GANs left out (they test its code,
    not a family), and, given ``dataset``, that can train on its images (the book leaves a chapter
    out on a dataset its models refuse: DCGAN's 28×28 on 8×8 digits); in chapter order."""
    found: list[str] = []
    for _, role in chapter_roles(find_root(root)):
        if role.get("kind") != "training" or role.get("framework", "pytorch") != "pytorch":
            continue
        found += [m for m in map(canonical_name, role.get("models", ()))
                  if MODELS[m] in COMPARED_FAMILIES and m not in ARTICLE_MODELS
                  and (dataset is None or spec(m).side in (None, IMAGE_SIDES[dataset]))]
    return tuple(dict.fromkeys(found))


def architecture(model: str, dataset: str, profile: str, seed: int) -> tuple[GenerativeModel, dict[str, Any], int]:
    """``model`` as a training run of ``profile`` on ``dataset`` with ``seed`` builds it
    (:func:`genstudy.runs.train.train_run`), weights as initialised: the model, its options (the
    profile's budget's, which a record keeps as ``config.model_options``) and its Gibbs sweeps per
    sample (a record's ``config.gibbs_steps``)."""
    prof = get_profile(profile)
    options = dict(prof.budget(model).options)
    seed_everything(seed)
    built = build(model, side=IMAGE_SIDES[dataset], generator=torch.Generator().manual_seed(seed),
                  gibbs_steps=prof.gibbs_steps, **options)
    return built, options, prof.gibbs_steps


@dataclass(frozen=True)
class StepTime:
    """Seconds per optimizer step on one device: the median over ``repeats`` timed repeats (each
    :data:`STEPS_PER_REPEAT` steps, device synchronised, divided by the steps) after
    :data:`WARMUP_STEPS` untimed steps, with the fastest and slowest repeat."""

    median: float
    low: float
    high: float
    repeats: int


def phase_epochs(task: Task, epochs: int) -> tuple[int, ...]:
    """The epochs of a run of ``task`` given ``epochs``, split into the phases whose steps cost
    differently: a DBN's layers, bottom first (``epochs`` each, or its ``layer_epochs``); one phase of
    all its epochs for every other task."""
    total = task.total_epochs(epochs)
    if isinstance(task, DBNTask):
        return tuple(task.layer_epochs) if task.layer_epochs else (epochs,) * task.model.n_layers
    return (total,)


def time_training_steps(task: Task, images: np.ndarray, batch_size: int, epochs: int, generator: torch.Generator,
                        repeats: int = SAMPLING_REPEATS, seconds: float = SAMPLING_SECONDS,
                        steps: int = STEPS_PER_REPEAT) -> tuple[tuple[int, ...], list[StepTime]]:
    """Seconds per optimizer step of ``task`` at ``batch_size``, once per phase of a run of
    ``epochs`` epochs (:func:`phase_epochs`): each phase's steps are taken at its first epoch (a
    DBN's upper layer then trains on its samples of the layer below, as in a run), on batches of
    ``images`` (uint8 ``(N, H, W)``, ``N`` a multiple of ``batch_size``, prepared by the task on the
    model's device) in turn. Up to ``repeats`` timed repeats of ``steps`` steps after
    :data:`WARMUP_STEPS`, fewer (at least one) once the repeats have taken ``seconds`` together.
    Returns the phases' epochs and one :class:`StepTime` per phase. The task's model is trained by
    it (its weights change)."""
    if batch_size < 1 or len(images) < batch_size or len(images) % batch_size:
        raise ParameterError("images", len(images), f"a positive multiple of the batch size {batch_size}")
    phases = phase_epochs(task, epochs)
    device = next(task.model.parameters()).device
    x = task.prepare(images, device)
    batches = x.split(batch_size)
    task.model.train()
    taken = 0

    def run(n: int, epoch: int) -> None:
        nonlocal taken
        for _ in range(n):
            task.step(batches[taken % len(batches)], epoch, generator)
            taken += 1

    out, start = [], 0
    for length in phases:
        run(WARMUP_STEPS, start)
        times: list[float] = []
        while not times or (len(times) < repeats and sum(times) * steps < seconds):
            _sync(device)
            began = time.perf_counter()
            run(steps, start)
            _sync(device)
            times.append((time.perf_counter() - began) / steps)
        out.append(StepTime(float(np.median(times)), min(times), max(times), len(times)))
        start += length
    return phases, out


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def training_seconds(steps: np.ndarray | Sequence[float], steps_per_epoch: float, phases: Sequence[int],
                     step_s: Sequence[float]) -> np.ndarray:
    """Training seconds on the timing's machine after each of ``steps`` optimizer steps (an array of
    step counts) of a run with ``steps_per_epoch`` steps an epoch whose phases last ``phases`` epochs
    and cost ``step_s`` seconds a step (:func:`time_training_steps`): each phase's steps taken so far
    times its seconds; steps past the last phase's end are charged at its rate. E.g. a DBN of
    phases ``(10, 10)`` at 100 steps an epoch and ``(0.01, 0.02)`` s a step has trained 20 s after
    1,500 steps (1,000 × 0.01 + 500 × 0.02)."""
    if len(phases) != len(step_s) or not phases:
        raise ParameterError("step_s", list(step_s), f"one value per phase of {list(phases)}")
    at = np.asarray(steps, dtype=float)
    starts = np.concatenate([[0.0], np.cumsum(phases, dtype=float)[:-1]]) * steps_per_epoch
    ends = np.append(starts[1:], np.inf)
    return sum((s * np.clip(at - a, 0.0, b - a) for s, a, b in zip(step_s, starts, ends, strict=True)),
               start=np.zeros_like(at))


def timing_images(dataset: str, n: int, seed: int) -> np.ndarray:
    """``n`` images of random grey levels of ``dataset``'s side, uint8 ``(n, side, side)``, from ``seed``."""
    side = IMAGE_SIDES[dataset]
    return np.random.default_rng(seed).integers(0, 256, size=(n, side, side), dtype=np.uint8)


def tempered_sweeps(tempering: Tempering, n: int) -> int:
    """The sweeps of every chain and replica that a draw of ``n`` samples by parallel tempering with
    ``tempering``'s settings takes: its burn-in, then a sample of every chain each ``thinning`` sweeps
    (:func:`~genstudy.models.rbm.tempered_samples`)."""
    return tempering.burn_in + math.ceil(n / tempering.chains) * tempering.thinning


@torch.no_grad()
def time_tempered_draw(model: GenerativeModel, tempering: Tempering, n: int, generator: torch.Generator,
                       repeats: int = SAMPLING_REPEATS, seconds: float = SAMPLING_SECONDS) -> SamplingTime:
    """Seconds to draw ``n`` samples of an RBM or a DBN by parallel tempering with ``tempering``'s
    settings, as the evaluation draws them (:func:`~genstudy.runs.evaluate.tempered_sampler`): the
    seconds of :data:`TEMPERED_SWEEPS` sweeps of its ``chains`` chains of ``temperatures`` replicas in the
    (top) RBM, per sweep, times the :func:`tempered_sweeps` a draw takes (minutes on a CPU, so not drawn
    whole: a sweep costs the same whatever the states), plus, for a DBN, one top-down pass of ``n``
    samples. Up to ``repeats`` timed repeats after :data:`WARMUP_SWEEPS`, fewer (at least one) once
    they have taken ``seconds`` together; the median, fastest and slowest draw so computed."""
    top = model if model.family == "rbm" else model.rbms[-1]
    device = top.W.device
    start = bernoulli(torch.full((tempering.chains, top.n_visible), 0.5, device=device), generator)
    chains = TemperedChains(top, start, tempering.temperatures, generator)
    chains.run(WARMUP_SWEEPS)
    sweeps = tempered_sweeps(tempering, n)
    states = bernoulli(torch.full((n, top.n_visible), 0.5, device=device), generator)
    draws: list[float] = []
    spent = 0.0
    while not draws or (len(draws) < repeats and spent < seconds):
        _sync(device)
        began = time.perf_counter()
        chains.run(TEMPERED_SWEEPS)
        _sync(device)
        swept = time.perf_counter() - began
        down = 0.0
        if model.family == "dbn":
            began = time.perf_counter()
            model.down(states, generator)
            _sync(device)
            down = time.perf_counter() - began
        draws.append(swept / TEMPERED_SWEEPS * sweeps + down)
        spent += swept + down
    return SamplingTime(float(np.median(draws)), min(draws), max(draws), len(draws))


def time_architectures(models: Iterable[str], dataset: str, profile: str, seeds: Iterable[int] | None = None,
                       device: str = "auto", repeats: int | None = None,
                       log: Callable[[str], None] = print) -> pd.DataFrame:
    """Seconds to draw :data:`SAMPLES` samples from each of ``models`` (:func:`architecture`), and
    seconds per training step, for each of ``seeds`` (default: the profile's), on ``device``: seeds in
    the outer loop and models in the inner, so that a drift of the machine's speed over the minutes
    touches every model alike.

    A draw is :func:`~genstudy.runs.train.time_sampling`'s median of up to ``repeats`` (default: the
    profile's ``sampling_repeats``, 5 on the published profile, 1 on smoke) timed draws
    after a warm-up (fewer for a draw of seconds), in eval mode, the generator seeded as a run's
    samples are (seed + 1); for an RBM or a DBN of a profile that samples them by parallel tempering
    (its ``tempering``), :func:`time_tempered_draw`'s, the sampler its evaluation scores. A step is
    :func:`time_training_steps`' on the same model, after its draws, with the family's training task as
    a book run makes it (the profile's batch size, epochs and training options: ``train_options``), on
    :data:`TIMING_BATCHES` batches of :func:`timing_images`.
    One row per (model, seed), columns :data:`COLUMNS`: seconds ``sample_1k_s`` (median), ``low_s``
    and ``high_s`` (fastest and slowest draw), ``repeats``, ``gibbs_steps`` (0 for a model sampled in
    one pass), ``tempering`` (the :class:`~genstudy.config.Tempering` timed, as a dict; None for any other
    sampler), ``params``, ``model_options``; ``train_options``, ``batch_size``, ``phase_epochs`` (list, one per phase),
    ``step_s``, ``step_low_s``, ``step_high_s`` (lists of seconds per step, one per phase) and
    ``step_repeats``."""
    names = [canonical_name(m) for m in models]
    if not names:
        raise ParameterError("models", names, "at least one model")
    seed_list = list(get_profile(profile).seeds if seeds is None else seeds)
    torch_device = resolve_device(device)
    prof = get_profile(profile)
    repeats = prof.sampling_repeats if repeats is None else repeats
    rows = []
    for seed in seed_list:
        for name in names:
            model, options, _ = architecture(name, dataset, profile, seed)
            model = model.to(torch_device).eval()
            generator = torch.Generator(device=torch_device).manual_seed(seed + 1)
            tempering = prof.tempering if model.family in TEMPERED_FAMILIES else None
            if tempering is not None:  # the evaluation's sampler: parallel tempering
                took = time_tempered_draw(model, tempering, SAMPLES, generator, repeats)
            else:
                with torch.no_grad():
                    took, _ = time_sampling(model, SAMPLES, generator, repeats)
            budget = prof.budget(name)  # the same architecture trains next: its weights do not change the cost
            images = timing_images(dataset, TIMING_BATCHES * budget.batch_size, seed)
            phases, steps = time_training_steps(
                make_task(model, **budget.train_options), images, budget.batch_size, budget.epochs,
                torch.Generator(device=torch_device).manual_seed(seed + 1), repeats)
            log(f"[genstudy] {name}, seed {seed}: {SAMPLES:,} samples in {took.median:.4g} s; a training step of "
                f"batch {budget.batch_size} in {' then '.join(f'{t.median:.4g} s' for t in steps)}")
            rows.append({"model": name, "family": model.family, "seed": seed, "sample_1k_s": took.median,
                         "low_s": took.low, "high_s": took.high, "repeats": took.repeats,
                         "gibbs_steps": model.gibbs_steps,
                         "tempering": None if tempering is None else asdict(tempering), "params": model.n_parameters(),
                         "model_options": options, "train_options": dict(budget.train_options),
                         "batch_size": budget.batch_size, "phase_epochs": list(phases),
                         "step_s": [t.median for t in steps], "step_low_s": [t.low for t in steps],
                         "step_high_s": [t.high for t in steps], "step_repeats": min(t.repeats for t in steps)})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def timing_path(results: Path | str, profile: str, dataset: str) -> Path:
    """``<results>/<profile>/timing/<dataset>.json``."""
    return Path(results) / profile / TIMING_DIR / f"{dataset}.json"


def write_timing(table: pd.DataFrame, results: Path | str, profile: str, dataset: str, device: str = "auto") -> Path:
    """Write ``table`` (:func:`time_architectures`' on ``device``) with where and by what it was
    measured: ``profile``, ``dataset``, ``device`` (``cpu`` or ``cuda``), ``device_name``,
    ``machine`` (:func:`~genstudy.machine.describe_cpu`), ``commit``, ``code`` (the library's digest),
    ``created`` and ``rows``; atomically, to :func:`timing_path`."""
    torch_device = resolve_device(device)
    return write_json(timing_path(results, profile, dataset), {
        "profile": profile, "dataset": dataset, "device": torch_device.type,
        "device_name": device_description(torch_device), "machine": describe_cpu(), "commit": git_commit(),
        "code": code_digest(), "created": now(), "rows": table.to_dict(orient="records")})


def read_timings(results: Path | str, profile: str) -> pd.DataFrame:
    """Every timing table of ``profile`` under ``results``, one row per (dataset, model, seed):
    :data:`COLUMNS` and ``dataset``, plus ``timed_on`` (the device's and machine's words, e.g.
    ``cpu (2 threads); AMD EPYC; AVX2; kernels capped at avx2``) and ``timed_commit``. Empty (with
    those columns) when there is none."""
    frames = []
    for path in sorted((Path(results) / profile / TIMING_DIR).glob("*.json")):
        table = json.loads(path.read_text())  # a table written before steps were timed has no step columns: NaN
        frames.append(pd.DataFrame(table["rows"], columns=list(COLUMNS)).assign(
            dataset=table["dataset"], timed_on=f"{table['device_name']}; {table['machine']}",
            timed_commit=table.get("commit")))
    columns = [*COLUMNS, "dataset", "timed_on", "timed_commit"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
