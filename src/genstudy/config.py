"""Profiles (smoke / quick / full), their budgets, and validated run parameters: the classes and rules,
each profile built from its settings, which :mod:`genstudy.profiles` holds as plain data.

A *profile* fixes how much work a run does: how many training images, epochs, seeds and
evaluation samples. ``smoke`` keeps each notebook under a minute on a 2-core CPU (CI and
nbval), ``quick`` keeps the whole book under 20 minutes on such a machine, ``full`` is
the published study on a GPU. A :class:`RunParams` is one training run; building one
validates every field and raises :class:`~genstudy.errors.ParameterError` naming the
parameter and its allowed values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from genstudy import profiles
from genstudy.data import DATASETS
from genstudy.errors import ParameterError
from genstudy.models.registry import MODELS, canonical_name

DEVICES = ("auto", "cpu", "cuda", "cuda:N")


@dataclass(frozen=True)
class Budget:
    """The training budget of one model on one profile.

    ``train_size``: training images (a class-balanced subset; ``None`` = all);
    ``epochs``: passes over them (per layer for a DBN); ``batch_size``: examples per
    step; ``options``: architecture options passed to :func:`genstudy.models.build`;
    ``train_options``: options of the family's training task (:func:`genstudy.training.make_task`: its
    recipe, e.g. persistent CD and a step schedule), which a run's own ``train_options`` update.
    The study's models and their families are :data:`genstudy.models.registry.MODELS`.
    """

    train_size: int | None
    epochs: int
    batch_size: int
    options: dict[str, Any] = field(default_factory=dict)
    train_options: dict[str, Any] = field(default_factory=dict)


#: Where a Parzen window's σ is chosen, by protocol: the study's (class-balanced training images,
#: 11 σ from 0.05 to 0.5) or Goodfellow et al. (2014)'s (the training split's last 10,000 images,
#: which the model does not train on, 10 σ from 0.1 to 1; :mod:`genstudy.runs.evaluate`).
PARZEN_PROTOCOLS = {
    "study": "σ of 11 from 0.05 to 0.5 (log-spaced) by the log-density of 1,000 class-balanced training images",
    "goodfellow": "σ of 10 from 0.1 to 1 (log-spaced) by the log-density of the held-out training images "
                  "50,000-59,999",
}
#: Goodfellow et al.'s MNIST split: the models train on the first 50,000 training images.
PARZEN_HELD_OUT_FROM = 50_000


@dataclass(frozen=True)
class Tempering:
    """How the evaluation samples an RBM or DBN by parallel tempering
    (:func:`genstudy.models.rbm.tempered_samples`): ``chains`` chains of ``temperatures`` replicas
    (the base: the data's base rates), ``burn_in`` sweeps, then a sample of every chain each ``thinning``
    sweeps; the mixing study runs the same chains from noise and from training images to ``burn_in``,
    each start's FD pooling every chain's last states (:func:`genstudy.runs.chapter.tempered_plan`). The
    defaults are the literature profile's first tempering; the profiles name their own."""

    temperatures: int = 16
    chains: int = 250
    burn_in: int = 1_000
    thinning: int = 25


@dataclass(frozen=True)
class Profile:
    """How much work a run does.

    ``train_size`` / ``epochs`` / ``batch_size``: the default budget, refined per model
    by ``overrides``; ``seeds``: the seeds a study runs per model; ``eval_samples``:
    generated and real images per metric; ``gibbs_steps``: Gibbs sweeps per RBM/DBN
    sample; ``stats_size``: images the data chapter summarizes per split (None = all).
    Evaluation (:mod:`genstudy.runs.evaluate`): ``likelihood_size`` test images per likelihood,
    ``iwae_k`` importance samples of the VAE bound, ``ais_steps`` / ``ais_chains`` of the
    RBM's and DBN's annealed importance sampling. ``toy_steps``: minibatch updates of each
    model of the 2-D chapter (:mod:`genstudy.study.toy`). ``chain_lengths`` / ``chain_count``:
    the Gibbs sweeps at which the RBM and DBN chapters measure ``chain_count`` chains, to see
    whether their samples' chains are long enough (:func:`genstudy.runs.chapter.chain_length_study`).
    Quality during training (:mod:`genstudy.runs.probe`): the FD of ``probe_samples`` samples at
    ``probes`` evenly spaced steps of every PyTorch run, chain samplers running
    ``probe_gibbs_steps`` sweeps. ``published``: its results are committed and a book build shows a
    stale run as it was, with the commit that made it, until ``genstudy book --refresh``.
    ``parzen``: the Parzen window's protocol (:data:`PARZEN_PROTOCOLS`). ``sampling_repeats``: the
    most timed draws of 1,000 samples per run (:func:`genstudy.runs.train.time_sampling`; the
    reduced profiles time one draw, their seconds being no finding). ``tempering``: the evaluation
    samples RBMs and DBNs by parallel tempering (:class:`Tempering`) rather than by independent chains of
    ``gibbs_steps`` sweeps (None).
    """

    name: str
    description: str
    train_size: int | None
    epochs: int
    seeds: tuple[int, ...]
    eval_samples: int
    batch_size: int
    stats_size: int | None
    gibbs_steps: int
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    likelihood_size: int = 1_000
    iwae_k: int = 100
    ais_steps: int = 2_000
    ais_chains: int = 100
    toy_steps: int = 4_000
    chain_lengths: tuple[int, ...] = (100, 1_000)
    chain_count: int = 200
    probes: int = 8
    probe_samples: int = 500
    probe_gibbs_steps: int = 200
    published: bool = False
    parzen: str = "study"
    sampling_repeats: int = 5
    tempering: Tempering | None = None

    def __post_init__(self) -> None:
        if self.parzen not in PARZEN_PROTOCOLS:
            raise ParameterError("parzen", self.parzen, tuple(PARZEN_PROTOCOLS))

    def budget(self, model: str) -> Budget:
        """The budget of ``model`` on this profile (defaults updated by its override)."""
        model = canonical_name(model)
        base = {"train_size": self.train_size, "epochs": self.epochs, "batch_size": self.batch_size}
        return Budget(**{**base, **self.overrides.get(model, {})})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _profile(settings: dict[str, Any]) -> Profile:
    """The :class:`Profile` of one profile's ``settings`` (:data:`genstudy.profiles.SETTINGS`)."""
    tempering = settings.get("tempering")
    return Profile(**{**settings, "tempering": None if tempering is None else Tempering(**tempering)})


#: The profiles by name, built from their settings (:mod:`genstudy.profiles`): smoke, quick and full (the
#: book's, :data:`BOOK_PROFILES`), tiny (the test suite's) and literature (the chapter *Against the literature*'s).
PROFILES: dict[str, Profile] = {name: _profile(settings) for name, settings in profiles.SETTINGS.items()}
#: The profiles a whole book is built on; ``literature`` is the chapter *Against the literature*'s own.
BOOK_PROFILES: tuple[str, ...] = profiles.BOOK_PROFILES

#: Configurations per model of the hyperparameter search (:mod:`genstudy.runs.search`) unless told otherwise.
SEARCH_CONFIGS = 8


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (:data:`PROFILES`); a :class:`ParameterError` lists the allowed names."""
    if name not in PROFILES:
        raise ParameterError("profile", name, tuple(PROFILES))
    return PROFILES[name]


def check_device(spec: str | torch.device) -> str:
    """``spec`` as text when it is one of ``auto | cpu | cuda | cuda:N`` (whatever this machine has),
    else a :class:`ParameterError`. A plan for another machine only needs this check."""
    spec = str(spec)
    if spec in ("auto", "cpu", "cuda") or (spec.startswith("cuda:") and spec[5:].isdigit()):
        return spec
    raise ParameterError("device", spec, DEVICES)


def resolve_device(spec: str | torch.device = "auto") -> torch.device:
    """Turn ``auto | cpu | cuda | cuda:N`` into a :class:`torch.device` that exists here.

    ``auto`` picks the first CUDA GPU when one is present, else the CPU. Asking for
    ``cuda`` on a machine without a GPU is an error, never a silent fallback.
    """
    spec = check_device(spec)
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise ParameterError("device", spec, "auto, cpu (no CUDA GPU is available on this machine)")
    index = int(spec[5:]) if ":" in spec else 0
    if index >= torch.cuda.device_count():
        raise ParameterError("device", spec, f"auto, cpu, cuda:0..cuda:{torch.cuda.device_count() - 1}")
    return torch.device(spec)


def _check_positive(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ParameterError(name, value, "a positive integer")


@dataclass(frozen=True)
class RunParams:
    """The parameters of one training run, validated on construction.

    ``model`` may be a former name (:data:`genstudy.models.registry.ALIASES`); it is stored as the
    current one. ``epochs`` and ``batch_size`` default to the profile's budget for the model; ``device`` is kept as the
    user's spec (``auto`` stays ``auto`` in the record) and resolved by :meth:`torch_device`.
    ``model_options`` update the profile's architecture options (e.g. ``{"width": 64}``);
    ``train_options`` update the profile's training options and go to the family's training task
    (e.g. ``{"persistent": True, "k": 5}``).
    ``train_first``: train only on the first this many images of the training split (the rest
    held out, e.g. for a Parzen window's σ); None: the whole split.
    """

    model: str
    dataset: str = "fashion_mnist"
    profile: str = "quick"
    seed: int = 0
    epochs: int | None = None
    batch_size: int | None = None
    device: str = "auto"
    data_dir: str | None = None
    model_options: dict[str, Any] = field(default_factory=dict)
    train_options: dict[str, Any] = field(default_factory=dict)
    train_first: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", canonical_name(self.model))
        _check_positive("train_first", self.train_first)
        if self.dataset not in DATASETS:
            raise ParameterError("dataset", self.dataset, DATASETS)
        prof = get_profile(self.profile)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ParameterError("seed", self.seed, "an integer >= 0")
        _check_positive("epochs", self.epochs)
        _check_positive("batch_size", self.batch_size)
        resolve_device(self.device)
        if self.data_dir is not None and not Path(self.data_dir).expanduser().is_dir():
            raise ParameterError("data_dir", self.data_dir, "an existing directory of IDX files")
        budget = prof.budget(self.model)
        if self.epochs is None:
            object.__setattr__(self, "epochs", budget.epochs)
        if self.batch_size is None:
            object.__setattr__(self, "batch_size", budget.batch_size)

    @property
    def family(self) -> str:
        return MODELS[self.model]

    @property
    def budget(self) -> Budget:
        """The profile's budget for this model, with this run's epochs and batch size."""
        b = get_profile(self.profile).budget(self.model)
        return replace(b, epochs=self.epochs, batch_size=self.batch_size)

    def torch_device(self) -> torch.device:
        return resolve_device(self.device)

    def with_(self, **changes: Any) -> RunParams:
        """A validated copy with some fields changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
