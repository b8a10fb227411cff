"""Fidelity and diversity from k-nearest-neighbour manifolds.

Each real feature vector ``x_i`` gets a ball of radius ``r_k(x_i)``, its distance to its
k-th nearest *other* real vector. With N real and M generated vectors ``y_j``:

* precision = share of generated ``y_j`` inside at least one real ball (fidelity), and
  recall = share of real ``x_i`` inside at least one ball around the generated set
  (diversity) — Kynkäänniemi et al. (2019), default k = 3;
* density = (1 / kM) Σ_j #{i : y_j in ball(x_i)} (how many real balls a sample falls in,
  1 on average for samples from the data distribution, unbounded above), and coverage =
  share of real ``x_i`` whose ball contains at least one generated ``y_j`` — Naeem et
  al. (2020), default k = 5. Both use only real balls, so they resist outliers.

Neighbour radii come from scikit-learn's ``NearestNeighbors``; the N x M cross distances
are computed in chunks with ``torch.cdist`` so 10,000 x 10,000 sets fit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors

from genstudy.errors import ParameterError


def knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance of every row of ``x`` (N, d) to its k-th nearest other row, (N,)."""
    if not 1 <= k < len(x):
        raise ParameterError("k", k, f"1..{len(x) - 1} (fewer than the {len(x)} points)")
    # The nearest neighbour of a point within its own set is itself (distance 0): ask for k + 1.
    nn_ = NearestNeighbors(n_neighbors=k + 1).fit(x.cpu().numpy())
    dist, _ = nn_.kneighbors(x.cpu().numpy())
    return torch.from_numpy(dist[:, k].astype(np.float32))


def ball_counts(centres: torch.Tensor, radii: torch.Tensor, points: torch.Tensor, chunk: int = 2048
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """How many balls each point lies in (M,), and whether each ball holds any point (N,).

    Balls are centred at ``centres`` (N, d) with ``radii`` (N,); ``points`` is (M, d).
    A point on the boundary counts as inside.
    """
    centres, radii, points = centres.float().cpu(), radii.float().cpu(), points.float().cpu()
    per_point = torch.zeros(len(points), dtype=torch.long)
    ball_hit = torch.zeros(len(centres), dtype=torch.bool)
    for start in range(0, len(points), chunk):
        inside = torch.cdist(points[start : start + chunk], centres) <= radii  # (chunk, N)
        per_point[start : start + chunk] = inside.sum(1)
        ball_hit |= inside.any(0)
    return per_point, ball_hit


@dataclass(frozen=True)
class PrecisionRecall:
    precision: float
    recall: float
    k: int


@dataclass(frozen=True)
class DensityCoverage:
    density: float
    coverage: float
    k: int


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> PrecisionRecall:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of ``fake`` (M, d) against ``real`` (N, d)."""
    real_in_fake_balls, _ = ball_counts(fake, knn_radii(fake, k), real)
    fake_in_real_balls, _ = ball_counts(real, knn_radii(real, k), fake)
    return PrecisionRecall(precision=float((fake_in_real_balls > 0).float().mean()),
                           recall=float((real_in_fake_balls > 0).float().mean()), k=k)


def density_coverage(real: torch.Tensor, fake: torch.Tensor, k: int = 5) -> DensityCoverage:
    """Density and coverage (Naeem et al. 2020) of ``fake`` (M, d) against ``real`` (N, d)."""
    per_fake, ball_hit = ball_counts(real, knn_radii(real, k), fake)
    return DensityCoverage(density=float(per_fake.float().sum() / (k * len(fake))),
                           coverage=float(ball_hit.float().mean()), k=k)
