"""Deep belief network (Hinton, Osindero & Teh 2006): a stack of RBMs trained greedily.

Layer sizes ``[V, H1, ..., HL]`` give L RBMs; RBM ``l`` models the activities of layer
``l-1``. Training is greedy and layer-wise: RBM 1 on the data, then RBM ``l`` on
binary samples of ``h_{l-1}``, drawn from ``p(h_{l-1} | v)`` computed with mean-field
activities through the trained layers below (:meth:`DBN.up`, then a Bernoulli draw; see
:class:`genstudy.training.tasks.DBNTask`). The result is a generative model whose top two
layers form an undirected RBM and whose lower layers are a directed sigmoid belief net. Generation therefore runs
a Gibbs chain in the top RBM, then one top-down pass ``p(h_{l-1} | h_l) = σ(W_l h_l + b_l)``
to the pixels.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn

from genstudy.errors import ParameterError
from genstudy.models.base import GenerativeModel, bernoulli
from genstudy.models.rbm import RBM, base_rate_bias, tempered_samples


class DBN(GenerativeModel):
    """A DBN over ``sizes[0]`` binary visible units (images (1, side, side) when ``side`` is given)."""

    family = "dbn"

    def __init__(
        self, sizes: Sequence[int], *, side: int | None = None, gibbs_steps: int = 1000,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.gibbs_steps = gibbs_steps
        if len(sizes) < 3 or any(s <= 0 for s in sizes):
            raise ParameterError("sizes", list(sizes), "at least three positive layer widths, e.g. [784, 500, 200]")
        self.sizes = tuple(sizes)
        self.data_shape = (1, side, side) if side else (sizes[0],)
        self.rbms = nn.ModuleList(
            RBM(a, b, side=side if i == 0 else None, generator=generator)
            for i, (a, b) in enumerate(itertools.pairwise(sizes))
        )

    @property
    def n_layers(self) -> int:
        return len(self.rbms)

    @torch.no_grad()
    def up(self, v: torch.Tensor, layers: int) -> torch.Tensor:
        """Mean-field activities after the first ``layers`` RBMs: (N, sizes[layers])."""
        x = v.flatten(1)
        for rbm in self.rbms[:layers]:
            x = rbm.p_h(x)
        return x

    @torch.no_grad()
    def init_from_below(self, layer: int, generator: torch.Generator | None = None, noise_std: float = 0.01) -> None:
        """Start RBM ``layer`` (≥ 1) from the transpose of RBM ``layer - 1``, as Hinton et al.
        (2006)'s greedy procedure does: its weights ``W_l[:, :m] = W_{l-1}ᵀ[:, :m]`` and hidden biases
        ``c_l[:m] = b_{l-1}[:m]`` for the first ``m = min(sizes[l+1], sizes[l-1])`` hidden units, its
        visible biases ``b_l = c_{l-1}``; any further hidden units get weights ``noise_std · N(0, 1)``
        (to break their symmetry) and bias 0.

        With ``noise_std`` 0 and ``sizes[l+1] ≥ sizes[l-1]``, RBM ``layer``'s marginal over its visible
        units equals RBM ``layer - 1``'s marginal over its hidden units (a hidden unit without weights
        multiplies every state's probability by the same 1 + e⁰), so the DBN's log p(v) and its
        variational bound with the up-pass posterior equal the stack below's log p(v) exactly: the
        next layer's training starts from there.
        """
        if not 1 <= layer < self.n_layers:
            raise ParameterError("layer", layer, f"a layer from 1 to {self.n_layers - 1}")
        below, rbm = self.rbms[layer - 1], self.rbms[layer]
        m = min(rbm.n_hidden, below.n_visible)
        extra = rbm.n_hidden - m
        rbm.W[:, :m].copy_(below.W.t()[:, :m])
        rbm.c[:m].copy_(below.b[:m])
        rbm.c[m:].zero_()
        rbm.b.copy_(below.c)
        if extra:
            noise = torch.randn(rbm.n_visible, extra, generator=generator, device=generator.device
                                if generator is not None else rbm.W.device)
            rbm.W[:, m:].copy_(noise_std * noise.to(rbm.W.device))

    @torch.no_grad()
    def down(self, h: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Top-down pass from the activities of layer L-1 to pixel probabilities (N, V).

        Intermediate layers are sampled (a directed pass); the last one returns p(v | h₁).
        """
        x = h
        for i in range(self.n_layers - 2, -1, -1):
            p = self.rbms[i].p_v(x)
            x = p if i == 0 else bernoulli(p, generator=generator)
        return x

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Gibbs chains of :attr:`gibbs_steps` sweeps in the top RBM, then the top-down pass (:meth:`chains`)."""
        return self.chains(n, self.gibbs_steps, generator)

    @torch.no_grad()
    def chains(self, n: int, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` Gibbs chains of ``steps`` sweeps in the top RBM from noise, then the top-down pass:
        shape ``(n, *data_shape)``, in [0, 1]."""
        top = self.rbms[-1]
        gen_device = generator.device if generator is not None else self.device
        v0 = bernoulli(torch.full((n, top.n_visible), 0.5, device=gen_device), generator=generator)
        v_top, _ = top.gibbs(v0.to(self.device), steps, generator)
        return self.down(v_top, generator).reshape(n, *self.data_shape)

    @torch.no_grad()
    def tempering_base(self, data: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The visible biases of parallel tempering's base model in the top RBM: the base rates of one sample,
        drawn on ``generator``, of the up-pass of ``data`` (N, V), binary training vectors; shape (top RBM's V,)."""
        up = bernoulli(self.up(data.flatten(1).to(self.device), self.n_layers - 1), generator=generator)
        return base_rate_bias(up)

    @torch.no_grad()
    def tempered_images(self, n: int, *, temperatures: int, chains: int, burn_in: int, thinning: int,
                        data: torch.Tensor, generator: torch.Generator | None = None,
                        start: torch.Tensor | None = None) -> torch.Tensor:
        """``n`` samples by parallel tempering in the top RBM (:func:`~genstudy.models.rbm.tempered_samples`),
        then the top-down pass: shape ``(n, *data_shape)``, in [0, 1]. ``data`` (N, V) binary training
        vectors: the base rates are those of one sample of their up-pass to the top RBM's visible layer
        (drawn on ``generator``); ``start`` (chains, top RBM's V): the chains' first states there
        (default: noise)."""
        states, _ = tempered_samples(self.rbms[-1], n, temperatures=temperatures, chains=chains, burn_in=burn_in,
                                     thinning=thinning, generator=generator, start=start,
                                     base_bias=self.tempering_base(data, generator))
        return self.down(states, generator).reshape(n, *self.data_shape)
