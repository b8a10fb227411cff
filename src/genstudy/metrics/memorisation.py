"""Does a model generalise or copy? Nearest-neighbour distances to its training images.

A sample that is a copy of a training image sits at distance 0 from the training set; a
new image of the same distribution sits about as far from it as a held-out test image does.
So the study compares, in pixel space ([0, 1]^d, Euclidean):

* ``d_s``: each sample's distance to its nearest training image;
* ``d_t``: each held-out test image's distance to its nearest training image.

and reports

* ``nn_ratio`` = median(d_s) / median(d_t): about 1 for a model that generalises like fresh
  data, near 0 for one that returns its training images, above 1 for samples farther from
  the data than real images are (blurred or off-distribution);
* ``copies`` = share of samples closer to a training image than 99 % of test images are
  (below the 1st percentile of ``d_t``): about 0.01 for fresh data, near 1 for a copier.

Pixel distance is the usual memorisation test (e.g. Webster et al. 2019 use it beside
feature distances); it cannot see a copy that is shifted by a pixel, which a memorising
model of these datasets does not produce.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

#: The quantile of the test images' distances below which a sample counts as a copy.
COPY_QUANTILE = 0.01


@torch.no_grad()
def nearest_distances(x: torch.Tensor, pool: torch.Tensor, chunk: int = 1024) -> torch.Tensor:
    """Euclidean distance from each row of ``x`` (N, …) to its nearest row of ``pool`` (M, …),
    shape (N,), float64, computed in chunks of ``chunk`` rows of ``x``."""
    x, pool = x.flatten(1).double(), pool.flatten(1).double()
    p_sq = pool.pow(2).sum(1)
    out = []
    for start in range(0, len(x), chunk):
        xb = x[start : start + chunk]
        sq = xb.pow(2).sum(1, keepdim=True) + p_sq - 2.0 * xb @ pool.t()
        out.append(sq.min(1).values.clamp_min(0.0).sqrt())
    return torch.cat(out)


@dataclass(frozen=True)
class Memorisation:
    """``nn_ratio`` and ``copies`` of the module docstring; the medians they come from."""

    nn_ratio: float
    copies: float
    sample_median: float
    test_median: float


def memorisation(samples: torch.Tensor, train: torch.Tensor, test: torch.Tensor) -> Memorisation:
    """Nearest-training-image distances of ``samples`` against those of held-out ``test`` images
    (all (N, …) in [0, 1], the same number of pixels)."""
    d_s = nearest_distances(samples, train)
    d_t = nearest_distances(test, train)
    threshold = float(torch.quantile(d_t, COPY_QUANTILE))
    s_med, t_med = float(d_s.median()), float(d_t.median())
    return Memorisation(s_med / t_med, float((d_s < threshold).double().mean()), s_med, t_med)
