"""The chapter *Against the literature*'s plan: its rows' recipes (:class:`LiteratureRun`), Stacked
MNIST (:class:`StackedRun`), the recipe changes it measures (:class:`Ablation`), per book profile
(:data:`LITERATURE`, :func:`literature_plan`).

A module of its own, apart from :mod:`genstudy.config`: the Fashion-MNIST runs import the config, never
this plan, so a change of the literature's recipes leaves their code digests (and their training) as
they were. Every literature run records the recipe it trained with (its record's ``config``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from genstudy.config import PARZEN_HELD_OUT_FROM, get_profile


@dataclass(frozen=True)
class LiteratureRun:
    """One model of the chapter *Against the literature* (binarized MNIST): the registry's ``model``
    with ``model_options`` (architecture) and ``train_options`` (its training task's), trained for
    ``epochs`` passes in batches of ``batch_size`` over the profile's training images."""

    model: str
    epochs: int
    batch_size: int
    model_options: dict[str, Any] = field(default_factory=dict)
    train_options: dict[str, Any] = field(default_factory=dict)
    train_first: int | None = None


@dataclass(frozen=True)
class StackedRun:
    """DCGAN on Stacked MNIST (:mod:`genstudy.data.stacked`): ``images`` training images, ``epochs``
    passes in batches of ``batch_size``, networks of ``width``; its modes counted in ``samples``
    samples, and in ``probe_samples`` at each of ``probes`` evenly spaced steps of training."""

    images: int
    epochs: int
    batch_size: int = 64
    width: int = 32
    samples: int = 26_000
    probes: int = 10
    probe_samples: int = 2_000


@dataclass(frozen=True)
class Ablation:
    """A recipe that differs from a row's in one ``change`` (in words), trained and measured beside
    the row (``row``'s runs, every seed) to measure what that change is worth: ``run`` is the row's
    run with the change undone."""

    row: str
    change: str
    run: LiteratureRun


@dataclass(frozen=True)
class LiteraturePlan:
    """What the chapter *Against the literature* trains in a book of one profile: ``runs`` by row
    name, each for every seed of ``seeds``, measured on ``profile``'s evaluation settings (a book's
    profile may use a smaller one: ``reduced`` says so and why), ``stacked``, DCGAN on Stacked
    MNIST for every seed, and ``ablations`` by name, each a row's recipe less one change."""

    profile: str
    seeds: tuple[int, ...]
    runs: dict[str, LiteratureRun]
    stacked: StackedRun
    reduced: str | None = None
    ablations: dict[str, Ablation] = field(default_factory=dict)

    @property
    def reuses_runs(self) -> bool:
        """Whether the chapter keeps finished runs and resumes interrupted ones (the full version's
        hours), rather than retraining every run as a reduced page does to show the runs it made."""
        return self.reduced is None


def _literature_runs(rbm_epochs: int, dbn_epochs: tuple[int, int], vae_epochs: int, gan_epochs: int
                     ) -> dict[str, LiteratureRun]:
    """The chapter's runs at these epochs (the DBN's: bottom layer, top layer): the papers' architectures,
    and recipes that reach their numbers on a CPU (:mod:`genstudy.study.literature` lists every
    difference from the papers' protocols)."""
    # Persistent CD (Tieleman 2008) with a step decayed to a hundredth, for the paper's CD-25: on MNIST
    # (seed 0, 20 epochs, AIS with 1,000 β on 1,000 test images, which reads such an RBM several nats too
    # high: runs.probe.LikelihoodProbe) PCD-1 at 0.05 reached -89.5 nats and at
    # 0.1 -88.8, where CD-25 at 0.05 had -105 after 10 epochs at 13 times the step's cost; at 0.01 PCD-1 was
    # at -113 after 8 epochs, PCD-10 at 0.005 at -141 after 4; momentum 0.9 after epoch 5 made the chains
    # run away (-107 -> -204 nats within two epochs). The step is decayed geometrically to a hundredth, not
    # linearly to a tenth: 100 epochs of the linear decay ended at -94.0, -102.0 and -95.8 nats (seeds 0-2),
    # and continued from seed 1's end at a constant 0.001 the model read -88.2 to -91.2 after 5-15 epochs
    # (at 0.005: -93.2 to -99.2), so PCD's likelihood follows its current step (training.schedules).
    pcd = {"k": 1, "persistent": True, "lr_schedule": "geometric"}
    return {
        # Salakhutdinov & Murray (2008): 500 hidden units, mini-batches of 100.
        "rbm": LiteratureRun("rbm", rbm_epochs, 100, {"n_hidden": 500}, {**pcd, "lr": 0.05}),
        # Their DBN: that RBM, then 2,000 hidden units on top, which starts from the first layer's transpose
        # (Hinton et al. 2006's greedy step: the DBN starts at the first RBM's likelihood), at a fifth of its step.
        "dbn": LiteratureRun("dbn", dbn_epochs[0], 100, {"hidden": [500, 2_000]},
                             {**pcd, "lr": [0.05, 0.01], "init_from_below": True, "layer_epochs": list(dbn_epochs)}),
        # Burda et al. (2016): 784-200-200-50 (tanh), k = 1 (the VAE), Adam with ε = 1e-4, mini-batches of
        # 20, their step schedule compressed into our epochs.
        "vae": LiteratureRun("vae_iwae", vae_epochs, 20, {}, {"eps": 1e-4, "lr_schedule": "burda"}),
        # Goodfellow et al. (2014) trained an MLP GAN on the first 50,000 training images; the study's GAN is
        # DCGAN (narrow, CPU).
        "gan": LiteratureRun("dcgan", gan_epochs, 64, {"width": 32}, train_first=PARZEN_HELD_OUT_FROM),
    }


def _literature_ablations(runs: dict[str, LiteratureRun]) -> dict[str, Ablation]:
    """The recipe changes the chapter measures, each against the row of ``runs`` it changes."""
    rbm = runs["rbm"]
    linear = replace(rbm, train_options={**rbm.train_options, "lr_schedule": "linear"})
    return {"rbm_linear": Ablation("rbm", "the step decayed linearly to a tenth instead of geometrically to a "
                                          "hundredth (the chapter's recipe before)", linear)}


_SMOKE_RUNS = _literature_runs(1, (1, 1), 1, 1)
_QUICK_RUNS = _literature_runs(5, (5, 2), 5, 2)
# The VAE's and the GAN's budgets: at 100 and 20 epochs (3 seeds) their curves still rose over the last
# third (the IWAE bound by 1.61 nats to -92.23, the Parzen estimate by 11.29 to 179.61), short of the
# papers' -86.76 and 225; four and three times as long, as one CPU core trains them within a sitting
# (the VAE's step at batch 20: 1.9 ms alone; DCGAN's at batch 64: 88 ms; an AMD EPYC core). Trained so,
# two runs side by side on that 2-core machine: the VAE 2,708 and 2,781 s (seeds 0, 1), the GAN 4,263 s.
_FULL_RUNS = _literature_runs(300, (300, 90), 400, 60)
#: The chapter *Against the literature* per book profile. The ``literature`` profile is the
#: chapter's own, sized from step times measured on one CPU core (PCD-1 on a 784x500 RBM at batch 100:
#: 2.9 s an epoch; the CD-25 step: 38 ms on 2 cores; the VAE's at batch 20: 2.3 ms; the IWAE bound:
#: 4.5 µs per image and sample, 227 s for 10,000 x 5,000); the full book runs it. Smoke and quick show it
#: reduced: the smoke profile's evaluation on 500 images, marked as such.
LITERATURE: dict[str, LiteraturePlan] = {
    "smoke": LiteraturePlan("smoke", (0,), _SMOKE_RUNS,
                            StackedRun(2_000, 1, samples=2_000, probes=3, probe_samples=500),
                            reduced="1 epoch of 2,000 images, one seed: the chapter's plumbing, not its numbers",
                            ablations=_literature_ablations(_SMOKE_RUNS)),
    "quick": LiteraturePlan("smoke", (0, 1, 2), _QUICK_RUNS,
                            StackedRun(2_000, 2, samples=5_000, probes=3, probe_samples=1_000),
                            reduced="2,000 training images and the smoke profile's evaluation (500 test images, "
                                    "300 AIS steps, k = 20), 3 seeds: far from the papers' budgets",
                            ablations=_literature_ablations(_QUICK_RUNS)),
    # Stacked MNIST: 60,000 images, 3 epochs of DCGAN (width 32, 3 channels) per seed.
    "full": LiteraturePlan("literature", (0, 1, 2), _FULL_RUNS, StackedRun(60_000, 3),
                           ablations=_literature_ablations(_FULL_RUNS)),
}
LITERATURE["literature"] = LITERATURE["full"]


def literature_plan(profile: str) -> LiteraturePlan:
    """The chapter *Against the literature*'s plan in a book of ``profile``."""
    get_profile(profile)
    return LITERATURE[profile]
