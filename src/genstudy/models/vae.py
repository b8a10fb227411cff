"""Variational autoencoders (Kingma & Welling 2014), MLP and convolutional.

Model: ``z ~ N(0, I)``, ``x | z ~ p_θ(x | z)``; inference network ``q_φ(z | x) =
N(μ(x), diag σ²(x))``. Training maximises the evidence lower bound, per example in nats::

    ELBO(x) = E_q[log p_θ(x | z)] - KL(q_φ(z | x) || N(0, I)) ≤ log p_θ(x)

estimated with one reparameterized sample ``z = μ + σ ⊙ ε``, ``ε ~ N(0, I)``; the KL
term is exact. Decoders:

* ``bernoulli``: pixel logits, for binarized data (``log p = -BCE``);
* ``gaussian``: mean in [0, 1] (sigmoid) and one learned log-σ shared by all pixels,
  for continuous intensities;
* ``calibrated_gaussian``: the same Gaussian with its σ calibrated rather than learned (the
  "optimal σ" of Rybkin et al. 2021's σ-VAE): in training, σ² is the batch's mean squared
  error, its maximum-likelihood value, gradient included; in evaluation, the running average
  of those values (momentum 0.1), as batch normalisation keeps its statistics;
* ``continuous_bernoulli``: the continuous Bernoulli of Loaiza-Ganem & Cunningham (2019), a
  normalised density on [0, 1] per pixel with parameter λ = sigmoid(logit), for grey levels
  (its mean, not λ, is the decoder's mean).

``log_likelihood(x, k)`` is the importance-weighted bound of Burda et al. (2016), which
rises towards ``log p(x)`` as ``k`` grows. ``sample`` returns the decoder's *mean*
(``E[x | z]``), the usual way to show VAE samples; it is stated where shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import ContinuousBernoulli

from genstudy.errors import ParameterError
from genstudy.models.base import GenerativeModel, randn
from genstudy.models.gan import DCGANGenerator, DCGANTrunk, dcgan_init

Likelihood = Literal["bernoulli", "gaussian", "calibrated_gaussian", "continuous_bernoulli"]
LIKELIHOODS = ("bernoulli", "gaussian", "calibrated_gaussian", "continuous_bernoulli")
#: Momentum of the running σ² of the calibrated Gaussian decoder (batch normalisation's default).
SIGMA_MOMENTUM = 0.1
#: Floor of a calibrated σ² (a batch reconstructed exactly would otherwise give log 0).
MIN_VARIANCE = 1e-6
LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class ELBOTerms:
    """Per-example terms, each shape (N,), in nats: ``elbo = reconstruction - kl``."""

    elbo: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


def mlp_encoder(side: int, hidden: int, latent: int) -> nn.Module:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(side * side, hidden), nn.ReLU(), nn.Linear(hidden, hidden // 2), nn.ReLU(),
        nn.Linear(hidden // 2, 2 * latent),
    )


def mlp_decoder(side: int, hidden: int, latent: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(latent, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, hidden), nn.ReLU(),
        nn.Linear(hidden, side * side), nn.Unflatten(1, (1, side, side)),
    )


def conv_encoder(side: int, width: int, latent: int) -> nn.Module:
    q = side // 4
    return nn.Sequential(
        nn.Conv2d(1, width, 4, 2, 1), nn.ReLU(), nn.Conv2d(width, 2 * width, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(2 * width * q * q, 256), nn.ReLU(), nn.Linear(256, 2 * latent),
    )


def conv_decoder(side: int, width: int, latent: int) -> nn.Module:
    q = side // 4
    return nn.Sequential(
        nn.Linear(latent, 256), nn.ReLU(), nn.Linear(256, 2 * width * q * q), nn.ReLU(),
        nn.Unflatten(1, (2 * width, q, q)),
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(width, 1, 4, 2, 1),
    )


class VAE(GenerativeModel):
    """A VAE over 1 x side x side images with a diagonal-Gaussian posterior.

    ``encoder`` maps (N, 1, S, S) to (N, 2·latent) = [μ, log σ²]; ``decoder`` maps
    (N, latent) to pixel logits (N, 1, S, S).
    """

    family = "vae"

    def __init__(
        self, encoder: nn.Module, decoder: nn.Module, latent_dim: int, side: int = 28,
        likelihood: Likelihood = "bernoulli",
    ) -> None:
        super().__init__()
        if likelihood not in LIKELIHOODS:
            raise ParameterError("likelihood", likelihood, LIKELIHOODS)
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim, self.likelihood = latent_dim, likelihood
        self.data_shape = (1, side, side)
        # log σ of the Gaussian decoder, shared by all pixels; the Bernoulli decoder has none.
        self.log_sigma = nn.Parameter(torch.zeros(())) if likelihood == "gaussian" else None
        if likelihood == "calibrated_gaussian":
            self.register_buffer("running_variance", torch.ones(()))

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(μ, log σ²)`` of q(z | x), each (N, latent)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def log_px_given_z(self, x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        """log p(x | z) summed over pixels, shape (N,)."""
        if self.likelihood == "bernoulli":
            return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
        if self.likelihood == "continuous_bernoulli":
            return ContinuousBernoulli(logits=logits).log_prob(x).flatten(1).sum(1)
        squared = (x - torch.sigmoid(logits)) ** 2
        if self.likelihood == "calibrated_gaussian":
            if self.training:
                variance = squared.mean().clamp_min(MIN_VARIANCE)
                with torch.no_grad():
                    self.running_variance.lerp_(variance.detach(), SIGMA_MOMENTUM)
            else:
                variance = self.running_variance
            log_sigma = 0.5 * torch.log(variance)
        else:
            log_sigma = self.log_sigma
        per_pixel = -0.5 * squared * torch.exp(-2 * log_sigma) - log_sigma - 0.5 * LOG_2PI
        return per_pixel.flatten(1).sum(1)

    def elbo(
        self, x: torch.Tensor, *, eps: torch.Tensor | None = None, generator: torch.Generator | None = None
    ) -> ELBOTerms:
        """One-sample ELBO of each example of ``x`` (N, 1, S, S); ``eps`` fixes the noise."""
        mu, logvar = self.posterior(x)
        if eps is None:
            eps = randn(tuple(mu.shape), generator, mu.device)
        z = mu + torch.exp(0.5 * logvar) * eps
        reconstruction = self.log_px_given_z(x, self.decoder(z))
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
        return ELBOTerms(reconstruction - kl, reconstruction, kl)

    @torch.no_grad()
    def log_likelihood(self, x: torch.Tensor, k: int = 100, generator: torch.Generator | None = None) -> torch.Tensor:
        """Importance-weighted bound on log p(x) with ``k`` samples, shape (N,), nats.

        ``log (1/k) Σ_i p(x, z_i) / q(z_i | x)``, ``z_i ~ q(z | x)``; equals the ELBO's
        expectation for k = 1 and increases monotonically (in expectation) with k.
        """
        mu, logvar = self.posterior(x)
        std = torch.exp(0.5 * logvar)
        log_w = []
        for _ in range(k):
            eps = randn(tuple(mu.shape), generator, mu.device)
            z = mu + std * eps
            log_q = (-0.5 * eps.pow(2) - 0.5 * logvar - 0.5 * LOG_2PI).sum(1)
            log_prior = (-0.5 * z.pow(2) - 0.5 * LOG_2PI).sum(1)
            log_w.append(self.log_px_given_z(x, self.decoder(z)) + log_prior - log_q)
        return torch.logsumexp(torch.stack(log_w), dim=0) - math.log(k)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Decoder mean at the posterior mean, same shape as ``x``, in [0, 1]."""
        mu, _ = self.posterior(x)
        return self.mean(self.decoder(mu))

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder mean E[x | z] in [0, 1] for codes ``z`` (N, latent)."""
        return self.mean(self.decoder(z))

    def mean(self, logits: torch.Tensor) -> torch.Tensor:
        """E[x | z] in [0, 1] from the decoder's ``logits``: their sigmoid, or the continuous
        Bernoulli's mean of λ = sigmoid(logits)."""
        if self.likelihood == "continuous_bernoulli":
            return ContinuousBernoulli(logits=logits).mean
        return torch.sigmoid(logits)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decoder means of ``z ~ N(0, I)``: (n, 1, S, S) in [0, 1]."""
        return self.decode(randn((n, self.latent_dim), generator, self.device))


def vae_mlp(latent_dim: int = 20, hidden: int = 512, side: int = 28, likelihood: Likelihood = "bernoulli") -> VAE:
    """MLP VAE: 784 → 512 → 256 → 2·latent, and back."""
    return VAE(mlp_encoder(side, hidden, latent_dim), mlp_decoder(side, hidden, latent_dim), latent_dim, side,
               likelihood)


def vae_iwae(latent_dim: int = 50, hidden: int = 200, side: int = 28) -> VAE:
    """The one-stochastic-layer VAE of Burda et al. (2016): 784 → 200 → 200 → 2·50 (tanh), and
    back to Bernoulli pixel logits through 200 → 200 (tanh)."""
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(side * side, hidden), nn.Tanh(), nn.Linear(hidden, hidden),
                            nn.Tanh(), nn.Linear(hidden, 2 * latent_dim))
    decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                            nn.Linear(hidden, side * side), nn.Unflatten(1, (1, side, side)))
    return VAE(encoder, decoder, latent_dim, side, "bernoulli")


def vae_conv(latent_dim: int = 20, width: int = 32, side: int = 28, likelihood: Likelihood = "bernoulli") -> VAE:
    """Convolutional VAE: 28 → 14 → 7 strided convolutions, mirrored by transposed ones."""
    if side % 4:
        raise ParameterError("side", side, "a multiple of 4")
    return VAE(conv_encoder(side, width, latent_dim), conv_decoder(side, width, latent_dim), latent_dim, side,
               likelihood)


def vae_dcgan(latent_dim: int = 100, width: int = 64, side: int = 28,
              likelihood: Likelihood = "calibrated_gaussian") -> VAE:
    """The VAE of the matched pair with DCGAN (:func:`genstudy.models.gan.dcgan`): same networks.

    Decoder: DCGAN's generator (:class:`~genstudy.models.gan.DCGANGenerator`, ``output="logits"``),
    its 32x32 output cropped to the image's ``side``. Encoder: the images zero-padded to 32x32 (the
    GAN's padding), DCGAN's discriminator trunk (:class:`~genstudy.models.gan.DCGANTrunk`), and a
    4x4 convolution to [μ, log σ²] where the discriminator has its 4x4 convolution to one logit.
    Weights initialised as DCGAN's. The default decoder, a Gaussian with a calibrated σ
    (``calibrated_gaussian``), models the grey levels the GAN trains on, and its mean is the
    sigmoid of the logits: the GAN generator's own image function. Measured on quick (seed 0,
    936 steps), the alternatives did worse for a stated reason: the continuous Bernoulli's mean
    cannot reach 0 (about 0.2 at λ = 0.01), so its samples have grey backgrounds (FD 870); a
    Gaussian with one *learned* σ moves log σ by about the learning rate per Adam step and was
    still near 1 after 31 smoke steps, a decoder so noisy that the KL term wins.
    """
    pad = (32 - side) // 2
    if side > 32 or 2 * pad != 32 - side:
        raise ParameterError("side", side, "an even side up to 32 (padded to DCGAN's 32x32)")
    encoder = nn.Sequential(nn.ZeroPad2d(pad), DCGANTrunk(width), nn.Conv2d(4 * width, 2 * latent_dim, 4, 1, 0),
                            nn.Flatten())
    decoder = nn.Sequential(DCGANGenerator(latent_dim, width, output="logits"), nn.ZeroPad2d(-pad))
    model = VAE(encoder, decoder, latent_dim, side, likelihood)
    model.apply(dcgan_init)
    return model
