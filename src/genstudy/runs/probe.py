"""Quality during training, measured at a few steps of a run: the FD of a small fixed sample
(:class:`QualityProbe`), or the very quantity a paper reports for the family (:class:`LikelihoodProbe`).

The training loop (:func:`genstudy.training.fit`) calls a :class:`QualityProbe` at evenly spaced
steps and stores what it returns in the run's ``history.csv`` beside the cumulative training
seconds and images seen at that step, so a family's quality can be read against its compute.
The probe's own time is not training time: the loop stops the training clock while it runs.

The probe draws the same ``samples`` latent codes or chain starts at every call (one generator
re-seeded each time), so its curve moves only with the model. It is the evaluation's FD
(:mod:`genstudy.runs.evaluate`: the same classifier features, the same test reference) on fewer
samples, so its values sit above the final FD of the same model by FD's small-sample bias;
they are comparable between runs that probe the same number of samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from genstudy.metrics import classifier as clf
from genstudy.metrics.distances import frechet_distance
from genstudy.metrics.likelihood import dbn_lower_bound, parzen_log_likelihood, rbm_log_likelihood, vae_bounds
from genstudy.models import GenerativeModel
from genstudy.models.dbn import DBN
from genstudy.models.rbm import RBM
from genstudy.models.vae import VAE
from genstudy.runs.evaluate import BINARIZATION_SEED, Reference
from genstudy.sampling import bernoulli

#: Training images the probe gives :meth:`~genstudy.models.base.GenerativeModel.after_training`
#: (the autoencoder's code density is refitted on them before each probe).
FIT_SIZE = 1_000


@dataclass
class QualityProbe:
    """``probe()`` → ``{"fd_probe": FD}`` of ``samples`` samples of ``model`` against ``ref``.

    ``x``: the run's prepared training tensor (its first :data:`FIT_SIZE` rows feed the model's
    ``after_training``); ``gibbs_steps``: sweeps per sample for chain samplers while probing
    (the model's own setting is restored after); ``seed``: the probe's generator. The model is
    put in eval mode (batch normalisation on its running averages) and back.
    """

    model: GenerativeModel
    ref: Reference
    x: torch.Tensor
    samples: int
    gibbs_steps: int
    seed: int

    @torch.no_grad()
    def __call__(self) -> dict[str, float]:
        model = self.model
        was_training, sweeps = model.training, model.gibbs_steps
        model.eval()
        if sweeps:
            model.gibbs_steps = self.gibbs_steps
        try:
            model.after_training(self.x[:FIT_SIZE], self.seed)
            generator = torch.Generator(device=model.device).manual_seed(self.seed)
            images = model.sample(self.samples, generator)
        finally:
            model.train(was_training)
            model.gibbs_steps = sweeps
        images = self.ref.classifier.crop(images.float().cpu())
        if not torch.isfinite(images).all():
            return {"fd_probe": math.nan}
        features, _ = clf.predict(self.ref.classifier, images.clamp(0.0, 1.0))
        return {"fd_probe": frechet_distance(self.ref.features, features)}


#: What :class:`LikelihoodProbe` measures per family: the quantity the literature reports for it.
PROBED_QUANTITY = {"rbm": "AIS log-likelihood", "dbn": "variational bound (the first RBM's AIS log-likelihood "
                   "while only it trains)", "vae": "IWAE bound", "gan": "Parzen log-density"}


@dataclass
class LikelihoodProbe:
    """``probe()`` → ``{"ll_probe": nats}``: the quantity a paper reports for the model's family,
    on a fixed held-out set small enough to measure at every probe (the same images, chains and
    samples each time, so the curve moves only with the model).

    * RBM: log p(v) with log Z by two-way AIS (``ais_steps`` β, ``ais_chains`` chains, base rates
      from the reference's binarized training images);
    * DBN: the variational lower bound with the top RBM's log Z by AIS; while the first layer alone
      trains (``top_started()`` false), that RBM's own AIS log-likelihood, so the curve shows what
      the top layer adds;
    * VAE: the IWAE bound with ``iwae_k`` samples;
    * anything else: the Parzen log-density of ``parzen_samples`` samples, σ chosen on the
      reference's validation images (at most ``size`` of them) among its ``parzen_sigmas``.

    Likelihoods are on the first ``size`` of the reference's binarized likelihood test images
    (Parzen: grey levels). Nats per image. The probe's estimators are smaller than the final
    evaluation's, and an AIS of few β errs towards a *higher* likelihood (its log Z is a stochastic
    lower bound) by more as the model sharpens: on the 500-unit MNIST RBM after 100 epochs of PCD,
    1,000 β and 32 chains read −83.6 to −86.8 nats where 14,500 β and 100 chains read −92.9 on the
    same 1,000 images; 10,000 β and 64 chains (the defaults) −92.5 and −92.9. So a rising curve may
    be a rising bias: the evaluation measures the final model on these very images
    (``log_likelihood_probe_set``) and the literature chapter reads a curve only where its end agrees
    with that (:func:`genstudy.study.literature.probe_agreement`).
    """

    model: GenerativeModel
    ref: Reference
    size: int
    seed: int
    ais_steps: int = 10_000
    ais_chains: int = 64
    iwae_k: int = 200
    parzen_samples: int = 10_000
    top_started: Callable[[], bool] | None = None

    @torch.no_grad()
    def __call__(self) -> dict[str, float]:
        model = self.model
        was_training = model.training
        model.eval()
        generator = torch.Generator(device=model.device).manual_seed(self.seed)
        try:
            return {"ll_probe": self._measure(model, generator)}
        finally:
            model.train(was_training)

    def _measure(self, model: GenerativeModel, generator: torch.Generator) -> float:
        dev = model.device
        test = self.ref.binary_test[: self.size].flatten(1).to(dev)
        base = bernoulli(self.ref.train, torch.Generator().manual_seed(BINARIZATION_SEED)).flatten(1).to(dev)
        ais = {"n_chains": self.ais_chains, "n_steps": self.ais_steps, "generator": generator}
        if isinstance(model, VAE):
            x = test.reshape(-1, *model.data_shape)
            return vae_bounds(model, x, self.iwae_k, generator).iwae
        if isinstance(model, RBM):
            return rbm_log_likelihood(model, test, base, **ais).mean
        if isinstance(model, DBN):
            if self.top_started is not None and not self.top_started():
                return rbm_log_likelihood(model.rbms[0], test, base, **ais).mean
            return dbn_lower_bound(model, test, base, **ais).mean
        samples = model.sample(self.parzen_samples, generator).float().cpu().clamp(0.0, 1.0)
        samples = self.ref.classifier.crop(samples)
        validation = self.ref.validation[: self.size]
        return parzen_log_likelihood(samples, validation, self.ref.likelihood_test[: self.size],
                                     self.ref.parzen_sigmas).mean
