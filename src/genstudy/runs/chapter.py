"""What every model chapter does with its runs, written once: train its models on the
notebook's parameters, measure them beside the real-data baseline, replay a Gibbs chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genstudy.config import RunParams
from genstudy.errors import ParameterError
from genstudy.models import GenerativeModel
from genstudy.models.registry import canonical_name, check_dataset
from genstudy.paths import results_dir
from genstudy.runs.evaluate import evaluate_run, real_baseline
from genstudy.runs.train import TrainedRun, train_run


@dataclass(frozen=True)
class ModelChapter:
    """The models a model chapter trains, the parameters it receives from papermill, and where
    its runs go (``results`` defaults to the project's ``results/``).

    Made on a dataset some of ``models`` cannot train on, it refuses at once with a
    :class:`~genstudy.errors.ParameterError` in one line that names the dataset and the reason
    (:func:`~genstudy.models.registry.check_dataset`), before anything is loaded or trained.
    """

    models: tuple[str, ...]
    profile: str = "smoke"
    seed: int = 0
    device: str = "auto"
    dataset: str = "fashion_mnist"
    data_dir: str | None = None
    results: Path = field(default_factory=results_dir)
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(canonical_name(m) for m in self.models))
        check_dataset(self.dataset, self.models)

    def train(self, *models: str, **options: Any) -> dict[str, TrainedRun]:
        """Train each of ``models`` (default: all of the chapter's; always retrained: a chapter
        shows a run it made) with :class:`~genstudy.config.RunParams` ``options``; returns them
        by name."""
        runs = {}
        for model in models or self.models:
            if canonical_name(model) not in self.models:
                raise ParameterError("model", model, self.models)
            params = RunParams(model=model, dataset=self.dataset, profile=self.profile, seed=self.seed,
                               device=self.device, data_dir=self.data_dir, **options)
            runs[model] = train_run(params, self.results, force=True, log=self.log)
        return runs

    def evaluate(self, runs: dict[str, TrainedRun]) -> list[dict[str, Any]]:
        """Measure each run (:func:`~genstudy.runs.evaluate.evaluate_run`) and return their records
        followed by the real-data baseline's (:func:`~genstudy.runs.evaluate.real_baseline`)."""
        records = [evaluate_run(r.directory, data_dir=self.data_dir, device=self.device, log=self.log)
                   for r in runs.values()]
        return [*records, self.baseline()]

    def baseline(self) -> dict[str, Any]:
        """The real-data baseline's record for this dataset and profile."""
        return real_baseline(self.dataset, self.profile, self.results, data_dir=self.data_dir)


def chain_snapshots(model: GenerativeModel, steps: list[int], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` Gibbs chains of an RBM or DBN after each number of sweeps in ``steps``, as
    ``{"<s> Gibbs steps": (n, H, W) array in [0, 1]}``. Every row starts from the same seed,
    so it continues the chains of the row above it."""
    out = {}
    for s in sorted(set(steps)):
        g = torch.Generator(device=model.device).manual_seed(seed)
        out[f"{s} Gibbs steps"] = model.chains(n, s, g)[:, 0].cpu().numpy()
    return out
