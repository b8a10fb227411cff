"""The article's "VAE", which is a deterministic autoencoder — ported and kept as a baseline.

The article's Keras code: ``Dense(32, activation=ReLU())`` as encoder, ``Dense(784,
sigmoid)`` as decoder, trained with mean squared error. Fixed minimally here (the decoder
is applied to the encoder's output; the article builds the model from an input its output
does not depend on). It has no latent distribution, no sampling step and no KL term, so
nothing tells it what codes to expect: decoding random codes (:meth:`sample`) shows that
it is not a generative model.
"""

from __future__ import annotations

import torch
from torch import nn

from genstudy.models.base import GenerativeModel, randn


class Autoencoder(GenerativeModel):
    """x (N, 1, 28, 28) in [0, 1] → code (N, code_dim) ≥ 0 → reconstruction in [0, 1]."""

    family = "autoencoder"

    def __init__(self, side: int = 28, code_dim: int = 32) -> None:
        super().__init__()
        self.data_shape = (1, side, side)
        self.code_dim = code_dim
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(side * side, code_dim), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(code_dim, side * side), nn.Sigmoid(), nn.Unflatten(1, self.data_shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Decoded codes of ``x``, same shape, in [0, 1]."""
        return self(x)

    def loss(self, x: torch.Tensor) -> torch.Tensor:
        """The article's objective: mean squared error per pixel (a scalar)."""
        return nn.functional.mse_loss(self(x), x)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode codes drawn from N(0, I) — what a VAE would do, and what an autoencoder cannot."""
        return self.decoder(randn((n, self.code_dim), generator, self.device))
