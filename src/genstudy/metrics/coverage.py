"""Mode and class coverage: does a model produce every kind of thing the data holds?

* Images: the domain classifier labels every generated image; the class histogram is
  compared with the data's class distribution by KL(p_gen ‖ p_data) in nats (0 when the
  proportions match; log K when a model collapses onto one of K equally likely
  classes), and a class counts as *covered* when it receives at least ``min_share`` (1/5)
  of the samples the data distribution would give it.
* 2-D mixtures (Metz et al. 2017; Srivastava et al. 2017): a sample is *high quality*
  when it lies within 3 standard deviations of its nearest mode; a mode is *captured*
  when at least ``min_share`` (1/5) of its expected count of samples are high-quality
  samples nearest to it — the rule of Lin et al. (2018, PacGAN): 20 of the 100 samples a
  mode of the 25-mode grid expects out of 2,500.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genstudy.data.toy2d import Mixture
from genstudy.errors import ParameterError

MIN_SHARE = 0.2


@dataclass(frozen=True)
class ClassCoverage:
    """``counts`` (K,) of predicted classes; ``kl`` nats; ``covered`` of ``n_classes``."""

    counts: np.ndarray
    kl: float
    covered: int
    n_classes: int

    @property
    def shares(self) -> np.ndarray:
        return self.counts / self.counts.sum()


def class_coverage(predicted: np.ndarray, data_shares: np.ndarray, min_share: float = MIN_SHARE) -> ClassCoverage:
    """Coverage of the classes ``predicted`` (N,) int against the data's class shares (K,), summing to 1."""
    data_shares = np.asarray(data_shares, dtype=np.float64)
    if data_shares.ndim != 1 or np.any(data_shares <= 0) or not np.isclose(data_shares.sum(), 1.0):
        raise ParameterError("data_shares", data_shares.tolist(), "positive class shares that sum to 1")
    predicted = np.asarray(predicted)
    if len(predicted) == 0:
        raise ParameterError("predicted", "[]", "at least one predicted label")
    counts = np.bincount(predicted, minlength=len(data_shares))
    p = counts / counts.sum()
    nz = p > 0
    kl = float(np.sum(p[nz] * np.log(p[nz] / data_shares[nz])))
    # (a tolerance so that exactly min_share of the expected count counts, despite rounding)
    covered = int(np.sum(counts >= min_share * data_shares * counts.sum() - 1e-9))
    return ClassCoverage(counts=counts, kl=kl, covered=covered, n_classes=len(data_shares))


@dataclass(frozen=True)
class ModeCoverage:
    """``modes_captured`` of ``n_modes``; ``high_quality`` share in [0, 1]; ``counts`` (K,) of
    high-quality samples per mode."""

    modes_captured: int
    n_modes: int
    high_quality: float
    counts: np.ndarray


def mode_coverage(points: np.ndarray, mix: Mixture, n_std: float = 3.0, min_share: float = MIN_SHARE
                  ) -> ModeCoverage:
    """Modes captured and high-quality share of 2-D ``points`` (N, 2) against ``mix``."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ParameterError("points", f"shape {points.shape}", "a non-empty (N, 2) array")
    dist = np.linalg.norm(points[:, None, :] - mix.centers[None, :, :], axis=2)
    nearest = dist.argmin(1)
    good = dist[np.arange(len(points)), nearest] <= n_std * mix.std
    counts = np.bincount(nearest[good], minlength=mix.n_modes)
    captured = int(np.sum(counts >= min_share * len(points) / mix.n_modes - 1e-9))
    return ModeCoverage(modes_captured=captured, n_modes=mix.n_modes, high_quality=float(good.mean()), counts=counts)
