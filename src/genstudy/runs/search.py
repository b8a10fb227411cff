"""A small random search of each family's hyperparameters, on one profile's budgets.

Lucic et al. (2018, "Are GANs created equal?") showed that a comparison of hand-tuned models
mostly measures the tuning. Here each family's representative model (:data:`SPACES`) is
trained under ``n`` configurations drawn at random from a stated space (learning rate,
Adam's β₁ or SGD's momentum, width), each with the same budget, data and seed as the book's
own run of the model on that profile, and each scored with the book's image yardstick (FD,
precision, recall, coverage...; no likelihood, which some families lack). The draws depend
only on :data:`SEARCH_SEED`, the model and the index, so configuration *i* is the same on
every machine and a longer search extends a shorter one.

A configuration's run lives in ``<out>/<profile>/<model>-c<i>-<dataset>-seed<seed>/`` (a run
record like every other; ``out`` defaults to ``results/search``); a finished, evaluated run
with the same configuration is reused, not retrained (:func:`~genstudy.runs.train.train_run`).
The chapters read the records (:mod:`genstudy.study.sensitivity`).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genstudy.config import SEARCH_CONFIGS, RunParams, get_profile
from genstudy.errors import ParameterError
from genstudy.models.registry import MODELS, REGISTRY, canonical_name
from genstudy.paths import SEARCH_DIR
from genstudy.runs.evaluate import evaluate_sampler, is_current
from genstudy.runs.record import run_id, write_record
from genstudy.runs.train import train_run
from genstudy.training import task_class

#: Seeds every draw of the search space (the year of Lucic et al.'s study).
SEARCH_SEED = 2018
#: Keeps the seeds of the choices' orders apart from the configurations' own.
CHOICE_SALT = 1_000_000


@dataclass(frozen=True)
class LogUniform:
    """A value drawn uniformly in log space between ``low`` and ``high``, kept to 3 significant digits."""

    low: float
    high: float

    def draw(self, rng: np.random.Generator) -> float:
        value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        return float(f"{value:.3g}")

    def describe(self) -> str:
        return f"log-uniform in [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Choice:
    """One of ``values``, balanced: each run of ``len(values)`` consecutive configurations takes
    every value once, in a random order (so 8 configurations cannot all draw the widest network)."""

    values: tuple[Any, ...]

    def pick(self, index: int, rng_of_block: Callable[[int], np.random.Generator]) -> Any:
        """The value of configuration ``index``: its place in the random order of its block of
        ``len(values)`` configurations, the order drawn by ``rng_of_block(block)``."""
        block, place = divmod(index, len(self.values))
        return self.values[int(rng_of_block(block).permutation(len(self.values))[place])]

    def describe(self) -> str:
        return "one of " + ", ".join(str(v) for v in self.values)


@dataclass(frozen=True)
class Knob:
    """One hyperparameter: its ``name`` as the model's option (``where="model"``, see
    :data:`genstudy.models.registry.REGISTRY`) or its training task's keyword (``"train"``,
    :mod:`genstudy.training.tasks`), and its distribution."""

    name: str
    where: str
    distribution: LogUniform | Choice


#: The search space of each family's representative model: learning rate, the optimiser's
#: memory (Adam's β₁ or SGD's momentum) and width, each around the book's own setting.
SPACES: dict[str, tuple[Knob, ...]] = {
    "dcgan": (Knob("lr", "train", LogUniform(5e-5, 1e-3)),
              Knob("beta1", "train", Choice((0.0, 0.5, 0.9))),
              Knob("width", "model", Choice((16, 32, 48)))),
    "vae_mlp": (Knob("lr", "train", LogUniform(1e-4, 3e-3)),
                Knob("beta1", "train", Choice((0.5, 0.9))),
                Knob("hidden", "model", Choice((256, 512, 1024)))),
    "rbm": (Knob("lr", "train", LogUniform(0.01, 0.2)),
            Knob("momentum", "train", Choice((0.0, 0.5, 0.9))),
            Knob("n_hidden", "model", Choice((250, 500, 1000)))),
    "dbn": (Knob("lr", "train", LogUniform(0.01, 0.2)),
            Knob("momentum", "train", Choice((0.0, 0.5, 0.9))),
            Knob("hidden", "model", Choice(((250, 100), (500, 200), (1000, 400))))),
}


@dataclass(frozen=True)
class Config:
    """Configuration ``index`` of ``model``: its model options and training options."""

    model: str
    index: int
    model_options: dict[str, Any]
    train_options: dict[str, Any]

    def name(self, dataset: str, seed: int) -> str:
        """The run's folder name: ``<model>-c<index>-<dataset>-seed<seed>``."""
        return run_id(f"{self.model}-c{self.index}", dataset, seed)


#: A search run's folder name, read back by :func:`config_index`.
_FOLDER = re.compile(r"^(?P<model>.+)-c(?P<index>\d+)-")


def config_index(folder: str) -> int | None:
    """The configuration index in a search run's folder name (None for another folder)."""
    match = _FOLDER.match(folder)
    return int(match["index"]) if match else None


def draw_configs(model: str, n: int, seed: int = SEARCH_SEED) -> list[Config]:
    """The first ``n`` configurations of ``model``'s space (:data:`SPACES`).

    A log-uniform value of configuration *i* comes from a generator seeded by ``(seed, model,
    i)``; a choice from the random order of its block (:meth:`Choice.pick`), seeded by ``(seed,
    model, knob, block)``. Configuration *i* therefore does not depend on ``n``.
    """
    model = canonical_name(model)
    if model not in SPACES:
        raise ParameterError("search model", model, tuple(SPACES))
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ParameterError("configs", n, "a positive integer")
    salt = list(model.encode())
    out = []
    for i in range(n):
        rng = np.random.default_rng([seed, *salt, i])
        values = {}
        for j, knob in enumerate(SPACES[model]):
            d = knob.distribution
            values[knob.name] = d.draw(rng) if isinstance(d, LogUniform) else \
                d.pick(i, lambda block, j=j: np.random.default_rng([seed, *salt, CHOICE_SALT + j, block]))
        out.append(Config(model, i,
                          {k.name: values[k.name] for k in SPACES[model] if k.where == "model"},
                          {k.name: values[k.name] for k in SPACES[model] if k.where == "train"}))
    return out


def run_config(config: Config, *, profile: str = "quick", dataset: str = "fashion_mnist", seed: int = 0,
               out: Path | str = SEARCH_DIR, device: str = "auto", data_dir: str | None = None,
               log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train ``config`` on ``profile``'s budget for its model and score its samples with the image
    yardstick (:func:`genstudy.runs.evaluate.evaluate_sampler` without the likelihood); return
    the run record. A finished run with current metrics is returned as it is."""
    params = RunParams(config.model, dataset=dataset, profile=profile, seed=seed, device=device, data_dir=data_dir,
                       model_options=dict(config.model_options), train_options=dict(config.train_options))
    trained = train_run(params, out, name=config.name(dataset, seed), probes=0, sampling_repeats=1, log=log)
    record = trained.record
    if record.get("status") != "ok" or (record.get("metrics") and is_current(record)):
        return record
    model = trained.model.eval()
    record = evaluate_sampler(record, model.sample, data_dir=data_dir, device=model.device)
    write_record(trained.directory, record)
    log(f"[genstudy] {record['run_id']}: FD {record['metrics']['fd']:.1f}")
    return record


def run_search(models: Iterable[str] = tuple(SPACES), configs: int = SEARCH_CONFIGS, *, profile: str = "quick",
               dataset: str = "fashion_mnist", seed: int = 0, out: Path | str = SEARCH_DIR, device: str = "auto",
               data_dir: str | None = None, log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """:func:`run_config` for the first ``configs`` configurations of each of ``models``, model by
    model; returns their records. The threads torch uses are left as they are."""
    plan = [c for m in models for c in draw_configs(m, configs)]
    log(f"[genstudy] search on {profile}: {len(plan)} runs ({configs} configurations of "
        f"{', '.join(dict.fromkeys(c.model for c in plan))}), {torch.get_num_threads()} threads → {out}")
    return [run_config(c, profile=profile, dataset=dataset, seed=seed, out=out, device=device, data_dir=data_dir,
                       log=log) for c in plan]


@functools.cache
def book_values(model: str, profile: str = "quick") -> dict[str, Any]:
    """The value of each of ``model``'s searched hyperparameters in the book's own runs on
    ``profile``: a model option from the registry's defaults and the profile's budget, a training
    keyword from the budget's training options or else its family's task's default
    (:func:`genstudy.training.task_class`). Cached: do not change the dict returned."""
    model = canonical_name(model)
    budget = get_profile(profile).budget(model)
    options = {**REGISTRY[model].options, **budget.options}
    task = task_class(REGISTRY[model].family)
    training = {**{n: p.default for n, p in inspect.signature(task.__init__).parameters.items()},
                **budget.train_options}
    return {k.name: options[k.name] if k.where == "model" else training[k.name] for k in SPACES[model]}


def space_rows(profile: str = "quick") -> list[dict[str, Any]]:
    """The search space as rows: model, family, hyperparameter, where it goes, its distribution
    and the book's own value on ``profile`` (:func:`book_values`)."""
    rows = []
    for model, knobs in SPACES.items():
        book = book_values(model, profile)
        rows += [{"model": model, "family": MODELS[model], "hyperparameter": k.name,
                  "where": "model option" if k.where == "model" else "optimiser",
                  "searched": k.distribution.describe(), "the book's value": str(book[k.name])} for k in knobs]
    return rows
