"""The surface every model family shares: draw samples in [0, 1], count parameters.

Metrics and runs only ever call ``sample(n, generator)`` (and ``log_likelihood(x)`` where a
family defines it), so adding a family never touches them. How long a sampler runs is the
model's own setting: ``gibbs_steps`` is the number of Gibbs sweeps behind one sample for
the families that sample with a Markov chain (RBM, DBN) and 0 for the families that draw a
sample with one forward pass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn

from genstudy.sampling import bernoulli, randn

__all__ = ["GenerativeModel", "bernoulli", "randn"]


class GenerativeModel(nn.Module, ABC):
    """Base class: ``family`` names the family; ``data_shape`` is one example's shape;
    ``gibbs_steps`` the Gibbs sweeps per sample (0 when a sample is one forward pass)."""

    family: str = "?"
    data_shape: tuple[int, ...] = ()
    gibbs_steps: int = 0

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @abstractmethod
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` examples, shape ``(n, *data_shape)``, images with values in [0, 1]."""

    def after_training(self, x: torch.Tensor, seed: int) -> None:
        """Fit what the model needs beyond its gradient training, on its prepared training
        tensor ``x`` (nothing by default; the autoencoder's code density)."""

    def n_parameters(self) -> int:
        """Trainable parameters (the number every cost table reports)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)
