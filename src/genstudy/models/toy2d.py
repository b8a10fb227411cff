"""One model per family for continuous 2-D points (the mode-collapse test bed).

All three learn a density on R² from points ``x`` (N, 2):

* :class:`ToyGAN`: MLP generator ``z (N, latent) -> x`` and MLP discriminator ``x -> logit``,
  trained with the non-saturating loss (as the image GANs).
* :class:`ToyVAE`: MLP encoder ``q(z | x) = N(μ(x), diag σ²(x))`` with a 2-D latent, MLP
  decoder ``p(x | z) = N(μ(z), diag σ_x²)`` with one learned log-σ per coordinate.
* :class:`GaussianBernoulliRBM`: Gaussian visible units, binary hidden units, learned
  per-coordinate variance (the parameterisation of Cho, Ilin & Raiko 2011)::

      E(v, h) = Σ_i (v_i - b_i)² / (2σ_i²) - cᵀh - Σ_ij (v_i / σ_i²) W_ij h_j

  so that ``p(h_j = 1 | v) = sigmoid(c_j + Σ_i W_ij v_i / σ_i²)`` and
  ``p(v | h) = N(b + W h, diag σ²)``: a mixture of 2^H Gaussians sharing one diagonal
  covariance. With few hidden units ``log Z`` is exact by enumerating ``h``
  (:meth:`GaussianBernoulliRBM.exact_log_partition`) and so are the likelihood and
  ancestral samples.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from genstudy.errors import ParameterError
from genstudy.models.base import bernoulli, randn
from genstudy.models.rbm import all_binary_states

LOG_2PI = math.log(2 * math.pi)
#: Hidden units up to which the GB-RBM's partition function is enumerated (2^20 states).
MAX_EXACT_HIDDEN = 20


def mlp(n_in: int, n_out: int, hidden: int, layers: int = 3) -> nn.Sequential:
    """``layers`` ReLU layers of width ``hidden`` then a linear output: (N, n_in) -> (N, n_out)."""
    mods: list[nn.Module] = []
    width = n_in
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    mods.append(nn.Linear(width, n_out))
    return nn.Sequential(*mods)


class ToyGAN(nn.Module):
    """Generator and discriminator MLPs for 2-D points: 3 ReLU layers of ``hidden`` units each."""

    family = "gan"

    def __init__(self, latent_dim: int = 8, hidden: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = mlp(latent_dim, 2, hidden)
        self.discriminator = mlp(2, 1, hidden)

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N,) of ``x`` (N, 2) being real."""
        return self.discriminator(x).squeeze(1)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, 2) points ``G(z)``, ``z ~ N(0, I)``."""
        device = next(self.parameters()).device
        return self.generator(randn((n, self.latent_dim), generator, device))


class ToyVAE(nn.Module):
    """VAE with a 2-D latent and a Gaussian decoder of learned per-coordinate variance."""

    family = "vae"

    def __init__(self, latent_dim: int = 2, hidden: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = mlp(2, 2 * latent_dim, hidden)
        self.decoder = mlp(latent_dim, 2, hidden)
        self.log_sigma_x = nn.Parameter(torch.zeros(2))

    def _log_px(self, x: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
        """log N(x; mean, diag σ_x²) summed over the 2 coordinates; broadcasts leading dims."""
        z = (x - mean) / self.log_sigma_x.exp()
        return (-0.5 * z**2 - self.log_sigma_x - 0.5 * LOG_2PI).sum(-1)

    def elbo(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """One-sample ELBO per point (N,), nats; KL(q ‖ N(0, I)) in closed form."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        z = mu + (0.5 * logvar).exp() * randn(mu.shape, generator, x.device)
        kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)
        return self._log_px(x, self.decoder(z)) - kl

    @torch.no_grad()
    def log_likelihood(self, x: torch.Tensor, k: int = 100, generator: torch.Generator | None = None) -> torch.Tensor:
        """Importance-weighted bound (Burda et al. 2016) with ``k`` samples, per point (N,), nats."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        std = (0.5 * logvar).exp()
        eps = randn((k, *mu.shape), generator, x.device)
        z = mu + std * eps                                          # (k, N, L)
        log_q = (-0.5 * eps**2 - 0.5 * logvar - 0.5 * LOG_2PI).sum(-1)
        log_prior = (-0.5 * z**2 - 0.5 * LOG_2PI).sum(-1)
        log_w = self._log_px(x, self.decoder(z)) + log_prior - log_q
        return torch.logsumexp(log_w, 0) - math.log(k)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, 2) draws from the model ``x ~ p(x | z)``, noise included (not the decoder mean)."""
        device = self.log_sigma_x.device
        mean = self.decoder(randn((n, self.latent_dim), generator, device))
        return mean + self.log_sigma_x.exp() * randn(mean.shape, generator, device)


class GaussianBernoulliRBM(nn.Module):
    """GB-RBM with ``n_visible`` Gaussian and ``n_hidden`` binary units, learned log σ²."""

    family = "rbm"

    def __init__(self, n_visible: int = 2, n_hidden: int = 16, init_std: float = 0.1,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.n_visible, self.n_hidden = n_visible, n_hidden
        self.W = nn.Parameter(init_std * torch.randn(n_visible, n_hidden, generator=generator))
        self.b = nn.Parameter(torch.zeros(n_visible))
        self.c = nn.Parameter(torch.zeros(n_hidden))
        self.log_var = nn.Parameter(torch.zeros(n_visible))

    @property
    def var(self) -> torch.Tensor:
        """σ² (V,)."""
        return self.log_var.exp()

    def energy(self, v: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """E(v, h) for v (N, V), h (N, H); shape (N,)."""
        return (((v - self.b) ** 2) / (2 * self.var)).sum(1) - h @ self.c - (((v / self.var) @ self.W) * h).sum(1)

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = -log Σ_h exp(-E(v, h)), shape (N,)."""
        return (((v - self.b) ** 2) / (2 * self.var)).sum(1) - F.softplus((v / self.var) @ self.W + self.c).sum(1)

    def p_h(self, v: torch.Tensor) -> torch.Tensor:
        """p(h = 1 | v), (N, H)."""
        return torch.sigmoid((v / self.var) @ self.W + self.c)

    def mean_v(self, h: torch.Tensor) -> torch.Tensor:
        """E[v | h] = b + W h, (N, V)."""
        return h @ self.W.t() + self.b

    @torch.no_grad()
    def gibbs(self, v: torch.Tensor, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``steps`` sweeps v → h → v from ``v`` (N, V); returns the last v."""
        std = self.var.sqrt()
        for _ in range(steps):
            h = bernoulli(self.p_h(v), generator)
            v = self.mean_v(h) + std * randn(v.shape, generator, v.device)
        return v

    def contrastive_loss(self, v_data: torch.Tensor, v_model: torch.Tensor) -> torch.Tensor:
        """mean F(data) - mean F(model samples): minus the CD/PCD log-likelihood gradient's objective."""
        return self.free_energy(v_data).mean() - self.free_energy(v_model.detach()).mean()

    def _hidden_states(self) -> torch.Tensor:
        if self.n_hidden > MAX_EXACT_HIDDEN:
            raise ParameterError("n_hidden", self.n_hidden, f"<= {MAX_EXACT_HIDDEN} for exact log Z")
        return all_binary_states(self.n_hidden, self.W.dtype, self.W.device)

    def log_prior_h_unnormalized(self, h: torch.Tensor) -> torch.Tensor:
        """log ∫ exp(-E(v, h)) dv for h (M, H), shape (M,) (a Gaussian integral in closed form)."""
        m = self.mean_v(h)
        gauss = ((m**2 - self.b**2) / (2 * self.var)).sum(1)
        return h @ self.c + gauss + 0.5 * (LOG_2PI + self.log_var).sum()

    def exact_log_partition(self) -> torch.Tensor:
        """log Z = logsumexp_h log ∫ exp(-E(v, h)) dv over all 2^H states; 0-dim, differentiable."""
        return torch.logsumexp(self.log_prior_h_unnormalized(self._hidden_states()), 0)

    def log_likelihood(self, v: torch.Tensor) -> torch.Tensor:
        """Exact log p(v) = -F(v) - log Z per point (N,), nats."""
        return -self.free_energy(v) - self.exact_log_partition()

    @torch.no_grad()
    def chains(self, n: int, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, V): ``n`` Gibbs chains of ``steps`` sweeps from N(b, σ²), what an RBM too large to
        enumerate would have to do instead of :meth:`sample`."""
        v0 = self.b + self.var.sqrt() * randn((n, self.n_visible), generator, self.W.device)
        return self.gibbs(v0, steps, generator)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, V) exact ancestral samples: h ~ p(h) by enumeration, then v ~ N(b + W h, σ²)."""
        device = self.W.device
        states = self._hidden_states()
        probs = torch.softmax(self.log_prior_h_unnormalized(states), 0)
        gen_device = generator.device if generator is not None else device
        idx = torch.multinomial(probs.to(gen_device), n, replacement=True, generator=generator).to(device)
        mean = self.mean_v(states[idx])
        return mean + self.var.sqrt() * randn(mean.shape, generator, device)

    def init_from_data(self, v: torch.Tensor) -> None:
        """b = data mean, σ² = data variance (coordinate-wise): the model starts as one Gaussian fit."""
        with torch.no_grad():
            self.b.copy_(v.mean(0))
            self.log_var.copy_(v.var(0).log())
