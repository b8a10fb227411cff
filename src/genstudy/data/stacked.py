"""Stacked MNIST (Metz et al. 2017; Srivastava et al. 2017): three MNIST digits drawn at random
as the three channels of one image, so that the data has 10³ = 1,000 equally likely modes, one
per ordered triple of digits. A generator's mode collapse shows as modes it never draws."""

from __future__ import annotations

import numpy as np

#: The modes of Stacked MNIST: one per ordered triple of digits.
MODES = 1_000
#: A triple (d₀, d₁, d₂) is mode 100·d₀ + 10·d₁ + d₂.
PLACES = np.array([100, 10, 1])


def stack_digits(images: np.ndarray, labels: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` Stacked MNIST images from MNIST ``images`` uint8 (N, H, W) and their ``labels`` (N,):
    each draws three images uniformly with replacement (generator ``seed``) as its channels.
    Returns the images, uint8 (n, 3, H, W), and their modes (n,) in 0..999."""
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(images), (n, 3))
    return images[index], (labels[index].astype(np.int64) * PLACES).sum(1)
