"""Log-likelihoods in nats per image: the exact families' own estimators, and Parzen windows for all.

* VAE: the one-sample ELBO and the importance-weighted bound with k samples (Burda et al.
  2016), both lower bounds on log p(x); the IWAE bound rises with k.
* RBM: ``log p(v) = −F(v) − log Z`` with log Z from AIS (:mod:`genstudy.metrics.ais`).
* DBN: the variational lower bound of Hinton et al. (2006) as estimated by Salakhutdinov
  & Murray (2008): with the factorial up-pass posteriors q(h_l | h_{l−1}) of the stacked
  RBMs,

      log p(v) ≥ E_q[ Σ_{l=1}^{L−1} (log p(h_{l−1} | h_l) − log q(h_l | h_{l−1})) + log p_top(h_{L−1}) ]

  where p_top is the marginal of the top RBM over its visible layer (its log Z by AIS).
  The expectation is a Monte-Carlo average over samples of the up-pass; each −log q term
  is replaced by the exact entropy of q given the layer below (lower variance, same mean).
* Parzen window (Breuleux et al. 2010; used by Goodfellow et al. 2014): a Gaussian kernel
  density on the model's samples, σ chosen on a validation set. It is reported for every
  family because it needs only samples, and it is unreliable (Theis et al. 2016): in 784
  dimensions it needs far more samples than anyone draws, it ranks a model that memorises
  a few images highly, and it can disagree with the true likelihood by hundreds of nats.

The binary families (Bernoulli VAE, RBM, DBN) are evaluated on one fixed stochastic
binarization of the test images, so their numbers are comparable to each other; Parzen
values are densities over [0, 1]^784 and are comparable only to other Parzen values.

A density of continuous grey levels (a Gaussian decoder) is not a probability of the 8-bit
images: it can exceed 1 anywhere. It is *dequantized* (Theis et al. 2016): each image's levels
``k`` become ``y = (k + u) / 256`` with ``u`` uniform on [0, 1) per pixel, and
``log P(k) ≥ E_u[log p(y)] − D log 256`` for a density ``p`` on [0, 1)^D, reported in bits per
dimension (:func:`dequantize`, :func:`bits_per_dim`): an upper bound on the discrete model's
code length, comparable to other bits per dimension of 8-bit images, never to binarized nats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from genstudy.errors import ParameterError
from genstudy.metrics.ais import TwoWayAIS, two_way_log_partition
from genstudy.metrics.guards import log_z_floor
from genstudy.models.dbn import DBN
from genstudy.models.rbm import RBM
from genstudy.models.vae import VAE
from genstudy.sampling import bernoulli

#: Which way each family's estimator errs, for the tables (the study's words, from the theory
#: chapters): a bound can only sit below the truth; AIS's log Z is biased low, so what uses it
#: tends to sit above.
ESTIMATOR_BIAS: dict[str, str] = {
    "vae": "a lower bound: underestimates log p(x)",
    "rbm": "AIS underestimates log Z, so tends to overestimate log p(x)",
    "dbn": "a variational lower bound, but with the AIS log Z it may overestimate log p(x)",
}


# --- dequantized densities ---------------------------------------------------------------

#: Levels of an 8-bit grey image.
LEVELS = 256


def dequantize(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Grey images in [0, 1] whose pixels are 8-bit levels ``k / 255`` → ``(k + u) / 256`` with ``u``
    uniform on [0, 1) per pixel (from ``generator``, on the images' device): same shape, values in
    [0, 1), and ``floor(256 y) = k``."""
    levels = torch.round(images * (LEVELS - 1))
    noise = torch.rand(images.shape, generator=generator, device=images.device, dtype=images.dtype)
    return (levels + noise) / LEVELS


def bits_per_dim(log_density: float, dims: int) -> float:
    """Bits per dimension of 8-bit images whose dequantized density (:func:`dequantize`) has mean
    ``log_density`` nats per image over ``dims`` dimensions: ``−(log_density − dims · log 256) /
    (dims · log 2)``. The uniform density on [0, 1)^D (log-density 0) gives exactly 8."""
    if dims < 1:
        raise ParameterError("dims", dims, "an integer >= 1")
    return -(log_density - dims * math.log(LEVELS)) / (dims * math.log(2))


# --- Parzen windows -----------------------------------------------------------------------


def parzen_log_density(x: torch.Tensor, centres: torch.Tensor, sigma: float, chunk: int = 1024) -> torch.Tensor:
    """log of the Gaussian kernel density with ``centres`` (M, d) and bandwidth ``sigma`` at ``x`` (N, d).

    ``log p(x) = logsumexp_j(−‖x − c_j‖² / 2σ²) − log M − (d/2) log(2πσ²)``, shape (N,), nats,
    computed in float64 in chunks of ``chunk`` rows (:func:`parzen_log_densities` at one bandwidth).
    """
    if sigma <= 0:
        raise ParameterError("sigma", sigma, "a positive bandwidth")
    return parzen_log_densities(x, centres, (sigma,), chunk)[0]


@torch.no_grad()
def parzen_log_densities(x: torch.Tensor, centres: torch.Tensor, sigmas: tuple[float, ...], chunk: int = 1024
                         ) -> torch.Tensor:
    """:func:`parzen_log_density` at every bandwidth of ``sigmas`` at once, shape (len(sigmas), N):
    the squared distances are computed once per chunk and shared by the bandwidths."""
    if any(s <= 0 for s in sigmas):
        raise ParameterError("sigmas", sigmas, "positive bandwidths")
    x, centres = x.flatten(1).double(), centres.flatten(1).double()
    if x.shape[1] != centres.shape[1]:
        raise ParameterError("x", f"{x.shape[1]} dimensions", f"{centres.shape[1]} dimensions like the centres")
    m, d = centres.shape
    c_sq = centres.pow(2).sum(1)
    out = []
    for start in range(0, len(x), chunk):
        xb = x[start : start + chunk]
        sq = (xb.pow(2).sum(1, keepdim=True) + c_sq - 2.0 * xb @ centres.t()).clamp_min_(0.0)
        out.append(torch.stack([torch.logsumexp(-sq / (2.0 * s**2), dim=1) - math.log(m)
                                - 0.5 * d * math.log(2.0 * math.pi * s**2) for s in sigmas]))
    return torch.cat(out, dim=1)


#: The study's bandwidths: 11 from 0.05 to 0.5, log-spaced.
STUDY_SIGMAS = tuple(float(s) for s in np.round(np.logspace(-1.3, -0.3, 11), 4))
#: Goodfellow et al. (2014)'s bandwidths (``parzen_ll.py`` of their ``adversarial`` code): 10 from 0.1 to 1.
GOODFELLOW_SIGMAS = tuple(float(s) for s in np.logspace(-1.0, 0.0, 10))


@dataclass(frozen=True)
class ParzenResult:
    """Mean test log-density (nats) with its standard error, the chosen ``sigma`` and the
    validation scores of every candidate bandwidth."""

    mean: float
    sem: float
    sigma: float
    validation: dict[float, float]


def parzen_log_likelihood(samples: torch.Tensor, validation: torch.Tensor, test: torch.Tensor,
                          sigmas: tuple[float, ...] | None = None) -> ParzenResult:
    """Fit Parzen windows on ``samples``, pick σ of ``sigmas`` (default :data:`STUDY_SIGMAS`)
    maximising the mean log-density of ``validation``, report the mean log-density of ``test``
    (all (N, …) images in [0, 1])."""
    sigmas = sigmas or STUDY_SIGMAS
    scores = dict(zip(sigmas, parzen_log_densities(validation, samples, sigmas).mean(1).tolist(), strict=True))
    best = max(scores, key=scores.__getitem__)
    values = parzen_log_density(test, samples, best)
    return ParzenResult(float(values.mean()), float(values.std() / math.sqrt(len(values))), best, scores)


# --- VAE ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VAEBounds:
    """Mean ELBO and IWAE bound (nats per image) on the test images, with ``k``."""

    elbo: float
    iwae: float
    k: int


@torch.no_grad()
def vae_bounds(model: VAE, x: torch.Tensor, k: int, generator: torch.Generator, batch_size: int = 250
               ) -> VAEBounds:
    """ELBO (one sample) and IWAE bound (``k`` samples) of ``model`` averaged over ``x`` (N, 1, S, S)."""
    if k < 1:
        raise ParameterError("k", k, "an integer >= 1")
    model.eval()
    elbo, iwae = [], []
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size].to(model.device)
        elbo.append(model.elbo(xb, generator=generator).elbo)
        iwae.append(model.log_likelihood(xb, k=k, generator=generator))
    return VAEBounds(float(torch.cat(elbo).mean()), float(torch.cat(iwae).mean()), k)


# --- RBM ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RBMLikelihood:
    """Mean test log p(v) in nats with the interval implied by AIS's interval on log Z; the
    two AIS runs (``ais.best`` gives log Z) and the hard lower bound ``floor`` on log Z
    (:func:`genstudy.metrics.guards.log_z_floor` over the training vectors)."""

    mean: float
    low: float
    high: float
    ais: TwoWayAIS
    floor: float


@torch.no_grad()
def rbm_log_likelihood(rbm: RBM, test: torch.Tensor, train: torch.Tensor, *, n_chains: int = 100,
                       n_steps: int = 14_500, generator: torch.Generator | None = None) -> RBMLikelihood:
    """Mean log p(v) over binary ``test`` images under ``rbm``, with log Z by AIS from both sides
    (base rates from binary ``train``), the run with the larger effective sample size used."""
    two_way = two_way_log_partition(rbm, train, n_chains=n_chains, n_steps=n_steps, generator=generator)
    ais = two_way.best
    neg_f = float((-rbm.free_energy(test.flatten(1).to(rbm.device))).double().mean())
    return RBMLikelihood(neg_f - ais.log_z, neg_f - ais.log_z_high, neg_f - ais.log_z_low, two_way,
                         log_z_floor(rbm, train))


# --- DBN ------------------------------------------------------------------------------------


def _bernoulli_log_prob(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)


def _bernoulli_entropy(logits: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logits)
    return F.binary_cross_entropy_with_logits(logits, p, reduction="none").sum(1)


@dataclass(frozen=True)
class DBNBound:
    """Mean variational lower bound on log p(v) (nats) over the test images; ``samples`` up-pass
    samples per image; the top RBM's two AIS runs (``ais.best`` gives log Z) and the hard lower
    bound ``floor`` on its log Z."""

    mean: float
    samples: int
    ais: TwoWayAIS
    floor: float


@torch.no_grad()
def dbn_top_log_z(dbn: DBN, train: torch.Tensor, *, n_chains: int = 100, n_steps: int = 14_500,
                  generator: torch.Generator | None = None) -> tuple[TwoWayAIS, float]:
    """The top RBM's two AIS runs of log Z (base rates fitted to up-pass samples of binary
    ``train`` (N, V)) and the hard lower bound on its log Z over those samples."""
    top = dbn.rbms[-1]
    h_train = train.flatten(1).to(top.W.device)
    for rbm in dbn.rbms[:-1]:
        h_train = bernoulli(rbm.p_h(h_train), generator)
    two_way = two_way_log_partition(top, h_train, n_chains=n_chains, n_steps=n_steps, generator=generator)
    return two_way, log_z_floor(top, h_train)


@torch.no_grad()
def dbn_bound(dbn: DBN, v: torch.Tensor, log_z: float, *, samples: int = 10,
              generator: torch.Generator | None = None) -> float:
    """The variational lower bound of the module docstring averaged over binary ``v`` (N, V),
    with the top RBM's log Z given; ``samples`` up-pass samples per image."""
    if samples < 1:
        raise ParameterError("samples", samples, "an integer >= 1")
    top = dbn.rbms[-1]
    dev = top.W.device
    v = v.flatten(1).to(dev)
    total = torch.zeros(len(v), dtype=torch.float64, device=dev)
    for _ in range(samples):
        below, bound = v, torch.zeros(len(v), dtype=torch.float64, device=dev)
        for rbm in dbn.rbms[:-1]:
            up_logits = below @ rbm.W + rbm.c
            h = bernoulli(torch.sigmoid(up_logits), generator)
            down_logits = h @ rbm.W.t() + rbm.b
            bound += (_bernoulli_log_prob(below, down_logits) + _bernoulli_entropy(up_logits)).double()
            below = h
        bound += (-top.free_energy(below)).double() - log_z
        total += bound
    return float((total / samples).mean())


def dbn_lower_bound(dbn: DBN, test: torch.Tensor, train: torch.Tensor, *, samples: int = 10, n_chains: int = 100,
                    n_steps: int = 14_500, generator: torch.Generator | None = None) -> DBNBound:
    """The variational lower bound of the module docstring, averaged over binary ``test`` (N, V).

    log Z of the top RBM comes from AIS from both of its sides, base rates fitted to up-pass
    samples of ``train``; the run with the larger effective sample size is used. (Annealed
    over the top RBM's 500-unit visible side, the quick DBN's AIS had an effective sample
    size of 2 of 100 chains; over its 200-unit hidden side, 70.)
    """
    if samples < 1:
        raise ParameterError("samples", samples, "an integer >= 1")
    two_way, floor = dbn_top_log_z(dbn, train, n_chains=n_chains, n_steps=n_steps, generator=generator)
    return DBNBound(dbn_bound(dbn, test, two_way.best.log_z, samples=samples, generator=generator), samples,
                    two_way, floor)
