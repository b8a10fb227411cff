"""Annealed importance sampling of an RBM's log partition function (Salakhutdinov & Murray 2008).

An RBM's likelihood needs ``log Z``, a sum over 2^V or 2^H states. AIS anneals from a
tractable *base-rate* RBM A (no weights, visible biases ``b_A`` fitted to the data's
pixel means, so ``log Z_A = Σ_i softplus(b_A,i) + H log 2``) to the target B through

    log p*_β(v) = (1 − β) b_Aᵀv + β bᵀv + Σ_j softplus(β (c_j + vᵀW_{:j})),   0 = β_0 < … < β_K = 1

Each of M independent chains starts at an exact sample of A, accumulates the importance
weight ``log w = Σ_k [log p*_{β_k}(v_{k−1}) − log p*_{β_{k−1}}(v_{k−1})]`` and moves with
one Gibbs sweep that leaves p_{β_k} invariant. Then ``Ẑ = Z_A · mean(w)`` is unbiased for
Z, so ``log Ẑ`` is biased *down* in expectation (Jensen): AIS tends to underestimate log Z
and so to overestimate log-likelihoods. The interval is ``log(Ẑ ± 3 σ̂)`` with σ̂ the
standard error of the mean weight, as in the paper.

The default schedule is the paper's: β spaced uniformly with 500 steps on [0, 0.5], 4,000
on [0.5, 0.9] and 10,000 on [0.9, 1] (14,500), scaled down proportionally for fewer steps.
All chains advance together: one (M x V)·(V x H) product per step and direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genstudy.errors import ParameterError
from genstudy.models.rbm import RBM, base_rate_bias
from genstudy.sampling import bernoulli

PAPER_SCHEDULE = ((0.5, 500), (0.9, 4_000), (1.0, 10_000))


def beta_schedule(n_steps: int = 14_500) -> torch.Tensor:
    """Inverse temperatures 0 = β_0 < … < β_K = 1 (K = ``n_steps``), float64 (K + 1,)."""
    if n_steps < 3:
        raise ParameterError("n_steps", n_steps, "an integer >= 3")
    total = sum(k for _, k in PAPER_SCHEDULE)
    counts = [max(1, round(n_steps * k / total)) for _, k in PAPER_SCHEDULE]
    counts[-1] = n_steps - sum(counts[:-1])
    pieces, start = [torch.zeros(1, dtype=torch.float64)], 0.0
    for (stop, _), n in zip(PAPER_SCHEDULE, counts, strict=True):
        pieces.append(torch.linspace(start, stop, n + 1, dtype=torch.float64)[1:])
        start = stop
    return torch.cat(pieces)


@dataclass(frozen=True)
class AISResult:
    """``log_z`` with the interval ``[log_z_low, log_z_high]`` (log(Ẑ ∓ 3σ̂); the low end is
    −inf when 3σ̂ ≥ Ẑ); ``log_weights`` (M,) of the chains; ``n_steps`` = K."""

    log_z: float
    log_z_low: float
    log_z_high: float
    log_weights: torch.Tensor
    n_steps: int

    @property
    def effective_sample_size(self) -> float:
        """(Σw)² / Σw² of the chains' weights, between 1 and M."""
        w = torch.exp(self.log_weights - self.log_weights.max())
        return float(w.sum() ** 2 / (w**2).sum())

    def half_log_z(self) -> tuple[float, float]:
        """log Z from the first and from the second half of the chains: two independent AIS runs
        of M/2 chains each (chains never interact), for an agreement check."""
        offset = self.log_z - float(torch.logsumexp(self.log_weights, 0) - math.log(len(self.log_weights)))
        m = len(self.log_weights) // 2
        first, second = (offset + float(torch.logsumexp(h, 0) - math.log(len(h)))
                         for h in (self.log_weights[:m], self.log_weights[m:]))
        return first, second


def transposed(rbm: RBM) -> RBM:
    """The same RBM with its layers' roles swapped (weights Wᵀ, biases c and b): the same
    joint distribution, hence the same Z, so AIS may anneal over the smaller layer's side."""
    flipped = RBM(rbm.n_hidden, rbm.n_visible, gibbs_steps=rbm.gibbs_steps).to(rbm.W.device, rbm.W.dtype)
    with torch.no_grad():
        flipped.W.copy_(rbm.W.t())
        flipped.b.copy_(rbm.c)
        flipped.c.copy_(rbm.b)
    return flipped


@torch.no_grad()
def ais_log_partition(rbm: RBM, base_bias: torch.Tensor, *, n_chains: int = 100, n_steps: int = 14_500,
                      generator: torch.Generator | None = None) -> AISResult:
    """AIS estimate of log Z of ``rbm`` from the base-rate model with visible biases ``base_bias`` (V,)."""
    if n_chains < 2:
        raise ParameterError("n_chains", n_chains, "an integer >= 2")
    W, b, c = rbm.W.detach(), rbm.b.detach(), rbm.c.detach()
    dev = W.device
    b_a = base_bias.to(dev, W.dtype)
    betas = beta_schedule(n_steps).tolist()
    log_z_a = float(F.softplus(b_a).sum()) + rbm.n_hidden * math.log(2.0)

    gen_device = generator.device if generator is not None else dev
    v = bernoulli(torch.sigmoid(b_a).to(gen_device).expand(n_chains, -1).contiguous(), generator).to(dev)
    log_w = torch.zeros(n_chains, dtype=torch.float64, device=dev)

    def log_p_star(beta: float, v_b: torch.Tensor, vb_a: torch.Tensor, act: torch.Tensor) -> torch.Tensor:
        return (1.0 - beta) * vb_a + beta * v_b + F.softplus(beta * act).sum(1)

    for k in range(1, len(betas)):
        prev, beta = betas[k - 1], betas[k]
        act = v @ W + c  # (M, H), shared by both weights and the hidden sample
        vb_a, v_b = v @ b_a, v @ b
        log_w += (log_p_star(beta, v_b, vb_a, act) - log_p_star(prev, v_b, vb_a, act)).double()
        # One Gibbs sweep at β_k: h ~ p_β(h | v), v ~ p_β(v | h).
        h = bernoulli(torch.sigmoid(beta * act), generator)
        v = bernoulli(torch.sigmoid((1.0 - beta) * b_a + beta * (h @ W.t() + b)), generator)

    log_w = log_w.cpu()
    log_mean = torch.logsumexp(log_w, 0) - math.log(n_chains)
    r = torch.exp(log_w - log_mean)  # weights relative to their mean: mean(r) = 1
    rel_se = float(r.std(unbiased=True) / math.sqrt(n_chains))
    log_z = log_z_a + float(log_mean)
    low = log_z + math.log(1 - 3 * rel_se) if 3 * rel_se < 1 else -math.inf
    return AISResult(log_z, low, log_z + math.log(1 + 3 * rel_se), log_w, n_steps)


@dataclass(frozen=True)
class TwoWayAIS:
    """Two independent AIS estimates of one RBM's log Z: annealed over its visible side (base
    rate fitted to the data) and over its hidden side (:func:`transposed`; base rate fitted to
    hidden states drawn from p(h | data)). Their paths share nothing, so their disagreement
    measures what neither's own interval shows: chains stuck in the modes their base model
    favours. ``best`` is the one with the larger effective sample size."""

    visible: AISResult
    hidden: AISResult

    @property
    def best(self) -> AISResult:
        return max((self.visible, self.hidden), key=lambda r: r.effective_sample_size)

    @property
    def other(self) -> AISResult:
        """The run that is not :attr:`best`."""
        return self.hidden if self.best is self.visible else self.visible

    @property
    def disagreement(self) -> float:
        """|log Z_visible − log Z_hidden| in nats."""
        return abs(self.visible.log_z - self.hidden.log_z)


@torch.no_grad()
def two_way_log_partition(rbm: RBM, data: torch.Tensor, *, n_chains: int = 100, n_steps: int = 14_500,
                          generator: torch.Generator | None = None) -> TwoWayAIS:
    """log Z of ``rbm`` by AIS from both sides (:class:`TwoWayAIS`), each with ``n_chains`` chains
    and ``n_steps`` β; ``data`` (N, V) binary training vectors fit both base rates."""
    data = data.flatten(1).to(rbm.device)
    hidden = bernoulli(rbm.p_h(data), generator)
    kwargs = {"n_chains": n_chains, "n_steps": n_steps, "generator": generator}
    return TwoWayAIS(ais_log_partition(rbm, base_rate_bias(data), **kwargs),
                     ais_log_partition(transposed(rbm), base_rate_bias(hidden), **kwargs))
