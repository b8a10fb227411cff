"""What every model family shares: a module that can draw samples in [0, 1].

Metrics only ever consume ``sample(n, generator)`` (and ``log_likelihood(x)`` where a
family defines it), so adding a family never touches the metrics.
"""

from __future__ import annotations

import torch
from torch import nn

from genstudy.sampling import bernoulli, randn

__all__ = ["GenerativeModel", "bernoulli", "randn"]


class GenerativeModel(nn.Module):
    """Base class: ``family`` names the family; ``data_shape`` is one example's shape."""

    family: str = "?"
    data_shape: tuple[int, ...] = ()

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` examples, shape ``(n, *data_shape)``, images with values in [0, 1]."""
        raise NotImplementedError

    def n_parameters(self) -> int:
        """Trainable parameters (the number every cost table reports)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)
