"""The article's "VAE", which is a deterministic autoencoder — ported and kept as a baseline.

The article's Keras code: ``Dense(32, activation=ReLU())`` as encoder, ``Dense(784,
sigmoid)`` as decoder, trained with mean squared error. Fixed minimally here (the decoder
is applied to the encoder's output; the article builds the model from an input its output
does not depend on). It has no latent distribution, no sampling step and no KL term, so
nothing tells it what codes to expect: decoding random codes (:meth:`sample`) shows that
it is not a generative model.

That test is not fair on its own: the ReLU encoder never outputs a negative code, so most of
N(0, I) lies where no image is coded. The fair test (Ghosh et al. 2020, "From variational to
deterministic autoencoders") fits a density to the codes of the training images after
training, here a Gaussian mixture of ``n_components`` full-covariance components (scikit-
learn's EM), and decodes samples of it: ``code_density="gmm"`` (the registry's
``autoencoder_gmm``). The mixture is kept in buffers, so it travels with the weights.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.mixture import GaussianMixture
from torch import nn

from genstudy.errors import ParameterError
from genstudy.models.base import GenerativeModel, randn

CODE_DENSITIES = ("normal", "gmm")


class Autoencoder(GenerativeModel):
    """x (N, 1, 28, 28) in [0, 1] → code (N, code_dim) ≥ 0 → reconstruction in [0, 1].

    ``code_density``: what :meth:`sample` decodes, ``normal`` (N(0, I) codes, as a VAE would)
    or ``gmm`` (a Gaussian mixture of ``n_components`` fitted to the training codes by
    :meth:`after_training`; buffers ``gmm_weights`` (K,), ``gmm_means`` (K, D) and the
    covariances' Cholesky factors ``gmm_chol`` (K, D, D)).
    """

    family = "autoencoder"

    def __init__(self, side: int = 28, code_dim: int = 32, code_density: str = "normal", n_components: int = 10
                 ) -> None:
        super().__init__()
        if code_density not in CODE_DENSITIES:
            raise ParameterError("code_density", code_density, CODE_DENSITIES)
        self.data_shape = (1, side, side)
        self.code_dim, self.code_density = code_dim, code_density
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(side * side, code_dim), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(code_dim, side * side), nn.Sigmoid(), nn.Unflatten(1, self.data_shape))
        k = n_components if code_density == "gmm" else 0
        # Until fitted, the mixture is K copies of N(0, I).
        self.register_buffer("gmm_weights", torch.full((k,), 1.0 / max(k, 1)))
        self.register_buffer("gmm_means", torch.zeros(k, code_dim))
        self.register_buffer("gmm_chol", torch.eye(code_dim).repeat(k, 1, 1))

    @torch.no_grad()
    def codes(self, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
        """The codes (N, code_dim) of images ``x`` (N, 1, S, S), in batches."""
        return torch.cat([self.encoder(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])

    def after_training(self, x: torch.Tensor, seed: int) -> None:
        """With ``code_density="gmm"``, fit the Gaussian mixture to the codes of ``x`` (EM from a
        k-means start drawn with ``seed``); nothing otherwise."""
        if self.code_density != "gmm":
            return
        codes = self.codes(x).double().cpu().numpy()
        gmm = GaussianMixture(len(self.gmm_weights), covariance_type="full", reg_covar=1e-4, random_state=seed)
        gmm.fit(codes)
        as_tensor = lambda a: torch.as_tensor(np.asarray(a), dtype=self.gmm_means.dtype,  # noqa: E731
                                              device=self.gmm_means.device)
        self.gmm_weights.copy_(as_tensor(gmm.weights_))
        self.gmm_means.copy_(as_tensor(gmm.means_))
        self.gmm_chol.copy_(as_tensor(np.linalg.cholesky(gmm.covariances_)))

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
        """Decode ``n`` codes drawn from N(0, I) (what a VAE would do, and nothing trained this
        model for) or, with ``code_density="gmm"``, from the mixture fitted to its codes."""
        eps = randn((n, self.code_dim), generator, self.device)
        if self.code_density == "normal":
            return self.decoder(eps)
        component = torch.multinomial(self.gmm_weights, n, replacement=True, generator=generator)
        z = self.gmm_means[component] + (self.gmm_chol[component] @ eps.unsqueeze(-1)).squeeze(-1)
        return self.decoder(z)
