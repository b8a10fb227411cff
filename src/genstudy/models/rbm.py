"""Bernoulli–Bernoulli restricted Boltzmann machine (Smolensky 1986; Hinton 2002).

Binary visible units ``v ∈ {0,1}^V`` and hidden units ``h ∈ {0,1}^H`` with energy::

    E(v, h) = -bᵀv - cᵀh - vᵀWh,        p(v, h) = exp(-E(v, h)) / Z

No connections within a layer, so both conditionals factorise::

    p(h_j = 1 | v) = σ(c_j + vᵀW_{:j}),     p(v_i = 1 | h) = σ(b_i + W_{i:}h)

and the hidden units sum out in closed form, giving the free energy::

    F(v) = -bᵀv - Σ_j softplus(c_j + vᵀW_{:j}),     log p(v) = -F(v) - log Z

Training follows the log-likelihood gradient ``<∂(-F)/∂θ>_data - <∂(-F)/∂θ>_model`` with
the model expectation replaced by ``k`` Gibbs steps started at the data (CD-k) or at
persistent chains (PCD, Tieleman 2008). :meth:`contrastive_loss` is the surrogate whose
autograd gradient is exactly that estimate; ``genstudy.training`` writes the same gradient
out (:func:`genstudy.training.tasks.contrastive_gradients`, tested equal to autograd's)
to reuse the sampler's products, and applies it with SGD (momentum, weight decay).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from genstudy.errors import ParameterError
from genstudy.models.base import GenerativeModel, bernoulli

MAX_EXACT_UNITS = 24


class RBM(GenerativeModel):
    """An RBM with ``n_visible`` and ``n_hidden`` binary units; images are (1, side, side) when ``side`` is given."""

    family = "rbm"

    def __init__(self, n_visible: int, n_hidden: int, *, side: int | None = None, init_std: float = 0.01,
                 gibbs_steps: int = 1000, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.gibbs_steps = gibbs_steps
        if side is not None and side * side != n_visible:
            raise ParameterError("side", side, f"sqrt(n_visible) = {math.isqrt(n_visible)}")
        self.n_visible, self.n_hidden, self.side = n_visible, n_hidden, side
        self.data_shape = (1, side, side) if side else (n_visible,)
        self.W = nn.Parameter(init_std * torch.randn(n_visible, n_hidden, generator=generator))
        self.b = nn.Parameter(torch.zeros(n_visible))
        self.c = nn.Parameter(torch.zeros(n_hidden))

    # --- the energy model -----------------------------------------------------------------

    def energy(self, v: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """E(v, h) for batches v (N, V), h (N, H); shape (N,)."""
        return -(v @ self.b) - (h @ self.c) - ((v @ self.W) * h).sum(1)

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = -log Σ_h exp(-E(v, h)) for v (N, V); shape (N,)."""
        return -(v @ self.b) - F.softplus(v @ self.W + self.c).sum(1)

    def p_h(self, v: torch.Tensor) -> torch.Tensor:
        """p(h = 1 | v), (N, H). One fused ``c + v W`` and an in-place sigmoid: these two
        conditionals are the whole cost of a Gibbs sweep."""
        return torch.addmm(self.c, v, self.W).sigmoid_()

    def p_v(self, h: torch.Tensor) -> torch.Tensor:
        """p(v = 1 | h), (N, V)."""
        return torch.addmm(self.b, h, self.W.t()).sigmoid_()

    @torch.no_grad()
    def gibbs(
        self, v: torch.Tensor, steps: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run ``steps`` full Gibbs sweeps v → h → v from ``v`` (N, V).

        Returns ``(v_sample, v_prob)``: the last binary visible state and the probabilities
        it was drawn from (the latter is the smoother image to display).
        """
        v_prob = v
        for _ in range(steps):
            h = bernoulli(self.p_h(v), generator=generator)
            v_prob = self.p_v(h)
            v = bernoulli(v_prob, generator=generator)
        return v, v_prob

    def contrastive_loss(self, v_data: torch.Tensor, v_model: torch.Tensor) -> torch.Tensor:
        """mean F(v_data) - mean F(v_model): its gradient is minus the CD/PCD log-likelihood gradient."""
        return self.free_energy(v_data).mean() - self.free_energy(v_model.detach()).mean()

    # --- exact quantities on small models ---------------------------------------------------

    @torch.no_grad()
    def exact_log_partition(self) -> torch.Tensor:
        """log Z by enumerating the smaller layer (at most 2^24 states); a 0-dim tensor."""
        small = min(self.n_visible, self.n_hidden)
        if small > MAX_EXACT_UNITS:
            allowed = f"min(n_visible, n_hidden) <= {MAX_EXACT_UNITS} for exact log Z"
            raise ParameterError("n_hidden", self.n_hidden, allowed)
        states = all_binary_states(small, self.W.dtype, self.W.device)
        if self.n_hidden <= self.n_visible:
            # Σ_h exp(cᵀh) Π_i (1 + exp(b_i + W_i h))
            terms = states @ self.c + F.softplus(states @ self.W.t() + self.b).sum(1)
        else:
            terms = -self.free_energy(states)
        return torch.logsumexp(terms, dim=0)

    @torch.no_grad()
    def log_likelihood(self, v: torch.Tensor, log_z: torch.Tensor | float | None = None) -> torch.Tensor:
        """log p(v) = -F(v) - log Z per example (N,); exact log Z unless ``log_z`` is given (e.g. from AIS)."""
        if log_z is None:
            log_z = self.exact_log_partition()
        return -self.free_energy(v.flatten(1)) - log_z

    # --- sampling -----------------------------------------------------------------------------

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` independent Gibbs chains of :attr:`gibbs_steps` sweeps from uniform noise (:meth:`chains`)."""
        return self.chains(n, self.gibbs_steps, generator)

    @torch.no_grad()
    def chains(self, n: int, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` independent Gibbs chains of ``steps`` sweeps from uniform noise: p(v | h) of their
        last hidden state, shape ``(n, *data_shape)``, in [0, 1]. The same generator state replays
        the same chains, so ``chains(n, 10, g)`` continues where ``chains(n, 1, g')`` with an equal
        ``g'`` stopped."""
        gen_device = generator.device if generator is not None else self.device
        v0 = bernoulli(torch.full((n, self.n_visible), 0.5, device=gen_device), generator=generator)
        _, v_prob = self.gibbs(v0.to(self.device), steps, generator)
        return v_prob.reshape(n, *self.data_shape)

    @torch.no_grad()
    def init_visible_bias(self, v: torch.Tensor, eps: float = 1e-3) -> None:
        """Set b to the log-odds of the data's pixel means (Hinton's practical guide, §8)."""
        p = v.flatten(1).mean(0).clamp(eps, 1 - eps)
        self.b.copy_(torch.log(p) - torch.log1p(-p))


def all_binary_states(n: int, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu") -> torch.Tensor:
    """Every vector of {0,1}^n, shape (2^n, n), in lexicographic order (row i is i in binary)."""
    bits = torch.arange(n - 1, -1, -1, device=device)
    return ((torch.arange(2**n, device=device)[:, None] >> bits) & 1).to(dtype)
