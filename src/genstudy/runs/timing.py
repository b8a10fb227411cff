"""The cost of sampling, measured for every compared model on one machine, in one process.

A run's record keeps the seconds its model took to draw 1,000 samples right after training
(:func:`genstudy.runs.train.time_sampling`); but a published grid may be trained on several
machines (the GAN chapter on one, the VAE chapter on another), and seconds measured on two
machines do not compare (:mod:`genstudy.machine`). So the chapter *The cost of sampling* builds
the architecture of each compared run again from the profile, exactly as the run was built
(:func:`architecture`; the same options and Gibbs sweeps, checked against each record's
``config`` when the frame is read: :func:`genstudy.study.report.runs_frame`), and times its
1,000 samples for each of the profile's seeds, every model in turn within a seed, all in one
process on one device and machine.

The weights are left as initialised: the cost of a draw does not depend on their values (a
forward pass of the same shapes, or Gibbs sweeps of the same sizes whose Bernoulli draws cost
the same whatever their probabilities), so every run's architecture can be timed again
anywhere, its weights committed or not.

The table is written to ``results/<profile>/timing/<dataset>.json`` (not a ``record.json``, so
the run records' readers never take it for a run)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from genstudy.config import get_profile, resolve_device
from genstudy.data import IMAGE_SIDES
from genstudy.errors import ParameterError
from genstudy.io import write_json
from genstudy.machine import describe_cpu
from genstudy.models import GenerativeModel, build
from genstudy.models.registry import ARTICLE_MODELS, MODELS, canonical_name, spec
from genstudy.paths import chapter_roles, find_root
from genstudy.runs.record import code_digest, device_description, git_commit, now
from genstudy.runs.train import SAMPLING_REPEATS, time_sampling
from genstudy.training import seed_everything

#: The folder under ``results/<profile>/`` that holds one timing table per dataset.
TIMING_DIR = "timing"
#: The families whose sampling cost the article compares (the GAN against the classic three).
COMPARED_FAMILIES = ("gan", "vae", "rbm", "dbn")
#: Samples per timed draw.
SAMPLES = 1_000
#: Columns of :func:`time_architectures`' table.
COLUMNS = ("model", "family", "seed", "sample_1k_s", "low_s", "high_s", "repeats", "gibbs_steps", "params",
           "model_options")


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


def time_architectures(models: Iterable[str], dataset: str, profile: str, seeds: Iterable[int] | None = None,
                       device: str = "auto", repeats: int = SAMPLING_REPEATS,
                       log: Callable[[str], None] = print) -> pd.DataFrame:
    """Seconds to draw :data:`SAMPLES` samples from each of ``models`` (:func:`architecture`), for
    each of ``seeds`` (default: the profile's), on ``device``: seeds in the outer loop and models in
    the inner, so that a drift of the machine's speed over the minutes touches every model alike.

    Each is :func:`~genstudy.runs.train.time_sampling`'s median of up to ``repeats`` timed draws
    after a warm-up (fewer for a draw of seconds), in eval mode, the generator seeded as a run's
    samples are (seed + 1). One row per (model, seed), columns :data:`COLUMNS`: seconds ``sample_1k_s``
    (median), ``low_s`` and ``high_s`` (fastest and slowest draw), ``repeats``, ``gibbs_steps`` (0
    for a model sampled in one pass), ``params`` and ``model_options``."""
    names = [canonical_name(m) for m in models]
    if not names:
        raise ParameterError("models", names, "at least one model")
    seed_list = list(get_profile(profile).seeds if seeds is None else seeds)
    torch_device = resolve_device(device)
    rows = []
    for seed in seed_list:
        for name in names:
            model, options, _ = architecture(name, dataset, profile, seed)
            model = model.to(torch_device).eval()
            generator = torch.Generator(device=torch_device).manual_seed(seed + 1)
            with torch.no_grad():
                took, _ = time_sampling(model, SAMPLES, generator, repeats)
            log(f"[genstudy] {name}, seed {seed}: {SAMPLES:,} samples in {took.median:.4g} s")
            rows.append({"model": name, "family": model.family, "seed": seed, "sample_1k_s": took.median,
                         "low_s": took.low, "high_s": took.high, "repeats": took.repeats,
                         "gibbs_steps": model.gibbs_steps, "params": model.n_parameters(),
                         "model_options": options})
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
        table = json.loads(path.read_text())
        frames.append(pd.DataFrame(table["rows"], columns=list(COLUMNS)).assign(
            dataset=table["dataset"], timed_on=f"{table['device_name']}; {table['machine']}",
            timed_commit=table.get("commit")))
    columns = [*COLUMNS, "dataset", "timed_on", "timed_commit"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
