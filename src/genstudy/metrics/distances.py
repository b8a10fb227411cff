"""Fréchet distance and kernel (KID) distance between two feature sets, through torchmetrics.

Both metrics compare the distribution of *features* of real and generated images. The
features come from the project's domain classifier (:mod:`genstudy.metrics.classifier`),
computed once per set and then handed to torchmetrics' ``FrechetInceptionDistance`` and
``KernelInceptionDistance`` through an identity feature extractor: torchmetrics does the
statistics (float64 means and covariances, the matrix square root through eigenvalues,
the unbiased polynomial-kernel MMD²); nothing of it is re-implemented here.

* FD = ‖μ_r − μ_g‖² + Tr(Σ_r + Σ_g − 2 (Σ_r Σ_g)^{1/2})  (Heusel et al. 2017). 0 for equal
  Gaussians; biased upwards for small sets, so only sets of equal size are compared.
* KID = unbiased MMD² with the kernel k(x, y) = (xᵀy / d + 1)³, averaged over random
  subsets (Bińkowski et al. 2018). Its expectation is 0 for equal distributions, so it
  can come out slightly negative.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

from genstudy.errors import ParameterError


class PrecomputedFeatures(nn.Module):
    """The identity on (N, d) feature tensors, announced to torchmetrics as a d-feature extractor."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.dim() != 2 or features.shape[1] != self.num_features:
            raise ValueError(f"expected features of shape (N, {self.num_features}), got {tuple(features.shape)}")
        return features


def _check(real: torch.Tensor, fake: torch.Tensor) -> None:
    if real.dim() != 2 or fake.dim() != 2 or real.shape[1] != fake.shape[1]:
        raise ParameterError("features", f"{tuple(real.shape)} and {tuple(fake.shape)}", "two (N, d) tensors")


def frechet_distance(real: torch.Tensor, fake: torch.Tensor) -> float:
    """FD between feature sets ``real`` (N, d) and ``fake`` (M, d), via torchmetrics (float64)."""
    _check(real, fake)
    metric = FrechetInceptionDistance(feature=PrecomputedFeatures(real.shape[1]))
    metric.update(real.cpu().double(), real=True)
    metric.update(fake.cpu().double(), real=False)
    return float(metric.compute())


@dataclass(frozen=True)
class KID:
    """Mean and standard deviation of the unbiased MMD² over ``subsets`` random subsets."""

    mean: float
    std: float
    subsets: int
    subset_size: int


def kernel_distance(real: torch.Tensor, fake: torch.Tensor, *, subsets: int = 50, subset_size: int = 1000,
                    seed: int = 0) -> KID:
    """KID between ``real`` (N, d) and ``fake`` (M, d) via torchmetrics.

    ``subset_size`` is capped at half the smaller set (so that subsets differ and the spread
    means something); the subsets are drawn from torch's RNG
    seeded with ``seed`` inside a forked RNG state, so the value is reproducible and the
    caller's RNG stream is untouched.
    """
    _check(real, fake)
    size = min(subset_size, len(real) // 2, len(fake) // 2)
    if size < 2:
        raise ParameterError("features", f"{len(real)} and {len(fake)} rows", "at least 4 rows in each set")
    with warnings.catch_warnings():  # "will save all extracted features": that is the point here
        warnings.filterwarnings("ignore", message=".*will save all extracted features", category=UserWarning)
        metric = KernelInceptionDistance(feature=PrecomputedFeatures(real.shape[1]), subsets=subsets,
                                         subset_size=size)
    metric.update(real.cpu().double(), real=True)
    metric.update(fake.cpu().double(), real=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mean, std = metric.compute()
    return KID(float(mean), float(std), subsets, size)
