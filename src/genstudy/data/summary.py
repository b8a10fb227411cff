"""Tables that describe an image dataset: split sizes, class counts, pixel statistics.

All functions return pandas DataFrames with plain columns, so the data chapter, the CLI
and the tests read the same numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genstudy.data.images import ImageDataset, ImageSplit
from genstudy.data.transforms import balanced_subset

SPLITS = ("train", "test")


def class_counts(ds: ImageDataset) -> pd.DataFrame:
    """One row per class: ``class``, ``train`` and ``test`` example counts (ints)."""
    table = pd.DataFrame({"class": list(ds.classes)})
    for split in SPLITS:
        table[split] = ds.split(split).class_counts(ds.n_classes)
    return table


def subsample(split: ImageSplit, n: int | None, seed: int) -> ImageSplit:
    """A class-balanced subset of ``n`` examples (the whole split when ``n`` is None or too big)."""
    if n is None or n >= len(split):
        return split
    idx = balanced_subset(split.labels, n, seed)
    return ImageSplit(split.images[idx], split.labels[idx])


def pixel_stats(ds: ImageDataset, split: str = "train", n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Per-class pixel statistics of (a balanced subset of ``n`` images of) ``split``.

    Columns: ``class``, ``images``, ``mean`` and ``std`` of intensities in [0, 1],
    ``ink`` (share of pixels > 0.5, i.e. the static binarization's ones) and ``empty``
    (share of exactly-zero pixels). Values are float64, rounded to 4 decimals so that
    regression tests compare them exactly.
    """
    part = subsample(ds.split(split), n, seed)
    x = part.images.reshape(len(part), -1).astype(np.float64) / 255.0
    rows = []
    for k, name in enumerate(ds.classes):
        xk = x[part.labels == k]
        rows.append({
            "class": name,
            "images": len(xk),
            "mean": xk.mean(),
            "std": xk.std(),
            "ink": (xk > 0.5).mean(),
            "empty": (xk == 0).mean(),
        })
    return pd.DataFrame(rows).round(4)


def pixel_frame(ds: ImageDataset, split: str = "train", n: int = 1_000, seed: int = 0) -> pd.DataFrame:
    """Long table of per-image mean intensity for plotting: ``class`` (categorical, in class
    order) and ``mean_intensity`` in [0, 1]."""
    part = subsample(ds.split(split), n, seed)
    means = part.images.reshape(len(part), -1).mean(axis=1) / 255.0
    classes = pd.Categorical.from_codes(part.labels, categories=list(ds.classes))
    return pd.DataFrame({"class": classes, "mean_intensity": means})
