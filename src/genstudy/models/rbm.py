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
    def tempering_base(self, data: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The visible biases (V,) of parallel tempering's base model: the base rates of ``data`` (N, V),
        binary training vectors (``generator`` is unused: a DBN draws its up-pass on it)."""
        return base_rate_bias(data.flatten(1).to(self.device))

    @torch.no_grad()
    def tempered_images(self, n: int, *, temperatures: int, chains: int, burn_in: int, thinning: int,
                        data: torch.Tensor, generator: torch.Generator | None = None,
                        start: torch.Tensor | None = None) -> torch.Tensor:
        """``n`` samples by parallel tempering (:func:`tempered_samples`; the base: :meth:`tempering_base`
        of ``data`` (N, V), binary training vectors; ``start`` (chains, V): the chains' first states, default
        noise): p(v | h) of each, shape ``(n, *data_shape)``, in [0, 1]."""
        _, probs = tempered_samples(self, n, temperatures=temperatures, chains=chains, burn_in=burn_in,
                                    thinning=thinning, generator=generator, start=start,
                                    base_bias=self.tempering_base(data))
        return probs.reshape(n, *self.data_shape)

    @torch.no_grad()
    def init_visible_bias(self, v: torch.Tensor, eps: float = 1e-3) -> None:
        """Set b to the log-odds of the data's pixel means (Hinton's practical guide, §8)."""
        p = v.flatten(1).mean(0).clamp(eps, 1 - eps)
        self.b.copy_(torch.log(p) - torch.log1p(-p))


def base_rate_bias(v: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    """The base-rate model's visible biases: log-odds of the pixel means of ``v`` (N, V), clamped; (V,).
    The base of annealed importance sampling (:mod:`genstudy.metrics.ais`) and of parallel tempering
    (:class:`TemperedChains`)."""
    p = v.flatten(1).double().mean(0).clamp(eps, 1 - eps)
    return (torch.log(p) - torch.log1p(-p)).float()


def all_binary_states(n: int, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu") -> torch.Tensor:
    """Every vector of {0,1}^n, shape (2^n, n), in lexicographic order (row i is i in binary)."""
    bits = torch.arange(n - 1, -1, -1, device=device)
    return ((torch.arange(2**n, device=device)[:, None] >> bits) & 1).to(dtype)


# --- parallel tempering -----------------------------------------------------------------------
#
# Parallel tempering for an RBM (replica exchange: Swendsen & Wang 1986; for RBMs Desjardins et al. 2010).
#
# Gibbs chains of an RBM trained on MNIST stay near where they start: after 1,000 sweeps, chains
# from noise and from training images still give samples 22–65% apart in FD (the literature
# chapter's mixing study). Parallel tempering runs, beside each chain of the RBM, ``K − 1`` replicas
# of it at smoothed versions of the model, which mix fast, and lets neighbouring replicas swap their
# states; the model's own chain (β = 1) thereby receives states that travelled through the smooth
# ones. Each of the ``K`` distributions of the ladder β₀ = 1 > … > β_{K−1} = 0 is the path of
# annealed importance sampling (:mod:`genstudy.metrics.ais`) from a base model of independent visible
# units with biases ``a``::
#
#     p_β(v, h) ∝ exp((1 − β) aᵀv + β (bᵀv + cᵀh + vᵀWh))
#
# β = 1 is the RBM; β = 0 is the base (the hidden units uniform), sampled exactly. ``a`` = 0 (the
# default) scales the RBM's energy by β (uniform noise at β = 0); the data's base rates
# (:func:`base_rate_bias`) start the ladder nearer the model. At β:
# ``p(h = 1 | v) = σ(β (c + vᵀW))`` and ``p(v = 1 | h) = σ((1 − β) a + β (b + Wh))``. A swap of the
# joint states x_i, x_{i+1} of neighbouring replicas is accepted with probability
# ``min(1, exp((β_i − β_{i+1}) (g(x_{i+1}) − g(x_i))))``, with ``g(v, h) = (b − a)ᵀv + cᵀh + vᵀWh``;
# every sweep proposes the even pairs or the odd ones, alternately. Each replica's chain, swaps
# included, leaves its own p_β invariant, so the β = 1 replica samples the RBM.
#
# Costs: K times the sweeps of one chain. With K = 1 there are no swaps, and :class:`TemperedChains`
# draws exactly what :meth:`RBM.gibbs` draws from the same generator.


def ladder(temperatures: int) -> torch.Tensor:
    """The inverse temperatures β_i = (1 − i / (K − 1))², i = 0 … K − 1: from 1 (the RBM) to 0, closer
    together near 0, where the distributions change fastest with β; shape (K,). ``ladder(1)`` = [1]."""
    if temperatures < 1:
        raise ParameterError("temperatures", temperatures, "an integer >= 1")
    if temperatures == 1:
        return torch.ones(1)
    return torch.linspace(1.0, 0.0, temperatures) ** 2


class TemperedChains:
    """``m`` independent parallel-tempering chains of ``rbm``, each of ``temperatures`` replicas
    (:func:`ladder`), all replicas started from ``v`` (m, V) binary visible states; ``base_bias`` (V,):
    the base model's visible biases ``a`` (default 0: uniform).

    :meth:`sweep` runs one Gibbs sweep in every replica, then the swaps; it returns p(v | h) of the
    β = 1 replicas after their sweep (m, V), the smoother image of the model's sample, and keeps the
    binary states drawn from it in :attr:`drawn` (before the swaps). :attr:`acceptance`: the share of
    proposed swaps accepted so far (NaN before any); :attr:`pair_acceptance`: the same per pair of
    neighbouring replicas, (K − 1,), the pair of ``betas[i]`` and ``betas[i + 1]`` at i. A pair that
    never swaps cuts the ladder: the replicas above it are Gibbs chains, whatever the ladder below.
    Draws come from ``generator`` only.
    """

    def __init__(self, rbm: RBM, v: torch.Tensor, temperatures: int, generator: torch.Generator | None = None,
                 base_bias: torch.Tensor | None = None) -> None:
        self.rbm, self.generator = rbm, generator
        self.betas = ladder(temperatures).to(rbm.W.device, rbm.W.dtype)
        self.a = (torch.zeros(rbm.n_visible) if base_bias is None else base_bias).to(rbm.W.device, rbm.W.dtype)
        self.v = v.to(rbm.W.device, rbm.W.dtype).unsqueeze(0).repeat(temperatures, 1, 1)  # (K, m, V)
        self.sweeps = 0
        #: Swaps proposed and accepted per pair of neighbouring replicas, on the chains' device (no sync per sweep).
        self.pair_proposed = torch.zeros(max(temperatures - 1, 0), dtype=torch.long, device=rbm.W.device)
        self.pair_accepted = torch.zeros(max(temperatures - 1, 0), dtype=torch.long, device=rbm.W.device)
        self.drawn = self.v[0].clone()

    @property
    def proposed(self) -> int:
        return int(self.pair_proposed.sum())

    @property
    def accepted(self) -> int:
        return int(self.pair_accepted.sum())

    @property
    def acceptance(self) -> float:
        proposed = self.proposed
        return self.accepted / proposed if proposed else float("nan")

    @property
    def pair_acceptance(self) -> torch.Tensor:
        """The share of swaps accepted per pair of neighbouring replicas, float64 (K − 1,); NaN before any."""
        return (self.pair_accepted.double() / self.pair_proposed.double()).cpu()

    @torch.no_grad()
    def sweep(self) -> torch.Tensor:
        W, b, c = self.rbm.W.detach(), self.rbm.b.detach(), self.rbm.c.detach()
        k = len(self.betas)
        beta = self.betas.view(k, 1, 1)
        if k == 1:  # the RBM's own sweep, with its fused products (RBM.gibbs, bit for bit)
            h = bernoulli(self.rbm.p_h(self.v[0]), self.generator)
            v_prob = self.rbm.p_v(h)
            self.v = bernoulli(v_prob, self.generator).unsqueeze(0)
            self.drawn = self.v[0]
            self.sweeps += 1
            return v_prob
        h = bernoulli(torch.sigmoid(beta * (self.v @ W + c)), self.generator)  # (K, m, H)
        v_prob = torch.sigmoid((1 - beta) * self.a + beta * (b + h @ W.t()))
        self.v = bernoulli(v_prob, self.generator)
        self.drawn = self.v[0].clone()
        first = self.sweeps % 2
        pairs = torch.arange(first, k - 1, 2, device=W.device)
        if len(pairs):
            g = self.v @ (b - self.a) + (h * (self.v @ W + c)).sum(-1)  # (K, m): each replica's joint state
            log_ratio = (self.betas[pairs] - self.betas[pairs + 1]).unsqueeze(1) * (g[pairs + 1] - g[pairs])
            u = torch.rand(log_ratio.shape, generator=self.generator, device=log_ratio.device, dtype=log_ratio.dtype)
            swap = (u.log() < log_ratio).unsqueeze(-1)  # (P, m, 1)
            low, high = self.v[pairs], self.v[pairs + 1]
            self.v[pairs], self.v[pairs + 1] = torch.where(swap, high, low), torch.where(swap, low, high)
            self.pair_proposed[pairs] += swap.shape[1]
            self.pair_accepted[pairs] += swap.sum((1, 2))
        self.sweeps += 1
        return v_prob[0]

    def run(self, sweeps: int) -> torch.Tensor | None:
        """``sweeps`` sweeps; p(v | h) of the β = 1 replicas after the last (None for 0 sweeps)."""
        v_prob = None
        for _ in range(sweeps):
            v_prob = self.sweep()
        return v_prob


@torch.no_grad()
def tempered_samples(rbm: RBM, n: int, *, temperatures: int, chains: int, burn_in: int, thinning: int,
                     generator: torch.Generator | None = None, start: torch.Tensor | None = None,
                     base_bias: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` samples of ``rbm`` by parallel tempering: ``chains`` :class:`TemperedChains` (base
    ``base_bias``) from ``start`` (chains, V) (default: uniform noise), ``burn_in`` sweeps, then one
    sample of every chain each ``thinning`` sweeps until ``n`` are drawn (the last round's first chains
    only).

    Returns ``(states, probabilities)``, both (n, V): the β = 1 replicas' binary visible states and the
    p(v | h) they were drawn from, round after round (rows ``r·chains … (r + 1)·chains − 1`` are round r).
    Samples of one chain are ``thinning`` sweeps apart, not independent: the chains' agreement from
    two starts (the mixing study) is what shows they have forgotten where they began.
    """
    for name, value, least in (("n", n, 1), ("chains", chains, 1), ("burn_in", burn_in, 0), ("thinning", thinning, 1)):
        if value < least:
            raise ParameterError(name, value, f"an integer >= {least}")
    device = rbm.W.device
    if start is None:
        gen_device = generator.device if generator is not None else device
        start = bernoulli(torch.full((chains, rbm.n_visible), 0.5, device=gen_device), generator)
    if len(start) != chains:
        raise ParameterError("start", tuple(start.shape), f"{chains} starting states")
    sampler = TemperedChains(rbm, start, temperatures, generator, base_bias)
    sampler.run(burn_in)
    states, probs = [], []
    for _ in range(math.ceil(n / chains)):
        v_prob = sampler.run(thinning)
        assert v_prob is not None
        states.append(sampler.drawn.clone())
        probs.append(v_prob.clone())
    return torch.cat(states)[:n], torch.cat(probs)[:n]
