"""The image transforms the models need, on torch tensors, and on-device batching.

Conventions: images enter as ``uint8`` arrays of shape ``(N, H, W)`` with values 0..255
and leave as ``float32`` tensors of shape ``(N, 1, H', W')`` on the requested device.

* ``unit`` scaling maps 0..255 to [0, 1] (Bernoulli decoders, RBMs);
* ``symmetric`` scaling maps 0..255 to [-1, 1] (tanh generators, DCGAN);
* static binarization thresholds once (``x > 0.5``); dynamic binarization draws
  ``Bernoulli(x)`` afresh for every batch (the usual protocol for binary VAEs and RBMs);
* zero-padding to 32x32 pads the *background* value (0 in [0,1], -1 in [-1,1]).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from genstudy.errors import ParameterError
from genstudy.sampling import bernoulli

Scale = Literal["unit", "symmetric"]
SCALES = ("unit", "symmetric")


def to_tensor(
    images: np.ndarray,
    *,
    scale: Scale = "unit",
    pad_to: int | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Turn ``uint8`` images ``(N, H, W)`` into a float32 tensor ``(N, 1, H', W')`` on ``device``.

    The uint8 array is copied to the device once and converted there, so a GPU run makes
    one host-to-device copy of a quarter of the float size.
    """
    if scale not in SCALES:
        raise ParameterError("scale", scale, SCALES)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"images must be uint8 of shape (N, H, W), got {images.dtype} {images.shape}")
    x = torch.from_numpy(np.ascontiguousarray(images)).to(device).unsqueeze(1).float().div_(255.0)
    if pad_to is not None:
        x = pad(x, pad_to)
    if scale == "symmetric":
        x = x.mul_(2.0).sub_(1.0)
    return x


def pad(x: torch.Tensor, size: int, value: float = 0.0) -> torch.Tensor:
    """Zero-pad ``(N, C, H, W)`` images symmetrically to ``size x size`` (28 → 32 adds 2 per side)."""
    h, w = x.shape[-2:]
    if size < h or size < w:
        raise ParameterError("pad_to", size, f"an integer >= the image size ({h}x{w})")
    top, left = (size - h) // 2, (size - w) // 2
    return F.pad(x, (left, size - w - left, top, size - h - top), value=value)


def to_symmetric(x: torch.Tensor) -> torch.Tensor:
    """Map [0, 1] to [-1, 1]."""
    return x * 2.0 - 1.0


def to_unit(x: torch.Tensor) -> torch.Tensor:
    """Map [-1, 1] to [0, 1] (clamped, for display and for metrics on generated images)."""
    return ((x + 1.0) / 2.0).clamp_(0.0, 1.0)


def binarize_static(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Threshold [0, 1] images once: ``1.0`` where ``x > threshold`` else ``0.0``."""
    return (x > threshold).to(x.dtype)


def binarize_dynamic(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw binary images ``b ~ Bernoulli(x)`` from [0, 1] intensities (fresh each call)."""
    return bernoulli(x, generator)


def balanced_subset(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of a deterministic subset of size ``n``, as class-balanced as the classes allow,
    sorted ascending.

    Each of the K classes contributes ``n // K`` examples, or all of its members when it has
    fewer; the examples still missing are handed out one at a time, in label order, to the
    classes with members left (when every class is large enough: one more to each of the first
    ``n % K`` classes). Each class's examples are drawn without replacement by
    ``numpy.random.default_rng(seed)``, in label order. The same labels, ``n`` and ``seed``
    always give the same indices; ``n`` may be anything from 1 to ``len(labels)``.
    """
    classes = np.unique(labels)
    if n <= 0 or n > len(labels):
        raise ParameterError("n", n, f"1..{len(labels)}")
    members = [np.flatnonzero(labels == c) for c in classes]
    counts = np.array([len(m) for m in members])
    take = np.minimum(counts, n // len(classes))
    left = n - int(take.sum())
    while left > 0:
        give = np.flatnonzero(take < counts)[:left]
        take[give] += 1
        left -= len(give)
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(m, size=int(k), replace=False) for m, k in zip(members, take, strict=True)]
    return np.sort(np.concatenate(chosen))


def batches(
    x: torch.Tensor, batch_size: int, *, generator: torch.Generator, drop_last: bool = True
) -> Iterator[torch.Tensor]:
    """Yield shuffled mini-batches of the on-device tensor ``x`` (first dim = examples).

    The permutation is drawn on ``generator``'s device and batches are gathered on the
    data's device, so no host copy happens per batch.
    """
    if batch_size <= 0:
        raise ParameterError("batch_size", batch_size, "a positive integer")
    n = x.shape[0]
    order = torch.randperm(n, generator=generator, device=generator.device).to(x.device)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield x[order[start : start + batch_size]]
