"""One yardstick for every run: the metrics of :mod:`genstudy.metrics` applied to a run's samples
and model, and to real data (the baseline that shows what "perfect" looks like).

* :func:`reference` — the real images every metric compares with, for a dataset and a
  profile: ``eval_samples`` test images (class-balanced, fixed), their classifier
  features, the data's class shares, validation images for Parzen's σ and one fixed
  binarization of ``likelihood_size`` test images for the binary likelihoods.
* :func:`image_metrics` — FD, KID, precision/recall, density/coverage, class coverage and
  Parzen log-density, and (given the training images) the memorisation measures of any
  (N, 1, H, W) set of images in [0, 1]; FD in a second embedding where one is committed.
* :func:`likelihood_metrics` — the family's own estimator: IWAE bound and ELBO (VAE),
  AIS log-likelihood (RBM), variational lower bound (DBN); nothing for GANs and the
  autoencoder, which define no likelihood.
* :func:`evaluate_run` — rebuild a run from its folder, draw ``eval_samples`` samples, fill
  the record's ``metrics`` and ``evaluation`` blocks (``genstudy evaluate RUN_DIR``). A
  PyTorch run is rebuilt here; another framework's runs by the loader that its layer
  registers in :data:`SAMPLER_LOADERS` (the article's TensorFlow runs: :mod:`genstudy.article`).
* :func:`real_baseline` — the same image metrics for training images against the test
  reference: a record ``real-<dataset>`` beside the runs.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genstudy.config import PARZEN_HELD_OUT_FROM, Tempering, get_profile, resolve_device
from genstudy.data import balanced_subset, load_images, to_tensor
from genstudy.errors import GenstudyError
from genstudy.io import load_torch
from genstudy.metrics import classifier as clf
from genstudy.metrics import guards
from genstudy.metrics.coverage import class_coverage
from genstudy.metrics.distances import frechet_distance, kernel_distance
from genstudy.metrics.likelihood import (
    GOODFELLOW_SIGMAS,
    LEVELS,
    STUDY_SIGMAS,
    bits_per_dim,
    dbn_bound,
    dbn_lower_bound,
    dequantize,
    parzen_log_likelihood,
    rbm_log_likelihood,
    vae_bounds,
)
from genstudy.metrics.manifold import density_coverage, precision_recall
from genstudy.metrics.memorisation import memorisation
from genstudy.models import GenerativeModel, build
from genstudy.models.dbn import DBN
from genstudy.models.rbm import RBM
from genstudy.runs.artifacts import write_scored_samples
from genstudy.runs.record import device_description, new_record, read_record, run_dir, write_record
from genstudy.runs.training_set import training_images
from genstudy.sampling import bernoulli

#: A sampler: ``(n, torch generator) -> (n, 1, H, W)`` float images in [0, 1].
Sampler = Callable[[int, torch.Generator], torch.Tensor]
#: Framework → ``(run folder, record) -> Sampler`` for runs not trained in PyTorch; a layer
#: that trains in another framework registers its loader here when it is imported.
SAMPLER_LOADERS: dict[str, Callable[[Path, dict[str, Any]], Sampler]] = {}

#: Seeds of the fixed reference subsets (independent of the runs' seeds).
REFERENCE_SEED, VALIDATION_SEED, BINARIZATION_SEED, BASELINE_SEED = 10_001, 10_002, 10_003, 10_004
#: The uniform noise that dequantizes the test images' 8-bit levels for a density of grey levels.
DEQUANTIZATION_SEED = 10_005
DEQUANTIZED = f"(k + u) / 256, u uniform, seed {DEQUANTIZATION_SEED}"
VALIDATION_SIZE = 1_000


@dataclass(frozen=True)
class Reference:
    """Real data every metric of one dataset and profile compares with (tensors on the CPU).

    ``test`` (n, 1, S, S) in [0, 1] and its ``features`` (n, 128); ``data_shares`` (K,) the
    training split's class shares; ``validation`` images for Parzen's σ (from the training
    split); ``likelihood_test`` the first ``likelihood_size`` test images in [0, 1] and
    ``binary_test`` one fixed Bernoulli draw of them; ``train`` class-balanced training
    images (the real-data baseline's "samples", the AIS base rates). ``second`` is the
    dataset's second classifier, when one is committed, and ``features_second`` the test
    images' features in it (the independent embedding of the ``fd_second`` metric).
    ``parzen_sigmas``: the bandwidths Parzen's σ is chosen from (the profile's ``parzen`` protocol).
    """

    dataset: str
    profile: str
    classes: tuple[str, ...]
    classifier: clf.FeatureClassifier
    test: torch.Tensor
    features: torch.Tensor
    data_shares: np.ndarray
    validation: torch.Tensor
    likelihood_test: torch.Tensor
    binary_test: torch.Tensor
    train: torch.Tensor
    second: clf.FeatureClassifier | None = None
    features_second: torch.Tensor | None = None
    parzen_sigmas: tuple[float, ...] = STUDY_SIGMAS

    def describe(self) -> dict[str, Any]:
        cards = clf.read_manifest()
        card = cards[self.dataset]
        second = cards.get(clf.card_key(self.dataset, second=True)) if self.second is not None else None
        return {
            "reference": f"{len(self.test):,} class-balanced test images",
            "likelihood_test": f"{len(self.likelihood_test):,} test images (binary families: one fixed "
                               f"Bernoulli draw, seed {BINARIZATION_SEED})",
            "classifier": {"dataset": card.dataset, "sha256": card.sha256, "test_accuracy": card.test_accuracy},
            "classifier_second": None if second is None else
            {"dataset": second.dataset, "sha256": second.sha256, "test_accuracy": second.test_accuracy},
        }


@functools.lru_cache(maxsize=4)
def reference(dataset: str, profile: str, data_dir: str | None = None) -> Reference:
    """The :class:`Reference` of ``dataset`` on ``profile`` (cached per process)."""
    prof = get_profile(profile)
    ds = load_images(dataset, data_dir)
    model = clf.load_classifier(dataset)
    n = min(prof.eval_samples, len(ds.test))
    test = to_tensor(ds.test.images[balanced_subset(ds.test.labels, n, REFERENCE_SEED)])
    features, _ = clf.predict(model, test)
    shares = ds.train.class_counts(ds.n_classes) / len(ds.train)
    if prof.parzen == "goodfellow":  # the images Goodfellow et al.'s models did not train on
        validation = to_tensor(ds.train.images[PARZEN_HELD_OUT_FROM:])
    else:
        validation = to_tensor(ds.train.images[balanced_subset(ds.train.labels, VALIDATION_SIZE, VALIDATION_SEED)])
    lik = to_tensor(ds.test.images[balanced_subset(ds.test.labels, min(prof.likelihood_size, len(ds.test)),
                                                   REFERENCE_SEED)])
    binary = bernoulli(lik, torch.Generator().manual_seed(BINARIZATION_SEED))
    train = to_tensor(ds.train.images[balanced_subset(ds.train.labels, n, BASELINE_SEED)])
    second, features_second = None, None
    if clf.card_key(dataset, second=True) in clf.read_manifest():
        second = clf.load_classifier(dataset, second=True)
        features_second = clf.predict(second, test)[0]
    sigmas = GOODFELLOW_SIGMAS if prof.parzen == "goodfellow" else STUDY_SIGMAS
    return Reference(dataset, profile, ds.classes, model, test, features, shares, validation, lik, binary, train,
                     second, features_second, sigmas)


def image_metrics(images: torch.Tensor, ref: Reference, seed: int = 0, train: torch.Tensor | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every sample-based metric of ``images`` (N, 1, H, W) in [0, 1] against ``ref``.

    With ``train`` (M, 1, S, S), the model's own training images, also the memorisation
    measures (:mod:`genstudy.metrics.memorisation`) against the reference's test images.
    Returns ``(metrics, details)``: scalars for the record's ``metrics`` block, and the
    class counts and Parzen bandwidth search for its ``evaluation`` block.
    """
    images = ref.classifier.crop(images.detach().float().cpu().clamp(0.0, 1.0))
    features, probs = clf.predict(ref.classifier, images)
    kid = kernel_distance(ref.features, features, seed=seed)
    pr = precision_recall(ref.features, features)
    dc = density_coverage(ref.features, features)
    classes = class_coverage(probs.argmax(1).numpy(), ref.data_shares)
    parzen = parzen_log_likelihood(images, ref.validation, ref.likelihood_test, ref.parzen_sigmas)
    metrics = {
        "fd": frechet_distance(ref.features, features),
        "kid": kid.mean, "kid_std": kid.std,
        "precision": pr.precision, "recall": pr.recall, "density": dc.density, "coverage": dc.coverage,
        "class_kl": classes.kl, "classes_covered": classes.covered,
        "parzen_ll": parzen.mean, "parzen_sem": parzen.sem,
    }
    if ref.second is not None:
        metrics["fd_second"] = frechet_distance(ref.features_second, clf.predict(ref.second, images)[0])
    if train is not None:
        mem = memorisation(images, train, ref.test)
        metrics.update({"nn_ratio": mem.nn_ratio, "copies": mem.copies})
    details = {
        "samples": len(images),
        "class_counts": dict(zip(ref.classes, classes.counts.tolist(), strict=True)),
        "parzen_sigma": parzen.sigma,
        "parzen_validation": {str(k): round(v, 3) for k, v in parzen.validation.items()},
        "kid_subsets": [kid.subsets, kid.subset_size],
    }
    return metrics, details


@torch.no_grad()
def likelihood_metrics(model: GenerativeModel, ref: Reference, generator: torch.Generator,
                       train: torch.Tensor | None = None, probe_size: int | None = None
                       ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The family's own log-likelihood estimate (nats per image) on the reference's test images,
    checked by :func:`genstudy.metrics.guards.check` before it is reported.

    ``metrics`` gets ``log_likelihood`` (and ``elbo`` for Bernoulli VAEs; for a VAE of grey levels
    ``bits_per_dim`` instead, its IWAE bound on the dequantized 8-bit levels,
    :func:`~genstudy.metrics.likelihood.bits_per_dim`, checked as a probability; ``log_likelihood_low`` /
    ``_high`` for AIS-based values; for a DBN ``first_layer_log_likelihood``, its first RBM's own
    AIS log-likelihood, when that passed its guard) when the estimate passed its guard, or
    ``log_likelihood_withheld`` (the reasons) when it did not; ``log_likelihood_estimator``
    names the estimator. With ``train`` (N, 1, S, S) grey training images of the model, also
    ``log_likelihood_train``: the same estimator on (a binarization of) them, for the
    generalisation gap. With ``probe_size`` (a run whose likelihood was probed during training,
    :class:`~genstudy.runs.probe.LikelihoodProbe`), also ``log_likelihood_probe_set``: the same final
    estimate (the same log Z) on the probe's held-out images, the first ``probe_size`` binarized test
    images, against which the curve's last point is checked. ``details["likelihood_guard"]`` keeps the
    value and every check. Empty for families without a likelihood.
    """
    if model.family not in ("vae", "rbm", "dbn"):
        return {}, {}
    prof = get_profile(ref.profile)
    dev = model.device
    n = len(ref.likelihood_test)
    train_binary = None if train is None else bernoulli(train[:n], torch.Generator().manual_seed(BINARIZATION_SEED))
    ceiling = guards.binarization_ceiling(ref.likelihood_test)
    if model.family == "vae" and model.likelihood != "bernoulli":  # a density of grey levels: dequantized
        levels = dequantize(ref.likelihood_test, torch.Generator().manual_seed(DEQUANTIZATION_SEED))
        bounds = vae_bounds(model, levels.to(dev), prof.iwae_k, generator)
        dims = int(levels[0].numel())
        metrics = {"bits_per_dim": bits_per_dim(bounds.iwae, dims),
                   "log_likelihood_estimator": f"IWAE bound, k={bounds.k}, on dequantized 8-bit levels "
                                               f"({DEQUANTIZED}; bits per dimension, an upper bound)"}
        discrete = bounds.iwae - dims * math.log(LEVELS)  # nats per 8-bit image: a probability's, so <= 0
        return _guarded(metrics, guards.check(discrete, ceiling=0.0),
                        {"iwae_k": bounds.k, "dequantized_log_density": bounds.iwae}, discrete)
    if model.family == "vae":
        bounds = vae_bounds(model, ref.binary_test.to(dev), prof.iwae_k, generator)
        metrics = {"log_likelihood": bounds.iwae, "elbo": bounds.elbo,
                   "log_likelihood_estimator": f"IWAE bound, k={bounds.k} (binarized)"}
        if train_binary is not None:
            metrics["log_likelihood_train"] = vae_bounds(model, train_binary.to(dev), prof.iwae_k, generator).iwae
        if probe_size:
            probe_set = ref.binary_test[:probe_size].to(dev)
            metrics["log_likelihood_probe_set"] = vae_bounds(model, probe_set, prof.iwae_k, generator).iwae
        return _guarded(metrics, guards.check(bounds.iwae, ceiling=ceiling), {"iwae_k": bounds.k})
    base = bernoulli(ref.train, torch.Generator().manual_seed(BINARIZATION_SEED)).flatten(1).to(dev)
    kwargs = {"n_chains": prof.ais_chains, "n_steps": prof.ais_steps, "generator": generator}
    if model.family == "rbm":
        ll = rbm_log_likelihood(model, ref.binary_test.to(dev), base, **kwargs)
        mean, low, high, two_way, floor = ll.mean, ll.low, ll.high, ll.ais, ll.floor
        train_ll = None if train_binary is None else \
            float((-model.free_energy(train_binary.flatten(1).to(dev))).double().mean()) - two_way.best.log_z
        estimator = f"AIS log Z ({two_way.best.n_steps} β, {len(two_way.best.log_weights)} chains)"
    else:
        bound = dbn_lower_bound(model, ref.binary_test.to(dev), base, **kwargs)
        two_way, floor, mean = bound.ais, bound.floor, bound.mean
        ais = two_way.best
        low, high = mean - (ais.log_z_high - ais.log_z), mean + (ais.log_z - ais.log_z_low)
        train_ll = None if train_binary is None else dbn_bound(model, train_binary, ais.log_z, generator=generator)
        estimator = (f"variational lower bound, top-RBM log Z by AIS ({ais.n_steps} β, "
                     f"{len(ais.log_weights)} chains)")
        first = rbm_log_likelihood(model.rbms[0], ref.binary_test.to(dev), base, **kwargs)
        first_guard = guards.check(first.mean, ceiling=ceiling, ais=first.ais, floor=first.floor)
    ais = two_way.best
    details = {"ais": {"log_z": ais.log_z, "log_z_low": _finite(ais.log_z_low), "log_z_high": ais.log_z_high,
                       "effective_sample_size": round(ais.effective_sample_size, 2),
                       "annealed_over": "visible side" if ais is two_way.visible else "hidden side",
                       "steps": ais.n_steps, "chains": len(ais.log_weights)}}
    metrics = {"log_likelihood": mean, "log_likelihood_low": _finite(low), "log_likelihood_high": _finite(high),
               "log_likelihood_estimator": estimator}
    if train_ll is not None:
        metrics["log_likelihood_train"] = train_ll
    if model.family == "dbn":  # the stack's first RBM alone, by the same AIS: what the top layer must not lose
        if first_guard.passed:
            metrics["first_layer_log_likelihood"] = first.mean
        details["first_layer_guard"] = first_guard.as_dict(first.mean)
    if probe_size:
        probe_set = ref.binary_test[:probe_size].flatten(1).to(dev)
        metrics["log_likelihood_probe_set"] = (
            float((-model.free_energy(probe_set)).double().mean()) - ais.log_z if model.family == "rbm"
            else dbn_bound(model, probe_set, ais.log_z, generator=generator))
    return _guarded(metrics, guards.check(mean, ceiling=ceiling, ais=two_way, floor=floor), details)


def _guarded(metrics: dict[str, Any], guard: guards.Guard, details: dict[str, Any], value: float | None = None
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``metrics`` with its likelihood numbers replaced by ``log_likelihood_withheld`` (the reasons)
    when ``guard`` failed; ``details`` with the guard's record of ``value`` (default: the metrics'
    ``log_likelihood``) either way."""
    value = metrics["log_likelihood"] if value is None else value
    details = {**details, "likelihood_guard": guard.as_dict(value)}
    if guard.passed:
        return metrics, details
    kept = {k: v for k, v in metrics.items() if not k.startswith(("log_likelihood", "elbo", "bits_per_dim"))}
    return ({**kept, "log_likelihood_withheld": guard.reason,
             "log_likelihood_estimator": metrics["log_likelihood_estimator"]}, details)


def _finite(x: float) -> float | None:
    """``x``, or None when it is ±inf or NaN (JSON has no infinities; an unbounded interval end is None)."""
    return x if np.isfinite(x) else None


#: The families a profile's ``tempering`` samples (their chains: RBM, DBN).
TEMPERED_FAMILIES = ("rbm", "dbn")


def settings(profile: str, family: str | None = None) -> dict[str, Any]:
    """The profile's evaluation settings a record's metrics depend on (compared by :func:`is_current`); a
    profile's parallel tempering only for the ``family`` it samples (RBM, DBN)."""
    p = get_profile(profile)
    out: dict[str, Any] = {"eval_samples": p.eval_samples, "likelihood_size": p.likelihood_size, "iwae_k": p.iwae_k,
                           "ais_steps": p.ais_steps, "ais_chains": p.ais_chains}
    if p.parzen != "study":  # only then: the records of the study's protocol stay current
        out["parzen"] = p.parzen
    if p.tempering is not None and family in TEMPERED_FAMILIES:  # likewise
        out["tempering"] = asdict(p.tempering)
    return out


def _rounded(d: dict[str, Any], digits: int = 6) -> dict[str, Any]:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in d.items()}


def draw(sampler: Callable[[int, torch.Generator], torch.Tensor], n: int, generator: torch.Generator,
         chunk: int = 2_000) -> torch.Tensor:
    """``n`` samples from ``sampler(m, generator)`` in chunks of at most ``chunk``, on the CPU."""
    return torch.cat([sampler(min(chunk, n - s), generator).float().cpu() for s in range(0, n, chunk)])


def own_training_images(record: dict[str, Any], data_dir: str | None = None) -> torch.Tensor | None:
    """The images the run of ``record`` trained on, (N, 1, S, S) in [0, 1] (the same subset as
    :func:`genstudy.runs.training_set.training_images`), or None for a record that names none (the
    real-data baseline)."""
    config = record.get("config", {})
    if "train_size" not in config:
        return None
    return to_tensor(training_images(record["dataset"], data_dir, config["train_size"], record["seed"],
                                     config.get("train_first")))


def evaluate_samples(record: dict[str, Any], images: torch.Tensor, *, model: GenerativeModel | None = None,
                     data_dir: str | None = None, device: torch.device | None = None) -> dict[str, Any]:
    """Fill ``record``'s ``metrics`` and ``evaluation`` blocks from ``images`` (and ``model``'s
    likelihood when given); returns the updated record (not written)."""
    start = time.perf_counter()
    ref = reference(record["dataset"], record["profile"], data_dir)
    train = own_training_images(record, data_dir)
    metrics, details = image_metrics(images, ref, seed=record["seed"], train=train)
    if model is not None:
        generator = torch.Generator(device=model.device).manual_seed(record["seed"] + 3)
        probe = record.get("config", {}).get("probe", {})
        probe_size = probe.get("size") if probe.get("quantity") == "likelihood" else None
        lik, lik_details = likelihood_metrics(model, ref, generator, train, probe_size)
        metrics.update(lik)
        details.update(lik_details)
    details.update(ref.describe())
    details["settings"] = settings(record["profile"], record.get("family"))
    details["seconds"] = round(time.perf_counter() - start, 2)
    details["device"] = device_description(device or torch.device("cpu"))
    return {**record, "metrics": _rounded(metrics), "evaluation": details}


def evaluate_sampler(record: dict[str, Any], sampler: Callable[[int, torch.Generator], torch.Tensor], *,
                     model: GenerativeModel | None = None, data_dir: str | None = None,
                     device: torch.device | None = None, chunk: int = 2_000) -> dict[str, Any]:
    """Draw the profile's ``eval_samples`` samples from ``sampler(m, generator)`` (:func:`scored_draw`)
    and return the record with its metrics (:func:`evaluate_samples`)."""
    device = device or torch.device("cpu")
    images = scored_draw(record, sampler, device, chunk)
    return evaluate_samples(record, images, model=model, data_dir=data_dir, device=device)


def scored_draw(record: dict[str, Any], sampler: Callable[[int, torch.Generator], torch.Tensor],
                device: torch.device, chunk: int = 2_000) -> torch.Tensor:
    """The samples an evaluation of ``record``'s run scores: the profile's ``eval_samples`` from
    ``sampler(m, generator)`` in draws of ``chunk`` (:func:`draw`), the generator on ``device`` seeded
    ``seed + 2``; (eval_samples, C, H, W)."""
    generator = torch.Generator(device=device).manual_seed(record["seed"] + 2)
    return draw(sampler, get_profile(record["profile"]).eval_samples, generator, chunk)


def tempered_sampler(model: GenerativeModel, tempering: Tempering, train: torch.Tensor | None
                     ) -> Callable[[int, torch.Generator], torch.Tensor]:
    """``sampler(n, generator)`` drawing ``n`` images of an RBM or DBN by parallel tempering (its
    ``tempered_images`` with ``tempering``'s settings), its base rates fitted to ``train`` (N, 1, S, S)
    grey training images of the model, binarized once."""
    if train is None or not isinstance(model, RBM | DBN):
        raise GenstudyError(f"parallel tempering samples an RBM or a DBN with its training images, not {model.family}")
    data = bernoulli(train, torch.Generator().manual_seed(BINARIZATION_SEED))
    options = asdict(tempering)

    def sampler(n: int, generator: torch.Generator) -> torch.Tensor:
        return model.tempered_images(n, data=data, generator=generator, **options)

    return sampler


def load_model(directory: Path, record: dict[str, Any], device: torch.device,
               data_dir: str | None = None) -> GenerativeModel:
    """Rebuild the PyTorch model of the run in ``directory`` from its config and ``model.pt``."""
    weights = Path(directory) / record.get("artifacts", {}).get("weights", "model.pt")
    if not weights.is_file():
        raise GenstudyError(f"{weights}: no weights to evaluate (the run's status is {record.get('status')!r})")
    config = record["config"]
    side = load_images(record["dataset"], data_dir).image_shape[0]
    model = build(config["model"], side=side, gibbs_steps=config.get("gibbs_steps"), **config["model_options"])
    model.load_state_dict(load_torch(weights))
    return model.to(device).eval()


def is_current(record: dict[str, Any]) -> bool:
    """Whether ``record``'s metrics were computed with today's classifiers (the second one too,
    where the dataset has one) and its profile's settings."""
    cards = clf.read_manifest()
    card = cards.get(record["dataset"])
    second = cards.get(clf.card_key(record["dataset"], second=True))
    evaluation = record.get("evaluation", {})
    return bool(record.get("metrics")) and card is not None and \
        evaluation.get("classifier", {}).get("sha256") == card.sha256 and \
        (second is None or (evaluation.get("classifier_second") or {}).get("sha256") == second.sha256) and \
        evaluation.get("settings") == settings(record["profile"], record.get("family"))


def evaluate_run(directory: Path | str, *, data_dir: str | None = None, device: str = "auto", force: bool = False,
                 log: Callable[[str], None] = print) -> dict[str, Any]:
    """Evaluate the finished run in ``directory`` and rewrite its record (atomically); return it.

    Draws the profile's ``eval_samples`` samples with seed ``seed + 2`` (for RBM/DBN: Gibbs chains of the
    record's ``gibbs_steps``, or parallel tempering in one draw where the profile names its ``tempering``,
    :func:`tempered_sampler`). Runs of another framework are sampled by its loader
    in :data:`SAMPLER_LOADERS` (TensorFlow: import :mod:`genstudy.article` first).
    A record whose metrics are current (:func:`is_current`) is returned as it is unless ``force``.
    The record's ``evaluation`` says where the time went: ``seconds`` scoring the samples
    (:func:`evaluate_samples`: the yardstick and the likelihood), ``drawing_seconds`` the rest of the
    evaluation's wall time, loading the model and drawing the samples (the tempered chains' burn-in
    included).
    """
    directory = Path(directory)
    record = read_record(directory)
    if record is None:
        raise GenstudyError(f"{directory}: no record.json (is it a run folder under results/<profile>/?)")
    if record.get("status") != "ok":
        raise GenstudyError(f"{directory}: run status is {record.get('status')!r}; only finished runs are evaluated")
    if is_current(record) and not force:
        log(f"[genstudy] {record['run_id']}: metrics up to date, not re-evaluated")
        return record
    start = time.perf_counter()
    framework = record["framework"]
    if framework == "pytorch":
        dev = resolve_device(device)
        model = load_model(directory, record, dev, data_dir)
        prof = get_profile(record["profile"])
        if prof.tempering is not None and model.family in TEMPERED_FAMILIES:  # one draw: the chains are shared
            sampler = tempered_sampler(model, prof.tempering, own_training_images(record, data_dir))
            images = scored_draw(record, sampler, dev, chunk=prof.eval_samples)
            updated = evaluate_samples(record, images, model=model, data_dir=data_dir, device=dev)
            # its samples.npy came from Gibbs chains after training: keep some of those scored
            scored = write_scored_samples(directory, images[:, 0].float().cpu().numpy())
            updated = {**updated, "artifacts": {**updated.get("artifacts", {}), **scored}}
        else:
            updated = evaluate_sampler(record, model.sample, model=model, data_dir=data_dir, device=dev)
    elif framework in SAMPLER_LOADERS:
        updated = evaluate_sampler(record, SAMPLER_LOADERS[framework](directory, record), data_dir=data_dir)
    else:
        raise GenstudyError(f"{directory}: no sampler loader for framework {framework!r} (loaders: "
                            f"pytorch, {', '.join(SAMPLER_LOADERS) or 'none other'}; import genstudy.article "
                            "for the article's TensorFlow runs)")
    # the rest of the evaluation's wall time: loading the model and drawing the samples it scored
    drawing = round(time.perf_counter() - start - updated["evaluation"]["seconds"], 2)
    updated = {**updated, "evaluation": {**updated["evaluation"], "drawing_seconds": drawing}}
    write_record(directory, updated)
    m = updated["metrics"]
    log(f"[genstudy] {record['run_id']}: evaluated {updated['evaluation']['samples']:,} samples in "
        f"{updated['evaluation']['seconds']:.1f} s: "
        f"FD {m['fd']:.2f}, precision {m['precision']:.2f}, recall {m['recall']:.2f}")
    return updated


def real_baseline(dataset: str, profile: str, out: Path | str = "results", *, data_dir: str | None = None,
                  force: bool = False) -> dict[str, Any]:
    """The image metrics of ``eval_samples`` *training* images against the test reference.

    Written once as ``<out>/<profile>/real-<dataset>/record.json`` (family ``data``) and
    reused while it is current (:func:`is_current`: same classifier, same evaluation
    settings); it is the score of a perfect model that has seen other images of the same
    distribution.
    """
    directory = run_dir(Path(out), profile, f"real-{dataset}")
    previous = read_record(directory)
    if previous and not force and is_current(previous):
        return previous
    ref = reference(dataset, profile, data_dir)
    record = new_record(
        rid=f"real-{dataset}", model="real_data", family="data", framework="-", dataset=dataset, profile=profile,
        seed=0, device="cpu", device_name=device_description(torch.device("cpu")), params_count=0,
        config={"model": "real_data", "dataset": dataset, "profile": profile,
                "images": f"{len(ref.train):,} class-balanced training images"})
    record = evaluate_samples(record, ref.train, data_dir=data_dir)
    write_record(directory, record)
    return record
