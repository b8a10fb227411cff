"""What every model chapter does with its runs, written once: train its models on the
notebook's parameters, measure them beside the real-data baseline, replay a Gibbs chain."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import torch

from genstudy.config import RunParams, Tempering, get_profile
from genstudy.errors import GenstudyError, ParameterError
from genstudy.metrics import classifier as clf
from genstudy.metrics.coverage import class_coverage
from genstudy.metrics.distances import frechet_distance
from genstudy.models import GenerativeModel
from genstudy.models.rbm import TemperedChains
from genstudy.models.registry import canonical_name, check_dataset
from genstudy.paths import results_dir
from genstudy.runs.evaluate import Reference, evaluate_run, own_training_images, real_baseline, reference
from genstudy.runs.train import TrainedRun, train_run
from genstudy.sampling import bernoulli


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
        """Train each of ``models`` (default: all of the chapter's) with
        :class:`~genstudy.config.RunParams` ``options``; returns them by name. A finished run of
        the same configuration that this very code made (e.g. on a GPU, by ``genstudy prepare``)
        is shown as it was, with its device, instead of retrained; one made by other code, or
        unfinished, is (re)trained (:func:`~genstudy.runs.train.train_run`'s ``same_code``)."""
        runs = {}
        for model in models or self.models:
            name = canonical_name(model)
            if name not in self.models:
                raise ParameterError("model", model, self.models)
            params = RunParams(model=name, dataset=self.dataset, profile=self.profile, seed=self.seed,
                               device=self.device, data_dir=self.data_dir, **options)
            runs[model] = train_run(params, self.results, same_code=True, log=self.log)
        return runs

    def evaluate(self, runs: dict[str, TrainedRun]) -> list[dict[str, Any]]:
        """Measure each run (:func:`~genstudy.runs.evaluate.evaluate_run`) and return their records
        followed by the real-data baseline's (:func:`~genstudy.runs.evaluate.real_baseline`)."""
        records = [evaluate_run(r.directory, data_dir=self.data_dir, device=self.device, log=self.log)
                   for r in runs.values()]
        return [*records, self.baseline()]

    def chain_plan(self) -> MixingPlan:
        """The chain-length study of this chapter's RBM or DBN: the profile's ``chain_lengths`` with
        ``chain_count`` Gibbs chains; where the profile samples them by parallel tempering, the tempered
        chains its evaluation draws (:func:`tempered_plan`)."""
        prof = get_profile(self.profile)
        if prof.tempering is not None:
            return tempered_plan(prof.tempering)
        return MixingPlan(tuple(prof.chain_lengths), prof.chain_count, 1)

    def chain_lengths(self, run: TrainedRun) -> pd.DataFrame:
        """:func:`chain_length_study` of ``run``'s RBM or DBN as :meth:`chain_plan` says, against this
        dataset's reference, started from noise and from the run's own training images."""
        plan = self.chain_plan()
        ref = reference(self.dataset, self.profile, self.data_dir)
        train = own_training_images(run.record, self.data_dir)
        if train is None:
            raise GenstudyError(f"{run.record['run_id']}: its training images cannot be rebuilt from its record")
        return chain_length_study(run.model, ref, train, plan.lengths, plan.chains, self.seed,
                                  temperatures=plan.temperatures, pool=plan.pool, thinning=plan.thinning)

    def baseline(self) -> dict[str, Any]:
        """The real-data baseline's record for this dataset and profile."""
        return real_baseline(self.dataset, self.profile, self.results, data_dir=self.data_dir)


#: Images per start that a study of parallel tempering's chains pools from each chain's last states
#: (:func:`chain_length_study`'s ``pool``): its few chains cost a sweep per replica.
MIXING_IMAGES = 2_000


class MixingPlan(NamedTuple):
    """A run's mixing study (:func:`chain_length_study`'s arguments): the lengths
    measured in sweeps, the chains per start, the replicas of each chain, and the states each chain
    contributes at a length (``pool``, ``thinning`` sweeps apart)."""

    lengths: tuple[int, ...]
    chains: int
    temperatures: int
    pool: int = 1
    thinning: int = 1


def tempered_plan(tempering: Tempering) -> MixingPlan:
    """The mixing study of chains sampled by parallel tempering with ``tempering``'s settings: the evaluation's
    chains and replicas, measured at a third of their burn-in and at the burn-in itself, where the samples
    begin; each length's measure pools every chain's states ``thinning`` sweeps apart, up to
    :data:`MIXING_IMAGES` images a start (fewer where the window would not fit under the shorter length)."""
    early = tempering.burn_in // 3
    pool = max(1, min(MIXING_IMAGES // tempering.chains, (early - 1) // tempering.thinning + 1))
    return MixingPlan((early, tempering.burn_in), tempering.chains, tempering.temperatures, pool, tempering.thinning)


#: Where the chains of :func:`chain_length_study` start.
CHAIN_STARTS = ("noise", "training images")


@torch.no_grad()
def chain_length_study(model: GenerativeModel, ref: Reference, train: torch.Tensor, lengths: Sequence[int],
                       n: int, seed: int, temperatures: int = 1, pool: int = 1, thinning: int = 1) -> pd.DataFrame:
    """FD and class spread of ``n`` Gibbs chains of an RBM or a DBN after each of ``lengths`` sweeps;
    with ``temperatures`` > 1, of ``n`` parallel-tempering chains (:class:`~genstudy.models.rbm.TemperedChains`,
    their base the base rates of the binarized ``train``, or of its up-pass for a DBN), as the evaluation
    samples with a profile's ``tempering``.

    The chains start from uniform noise (as the records' samples do) and, apart, from ``n`` of
    ``train`` (M, 1, H, W) in [0, 1], the model's own training images, binarized once (where
    CD's negative chains start; for a DBN, their sampled activities in its top RBM's visible
    layer). Each start's chains run once and are measured as they pass each length. Chains that
    have mixed have forgotten where they started, so the two starts agree; while they disagree,
    the samples say more about the sampler than about the model.

    With ``pool`` > 1, the measure at each length pools every chain's states at that length and at
    the ``pool − 1`` before it, ``thinning`` sweeps apart (as Gelman & Rubin's diagnostic reads a
    window of each chain, not its last state): ``n · pool`` images from ``n`` chains, so few long
    chains (parallel tempering's, which cost a sweep per replica) are compared on as many images as
    the evaluation scores. Every length must exceed the window, ``(pool − 1) · thinning`` sweeps.

    One row per (start, sweeps): ``start`` (:data:`CHAIN_STARTS`), ``sweeps``, ``fd`` of the
    chains' images (p(v | h), or the DBN's top-down pass) against ``ref``'s test features (with
    ``n`` images, not comparable with a record's FD of ``eval_samples``), ``classes_covered``
    and ``top_class_share`` (the commonest class's share of the ``n`` images, by the
    classifier); with tempering, ``least_swap_acceptance``, the lowest share of swaps accepted by a
    pair of neighbouring replicas so far, and that pair's upper ``least_swap_beta``
    (:attr:`~genstudy.models.rbm.TemperedChains.pair_acceptance`); with ``pool`` > 1, ``images``, the
    ``n · pool`` images each row measures. The same ``seed`` gives the same table.
    """
    if model.family not in ("rbm", "dbn"):
        raise ParameterError("model", model.family, "an RBM or a DBN (a model sampled by Gibbs chains)")
    if n > len(train):
        raise ParameterError("n", n, f"at most the {len(train)} training images given")
    for name, value in (("pool", pool), ("thinning", thinning)):
        if value < 1:
            raise ParameterError(name, value, "an integer >= 1")
    window = (pool - 1) * thinning
    if min(lengths) <= window:
        raise ParameterError("lengths", sorted(set(lengths)), f"lengths above the pooled window of {window} sweeps "
                                                               f"({pool} states {thinning} sweeps apart)")
    ends = sorted(set(int(length) for length in lengths))
    points = sorted({end - j * thinning for end in ends for j in range(pool)})  # the sweeps whose states count
    top = model if model.family == "rbm" else model.rbms[-1]
    base = None
    if temperatures > 1:  # the base rates of the training images, in the top RBM's visible layer
        data = bernoulli(train.flatten(1).to(model.device), torch.Generator(device=model.device).manual_seed(seed))
        base = model.tempering_base(data, torch.Generator(device=model.device).manual_seed(seed))
    rows = []
    for start in CHAIN_STARTS:
        chain = torch.Generator(device=model.device).manual_seed(seed)
        # the DBN's top-down passes draw from their own generator, so the chain is the same
        # whichever lengths are measured
        down = torch.Generator(device=model.device).manual_seed(seed + 1)
        if start == "noise":
            v = bernoulli(torch.full((n, top.n_visible), 0.5, device=model.device), generator=chain)
        else:
            v = bernoulli(train[:n].flatten(1).to(model.device), generator=chain)
            if model.family == "dbn":
                v = bernoulli(model.up(v, model.n_layers - 1), generator=chain)
        chains = TemperedChains(top, v, temperatures, chain, base)
        done = 0
        measured: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}  # sweep -> (features, class probabilities)
        swaps: dict[int, torch.Tensor] = {}  # length -> each pair's acceptance so far
        for point in points:
            v_prob = chains.run(point - done)
            done = point
            images = v_prob if model.family == "rbm" else model.down(chains.drawn, down)
            images = ref.classifier.crop(images.reshape(n, *model.data_shape).float().cpu().clamp(0.0, 1.0))
            measured[point] = clf.predict(ref.classifier, images)
            if point in ends and temperatures > 1:
                swaps[point] = chains.pair_acceptance
        for length in ends:
            states = [measured[length - j * thinning] for j in range(pool)]
            features, probs = torch.cat([f for f, _ in states]), torch.cat([p for _, p in states])
            cover = class_coverage(probs.argmax(1).numpy(), ref.data_shares)
            row = {"start": start, "sweeps": length, "fd": frechet_distance(ref.features, features),
                   "classes_covered": cover.covered, "top_class_share": float(cover.shares.max())}
            if temperatures > 1:
                least = int(swaps[length].nan_to_num(nan=float("inf")).argmin())
                row |= {"least_swap_acceptance": float(swaps[length][least]),
                        "least_swap_beta": float(chains.betas[least])}
            if pool > 1:
                row["images"] = n * pool
            rows.append(row)
    return pd.DataFrame(rows)


#: Two starts' FDs within this share of each other, at the longest chains, count as agreeing
#: (the FD's no-difference band of :mod:`genstudy.metrics.catalog`).
MIXED_FD = 0.10


def starts_gap(table: pd.DataFrame, sweeps: int) -> float:
    """How far apart the two starts' chains are after ``sweeps`` (a length of the :func:`chain_length_study`
    ``table``): ``|FD_noise − FD_data| / max(FD_noise, FD_data)``."""
    at = table[table["sweeps"] == sweeps].set_index("start")["fd"]
    if len(at) != len(CHAIN_STARTS):
        raise ParameterError("sweeps", sweeps, f"a length of the study: {sorted(set(table['sweeps']))}")
    noise, data = at[CHAIN_STARTS[0]], at[CHAIN_STARTS[1]]
    return float(abs(noise - data) / max(noise, data))


def mixed_at(table: pd.DataFrame, band: float = MIXED_FD) -> int | None:
    """The fewest sweeps of the :func:`chain_length_study` ``table`` from which on, to its longest chains,
    the two starts agree within ``band`` (:func:`starts_gap`): the chain length shown to mix. None when
    they disagree at the longest chains: no length of the study is shown to mix."""
    lengths = sorted(set(int(s) for s in table["sweeps"]))
    agree = [starts_gap(table, s) <= band for s in lengths]
    if not agree[-1]:
        return None
    first = len(agree) - 1
    while first > 0 and agree[first - 1]:
        first -= 1
    return lengths[first]


def mixes(table: pd.DataFrame, sweeps: int, band: float = MIXED_FD) -> bool:
    """Whether samples drawn by chains of ``sweeps`` sweeps come from chains shown to mix: the study
    reached agreement (:func:`mixed_at`) at ``sweeps`` or fewer."""
    shown = mixed_at(table, band)
    return shown is not None and shown <= sweeps


def mixing_summary(table: pd.DataFrame) -> str:
    """What a :func:`chain_length_study` table says, in one sentence: whether the two starts
    agree at the longest chains (FD within :data:`MIXED_FD`), and whether the noise-started
    chains were still improving over the last two lengths."""
    last = int(table["sweeps"].max())
    at = table[table["sweeps"] == last].set_index("start")
    noise, data = at.loc[CHAIN_STARTS[0]], at.loc[CHAIN_STARTS[1]]
    gap = abs(noise["fd"] - data["fd"]) / max(noise["fd"], data["fd"])
    fds = table[table["start"] == CHAIN_STARTS[0]].sort_values("sweeps")["fd"].to_numpy()
    improving = len(fds) > 1 and fds[-1] < (1 - MIXED_FD) * fds[-2]
    state = (f"after {last:,} sweeps the chains from noise (FD {noise['fd']:.1f}, commonest class "
             f"{noise['top_class_share']:.0%}) and from training images (FD {data['fd']:.1f}, "
             f"{data['top_class_share']:.0%}) ")
    if gap <= MIXED_FD:
        verdict = "agree within 10%: the chains have forgotten their start, so the samples show the model"
    else:
        verdict = (f"still differ by {gap:.0%}: the chains have not mixed, so the samples show the sampler "
                   "as much as the model")
    trend = ("; the chains from noise were still improving (FD down by more than 10% over the last step), "
             "so longer chains would give better samples" if improving else "")
    return state + verdict + trend + "."


def chain_snapshots(model: GenerativeModel, steps: list[int], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` Gibbs chains of an RBM or DBN after each number of sweeps in ``steps``, as
    ``{"<s> Gibbs steps": (n, H, W) array in [0, 1]}``. Every row starts from the same seed,
    so it continues the chains of the row above it."""
    out = {}
    for s in sorted(set(steps)):
        g = torch.Generator(device=model.device).manual_seed(seed)
        out[f"{s} Gibbs steps"] = model.chains(n, s, g)[:, 0].cpu().numpy()
    return out
