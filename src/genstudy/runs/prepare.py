"""The runs of a book's training chapters, made outside the book.

A machine that lacks the book's stack (papermill, Jupyter, TensorFlow), such as a GPU machine
with its own Python and torch, can still make every PyTorch run the training chapters make:
each model a chapter trains, for each seed, trained (:func:`~genstudy.runs.train.train_run`)
and measured (:func:`~genstudy.runs.evaluate.evaluate_run`), and the real-data baseline. Brought
back into ``results/``, they are shown by the chapters instead of retrained, because the same
code made them with the same configuration (``train_run``'s ``same_code``); the chapters' own
work (figures, chain-length studies, the article's TensorFlow code) then runs where the book
is built.

Which models a chapter trains is read from the notebooks' roles
(:func:`genstudy.paths.chapter_roles`: ``kind: training``; a chapter whose ``framework`` is not
PyTorch is left out), so nothing of Jupyter is imported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genstudy.config import RunParams, get_profile
from genstudy.errors import GenstudyError, ParameterError
from genstudy.models.registry import canonical_name
from genstudy.paths import NOTEBOOK_DIR, chapter_roles
from genstudy.runs.evaluate import evaluate_run, real_baseline
from genstudy.runs.record import run_id
from genstudy.runs.train import train_run

#: What a chapter's metadata says when its runs are PyTorch runs (the default when it says nothing).
PYTORCH = "pytorch"


@dataclass(frozen=True)
class PreparedRun:
    """One run :func:`prepare` made or found: its ``run_id``, ``chapter`` (notebook stem),
    ``status`` (the record's, or ``not started`` when the time ran out), ``reused`` (a finished
    run of this code was there), its ``device`` and its seconds of training and of evaluation
    (from its record; NaN for a run not started)."""

    run_id: str
    chapter: str
    status: str
    reused: bool
    device: str
    train_s: float
    eval_s: float


def training_chapters(root: Path | str) -> dict[str, tuple[str, ...]]:
    """Notebook stem → the models it trains, for every ``notebooks/NN_*.ipynb`` of the project at
    ``root`` whose metadata says ``kind: training`` and whose runs are PyTorch runs, in name order."""
    found = {}
    for source, role in chapter_roles(root):
        if role.get("kind") == "training" and role.get("framework", PYTORCH) == PYTORCH:
            found[source.stem] = tuple(canonical_name(m) for m in role.get("models", ()))
    if not found:
        raise GenstudyError(f"{Path(root) / NOTEBOOK_DIR}: no training chapter of PyTorch runs")
    return found


def planned(root: Path | str, seeds: Iterable[int], models: Iterable[str] | None = None
            ) -> list[tuple[str, str, int]]:
    """``(chapter, model, seed)`` for every model of :func:`training_chapters` (only those of
    ``models``, when given) and every seed: seed by seed, so that an interrupted preparation has
    whole seeds of every family rather than every seed of a few."""
    chapters = training_chapters(root)
    known = tuple(dict.fromkeys(m for ms in chapters.values() for m in ms))
    chosen = None if models is None else [canonical_name(m) for m in models]
    for m in chosen or ():
        if m not in known:
            raise ParameterError("models", m, known)  # a model of the registry that no chapter trains
    return [(chapter, model, seed) for seed in seeds for chapter, ms in chapters.items() for model in ms
            if chosen is None or model in chosen]


def prepare(profile: str, root: Path | str, *, out: Path | str, seeds: Iterable[int] | None = None,
            models: Iterable[str] | None = None, dataset: str = "fashion_mnist", device: str = "auto",
            data_dir: str | None = None, stop_after_s: float | None = None,
            log: Callable[[str], None] = print) -> list[PreparedRun]:
    """Train and measure, under ``out/<profile>/``, the runs :func:`planned` lists (seeds default
    to the profile's), then the real-data baseline; returns one :class:`PreparedRun` per run.

    A finished run this code made is reused as it is and an interrupted one resumes from its
    checkpoint, so calling it again continues. ``stop_after_s``: no run is started once that many
    seconds have passed (one in progress is finished), so that a machine lent for a fixed time
    returns whole runs; the runs not started are listed as such."""
    seeds = list(get_profile(profile).seeds if seeds is None else seeds)
    plan = planned(root, seeds, models)
    start = time.monotonic()
    done: list[PreparedRun] = []
    for chapter, model, seed in plan:
        if stop_after_s is not None and time.monotonic() - start >= stop_after_s:
            done.append(PreparedRun(run_id(model, dataset, seed), chapter, "not started", False, "",
                                    float("nan"), float("nan")))
            continue
        params = RunParams(model=model, dataset=dataset, profile=profile, seed=seed, device=device,
                           data_dir=data_dir)
        run = train_run(params, out, same_code=True, log=log)
        record = run.record
        if record.get("status") == "ok":
            record = evaluate_run(run.directory, data_dir=data_dir, device=device, log=log)
        timings: dict[str, Any] = record.get("timings", {})
        done.append(PreparedRun(record.get("run_id", run.directory.name), chapter, record.get("status", "interrupted"),
                                run.result is None, record.get("device_name", ""),
                                float(timings.get("train_s", float("nan"))),
                                float(record.get("evaluation", {}).get("seconds", float("nan")))))
    if any(r.status != "not started" for r in done):
        real_baseline(dataset, profile, out, data_dir=data_dir)
    return done
