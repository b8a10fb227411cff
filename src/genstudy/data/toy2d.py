"""Two-dimensional Gaussian mixtures, the standard test bed for mode collapse.

* ``ring8``: 8 modes evenly spaced on a circle of radius 2, std 0.02 (Metz et al. 2017,
  Unrolled GANs);
* ``grid25``: 25 modes on the grid {-4, -2, 0, 2, 4}², std 0.05 (Srivastava et al. 2017,
  VEEGAN).

Modes are equally likely. Samples are a pure function of ``(name, n, seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genstudy.errors import ParameterError


@dataclass(frozen=True)
class Mixture:
    """A mixture of isotropic Gaussians with equal weights: ``centers`` (K, 2), one ``std``."""

    name: str
    centers: np.ndarray
    std: float

    @property
    def n_modes(self) -> int:
        return len(self.centers)

    def sample(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` points; return ``(x, mode)`` with ``x`` float32 (n, 2), ``mode`` int64 (n,)."""
        if n <= 0:
            raise ParameterError("n", n, "a positive integer")
        rng = np.random.default_rng(seed)
        mode = rng.integers(0, self.n_modes, size=n)
        x = self.centers[mode] + self.std * rng.standard_normal((n, 2))
        return x.astype(np.float32), mode.astype(np.int64)


def ring8(radius: float = 2.0, std: float = 0.02) -> Mixture:
    """Eight Gaussians on a circle of ``radius``, the first at angle 0."""
    angles = 2 * np.pi * np.arange(8) / 8
    return Mixture("ring8", radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), std)


def grid25(spacing: float = 2.0, std: float = 0.05) -> Mixture:
    """Twenty-five Gaussians on a 5x5 grid centred at the origin, ``spacing`` apart."""
    ticks = spacing * (np.arange(5) - 2)
    gx, gy = np.meshgrid(ticks, ticks, indexing="ij")
    return Mixture("grid25", np.stack([gx.ravel(), gy.ravel()], axis=1), std)


MIXTURES = {"ring8": ring8, "grid25": grid25}


def mixture(name: str) -> Mixture:
    """The named mixture with its standard parameters."""
    if name not in MIXTURES:
        raise ParameterError("dataset", name, MIXTURES)
    return MIXTURES[name]()
