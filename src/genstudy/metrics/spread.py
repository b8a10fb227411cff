"""How much a set of samples varies: the collapse check of the GAN chapters."""

from __future__ import annotations

import numpy as np


def sample_spread(images: np.ndarray) -> float:
    """Mean over pixels of the standard deviation across samples, for ``images`` (N, ...) in
    [0, 1] (float) or 0..255 (uint8, rescaled to [0, 1]). A generator that draws one image
    for every code scores (almost) 0; real Fashion-MNIST images score about 0.3."""
    images = np.asarray(images)
    x = images.astype(np.float64) / (255.0 if images.dtype == np.uint8 else 1.0)
    return float(x.std(axis=0).mean())
