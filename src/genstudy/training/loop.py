"""The training loop every family shares: batching on the device, logging, checkpoints, resume, NaN guard.

Randomness comes from two explicit generators on the data's device, so a run is a pure
function of its seed: the *shuffle* generator is re-seeded at every epoch from
``(seed, epoch)``, and the *noise* generator (latent codes, binarization, Gibbs chains)
is saved in every checkpoint. A run killed at any point and started again from its last
checkpoint therefore ends with the same parameters as an uninterrupted run (on the CPU,
bit for bit).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from genstudy.data.transforms import batches
from genstudy.io import load_torch, save_torch
from genstudy.training.tasks import Task

CHECKPOINT_VERSION = 1
#: The most loss readings a run logs by default (:func:`fit`'s ``log_every``): a long run's history
#: (and its ``history.csv``, a committed artifact) stays a few MB, at one reading per 50 steps up to
#: 300,000 steps and more steps apart beyond.
MAX_LOG_ROWS = 6_000


class Diverged(RuntimeError):
    """A loss became NaN or infinite; the run stops and its record is marked ``diverged``."""


@dataclass
class FitResult:
    """What a training run did: the logged ``history`` (one dict per logged step), the
    number of optimizer ``steps``, compute seconds ``train_s`` (summed over resumes; the
    probes' time and the checkpoints' writing left out), the probes' seconds ``probe_s``,
    ``status`` (``ok`` | ``diverged`` | ``interrupted``), and the checkpoint it resumed from."""

    history: list[dict[str, float]] = field(default_factory=list)
    steps: int = 0
    epochs: int = 0
    train_s: float = 0.0
    probe_s: float = 0.0
    status: str = "ok"
    message: str = ""
    resumed_from_step: int | None = None


def _shuffle_generator(seed: int, epoch: int, device: torch.device) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed * 1_000_003 + epoch)


def fit(
    task: Task,
    x: torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    checkpoint: Path | None = None,
    config: dict[str, Any] | None = None,
    checkpoint_every: int = 500,
    log_every: int | None = None,
    progress: bool | None = None,
    stop_after: int | None = None,
    probe: Callable[[], dict[str, float]] | None = None,
    probes: int = 0,
) -> FitResult:
    """Train ``task`` on the on-device tensor ``x`` (first dim = examples).

    ``checkpoint``: file written atomically every ``checkpoint_every`` steps and at each
    epoch's end; when it exists and its ``config`` equals ``config``, training resumes
    from it. ``log_every``: steps between loss readings (the only host syncs; default 50, more
    for a run of over 300,000 steps: at most about :data:`MAX_LOG_ROWS` readings besides each epoch's last).
    ``progress``: a tqdm bar (default: only when stderr is a terminal). ``stop_after``:
    stop once this many steps are done in total, as if killed (used by tests), leaving
    the checkpoint behind. Raises nothing on divergence: the result says ``diverged``.
    At logging steps the row also holds the task's :meth:`~Task.monitor` quantities,
    ``images_seen`` (steps x batch size) and ``train_s`` (compute seconds so far).

    ``probe``: called before the first step (a row of its own, step 0) and at ``probes`` evenly
    spaced steps (every ``total // probes`` steps, and at the last step), its values added to
    that step's row; the training clock stops while it
    runs (its seconds go to ``probe_s``). It must not touch the training's random streams.
    """
    device = x.device
    noise = torch.Generator(device=device).manual_seed(seed)
    result = FitResult()
    start_epoch, skip = 0, 0
    if checkpoint is not None and checkpoint.exists():
        state = load_torch(checkpoint, map_location=device)
        if state.get("version") == CHECKPOINT_VERSION and state.get("config") == (config or {}):
            task.load_state_dict(state["task"])
            noise.set_state(state["noise"].cpu())
            start_epoch, skip = state["epoch"], state["step_in_epoch"]
            result.history, result.steps, result.train_s = state["history"], state["steps"], state["train_s"]
            result.probe_s = state.get("probe_s", 0.0)
            result.resumed_from_step = result.steps

    total_epochs = task.total_epochs(epochs)
    per_epoch = x.shape[0] // batch_size
    if per_epoch == 0:
        raise ValueError(f"batch_size={batch_size} is larger than the {x.shape[0]} training examples")
    total_steps = total_epochs * per_epoch
    if log_every is None:
        log_every = max(50, math.ceil(total_steps / MAX_LOG_ROWS))
    probe_every = max(1, total_steps // probes) if probe is not None and probes > 0 else 0
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=total_epochs * per_epoch, initial=result.steps, disable=not show, desc="train", leave=False)

    def save(epoch: int, step_in_epoch: int) -> None:
        """Stop the training clock, write the checkpoint, restart the clock: writing a large
        model's checkpoint is disk time, not training."""
        nonlocal tick
        result.train_s += time.perf_counter() - tick
        if checkpoint is not None:
            save_torch(checkpoint, {
                "version": CHECKPOINT_VERSION, "config": config or {}, "task": task.state_dict(),
                "noise": noise.get_state(), "epoch": epoch, "step_in_epoch": step_in_epoch,
                "history": result.history, "steps": result.steps, "train_s": result.train_s,
                "probe_s": result.probe_s,
            })
        tick = time.perf_counter()

    if probe_every and result.steps == 0:
        start = time.perf_counter()
        result.history.append({"step": 0, "epoch": 0.0, "images_seen": 0.0, "train_s": 0.0, **probe()})
        result.probe_s += time.perf_counter() - start
    tick = time.perf_counter()
    try:
        for epoch in range(start_epoch, total_epochs):
            stream = batches(x, batch_size, generator=_shuffle_generator(seed, epoch, device))
            for i, batch in enumerate(stream):
                if epoch == start_epoch and i < skip:
                    continue
                losses = task.step(batch, epoch, noise)
                result.steps += 1
                bar.update()
                last = i == per_epoch - 1
                probing = probe_every > 0 and (result.steps % probe_every == 0 or result.steps == total_steps)
                if result.steps % log_every == 0 or last or probing:
                    row = {"step": result.steps, "epoch": epoch + (i + 1) / per_epoch}
                    row.update({k: float(v) for k, v in {**losses, **task.monitor()}.items()})
                    result.history.append(row)
                    bad = [k for k, v in row.items() if not math.isfinite(v)]
                    if bad:
                        raise Diverged(f"{', '.join(bad)} became non-finite at step {result.steps} (epoch {epoch})")
                    now = time.perf_counter()
                    row.update(images_seen=float(result.steps * batch_size), train_s=result.train_s + now - tick)
                    if probing:
                        assert probe is not None
                        result.train_s += now - tick
                        row.update(probe())
                        tick = time.perf_counter()
                        result.probe_s += tick - now
                if stop_after is not None and result.steps >= stop_after:
                    save(epoch, i + 1)
                    result.status, result.epochs = "interrupted", epoch
                    return result
                if result.steps % checkpoint_every == 0 and not last:
                    save(epoch, i + 1)
            save(epoch + 1, 0)
        result.epochs = total_epochs
    except Diverged as exc:
        result.train_s += time.perf_counter() - tick
        result.status, result.message = "diverged", str(exc)
    finally:
        bar.close()
    return result
