"""Profiles (smoke / quick / full) and validated run parameters.

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
    sweeps; the mixing study runs the same chains from noise and from training images to ``burn_in``."""

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


_NARROW_DCGAN = {"options": {"width": 32}}
#: DCGAN's quick budget; the matched VAE (``vae_dcgan``) gets the same one: same networks, same
#: batch, same number of steps.
_DCGAN_QUICK = {"epochs": 3, "batch_size": 64, **_NARROW_DCGAN}
#: The article's GANs on quick: 468 steps. At 624 (4 epochs) the normalised one's probe FD was 545
#: against 661 at 468 (seed 0), but its four trainings (TensorFlow and PyTorch, with and without
#: batch normalisation) then took 44% of a 22-minute quick book; the remedies were run at 624.
_ARTICLE_GAN_QUICK = {"train_size": 10_000, "epochs": 3, "batch_size": 64}

#: The full profile's budgets beyond its default (20 epochs of 60,000 images at batch 128), set by the long
#: runs of ``genstudy budgets`` (``results/budgets/full/``, seed 0, shown in the comparison chapter) read by
#: the book's flatness rule (``study.flatness``: less than 2% better over the last fifth of training). Where
#: a curve was still improving at the end of its long run, the budget is that run's length, the longest
#: measured: DCGAN (probe FD 52 at 8 epochs, ~20 at 24, still 6.7% better over its last fifth) and its
#: matched VAE (same networks, batch and steps) 24 epochs of batch 64 at the quick width (32; 64 costs ~4x a
#: step); the convolutional VAE 30 (274 at 10, 226 at 30; 4.0%). The MLP VAE 90: its FD falls roughly like a
#: power of the epochs, whose improvement over a last fifth is about the same at every length, and reads
#: 1.7-2.6% from ~80 epochs to 150; 90 is the first stretch read flat (FD 218 at 90, 208 at 150). Unchanged
#: where a longer run did not improve beyond its probes' noise: the RBM (its FD best after ~5 epochs, worse
#: at 60), the DBN 10 epochs a layer (its top layer's FD 650-700 at 10, 20 and 40), the autoencoder and the
#: GMM on its codes (flat at 20 on three seeds). The article's GANs keep their quick budget: they test the
#: article's code, not a family.
_FULL_DCGAN = {"epochs": 24, "batch_size": 64, **_NARROW_DCGAN}
_FULL_OVERRIDES: dict[str, dict[str, Any]] = {
    "dcgan": _FULL_DCGAN, "vae_dcgan": _FULL_DCGAN,
    "article_gan": _ARTICLE_GAN_QUICK, "article_gan_bn": _ARTICLE_GAN_QUICK,
    "vae_conv": {"epochs": 30}, "vae_mlp": {"epochs": 90}, "dbn": {"epochs": 10},
}

PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("smoke", "CI and nbval: every notebook < 60 s on a 2-core CPU",
                train_size=2_000, epochs=1, seeds=(0,), eval_samples=500, batch_size=64,
                stats_size=2_000, gibbs_steps=100,
                # the article's GANs (17.6 million parameters, ~0.6 s a step under the exact pins): 4 steps
                overrides={"dcgan": _NARROW_DCGAN, "vae_dcgan": _NARROW_DCGAN, "article_gan": {"train_size": 256},
                           "article_gan_bn": {"train_size": 256}},
                likelihood_size=500, iwae_k=20, ais_steps=300, ais_chains=32, toy_steps=300,
                chain_lengths=(10, 100, 300), chain_count=100,
                probes=3, probe_samples=200, probe_gibbs_steps=50, sampling_repeats=1),
        Profile("quick", "the default book on a laptop-class CPU: whole book <= 20 min on 2 cores",
                train_size=20_000, epochs=10, seeds=(0,), eval_samples=2_000, batch_size=128,
                stats_size=None, gibbs_steps=1_000,
                overrides={
                    # GAN steps cost ~0.06 s (DCGAN) and ~0.23 s (the article's GAN) on
                    # 2 AVX-512 cores at batch 64; smaller batches buy more updates for the same
                    # compute. At 468 steps the normalised article GAN draws garments.
                    "dcgan": _DCGAN_QUICK,
                    "vae_dcgan": _DCGAN_QUICK,
                    "article_gan": _ARTICLE_GAN_QUICK,
                    "article_gan_bn": _ARTICLE_GAN_QUICK,
                    "vae_conv": {"epochs": 4},
                    "dbn": {"epochs": 5},
                },
                # 2,000 β left the trained RBM's AIS with an effective sample size of 1.5 of 100 chains.
                likelihood_size=1_000, iwae_k=100, ais_steps=10_000, ais_chains=100, toy_steps=4_000,
                # 6,000 sweeps of 200 chains: about 40 s for the 784-500 RBM on 2 cores
                chain_lengths=(100, 300, 1_000, 3_000), chain_count=200,
                # From noise, the RBM's and DBN's chains had the same FD (within 4%) after 100 and
                # after 3,000 sweeps (chain-length study, quick, seed 0): 100 sweeps serve a probe.
                probes=8, probe_samples=500, probe_gibbs_steps=100),
        Profile("full", "the published study: full training set, 3 seeds, budgets set by long runs; "
                "a GPU's work (about 5.5 h on 2 CPU cores)",
                train_size=None, epochs=20, seeds=(0, 1, 2), eval_samples=10_000, batch_size=128,
                stats_size=None, gibbs_steps=1_000, overrides=_FULL_OVERRIDES,
                # The IWAE bound costs one decoder pass per image and sample (vae_conv: ~66 µs on 2 cores):
                # 2,000 x 1,000 is ~2 min a run. Salakhutdinov & Murray's (2008) AIS schedule.
                likelihood_size=2_000, iwae_k=1_000, ais_steps=14_500, ais_chains=100, toy_steps=10_000,
                chain_lengths=(100, 300, 1_000, 3_000), chain_count=500,
                # 10 probes: the flatness rule (study.flatness) compares the mean of the last two (the last fifth
                # of training) with the mean of the two before.
                probes=10, probe_samples=1_000, probe_gibbs_steps=200, published=True),
    )
}


#: The profiles a whole book is built on; ``literature`` is the chapter *Against the literature*'s own.
BOOK_PROFILES = tuple(PROFILES)
#: The test suite's profile for the chapter × dataset pairs it runs with the papermill command line, whose only
#: question is whether a chapter runs to its end (or refuses) on a dataset: every code path of the smoke
#: profile, with a fraction of its work. Not a book's profile.
PROFILES["tiny"] = Profile(
    "tiny", "the test suite's run-or-refuse pairs: every chapter's code on a dataset, with the least work",
    train_size=512, epochs=1, seeds=(0,), eval_samples=200, batch_size=64, stats_size=512, gibbs_steps=20,
    overrides={"dcgan": _NARROW_DCGAN, "vae_dcgan": _NARROW_DCGAN, "article_gan": {"train_size": 256},
               "article_gan_bn": {"train_size": 256}},
    likelihood_size=100, iwae_k=5, ais_steps=100, ais_chains=16, toy_steps=100, chain_lengths=(5, 20),
    chain_count=50, probes=3, probe_samples=100, probe_gibbs_steps=10, sampling_repeats=1)
PROFILES["literature"] = Profile(
    "literature", "the chapter 'Against the literature' on binarized MNIST: all rows, 3 seeds, <= 2 h on 2 CPU cores",
    train_size=None, epochs=10, seeds=(0, 1, 2), eval_samples=10_000, batch_size=100, stats_size=None,
    # 200 sweeps: the chain-length study (quick, Fashion-MNIST) found the chains' FD flat from 100 to 3,000.
    gibbs_steps=200,
    # The papers' evaluation: all 10,000 test images, Burda et al.'s k = 5,000, Salakhutdinov & Murray's
    # 14,500 β and 100 chains; Goodfellow et al.'s Parzen window on 10,000 samples (eval_samples).
    likelihood_size=10_000, iwae_k=5_000, ais_steps=14_500, ais_chains=100,
    chain_lengths=(100, 300), chain_count=200, probes=10, probe_samples=500, probe_gibbs_steps=100,
    # committed with the full book's results (results/literature/literature/)
    published=True, parzen="goodfellow",
    # Gibbs chains of the MNIST RBM from noise and from training images stay 22-65% apart in FD after
    # 1,000 sweeps; tempered ones (16 replicas) are shown to agree by the chapter's mixing study.
    tempering=Tempering())


#: Configurations per model of the hyperparameter search (:mod:`genstudy.runs.search`) unless told otherwise.
SEARCH_CONFIGS = 8


def get_profile(name: str) -> Profile:
    """The profile called ``name``; a :class:`ParameterError` lists the allowed names."""
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
