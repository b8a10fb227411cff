"""The data layer: verified IDX image datasets, scikit-learn digits, 2-D Gaussian mixtures.

Public entry points:

* :func:`load_images` — Fashion-MNIST, MNIST or digits as uint8 train/test splits;
* :func:`mixture` — the ``ring8`` / ``grid25`` toy mixtures;
* :mod:`~genstudy.data.transforms` — scaling, binarization, padding, subsets, batching.
"""

from __future__ import annotations

from genstudy.data.images import IMAGE_DATASETS, IMAGE_SIDES, ImageDataset, ImageSplit, load_images
from genstudy.data.toy2d import MIXTURES, Mixture, mixture
from genstudy.data.transforms import (
    balanced_subset,
    batches,
    binarize_dynamic,
    binarize_static,
    pad,
    to_symmetric,
    to_tensor,
    to_unit,
)

DATASETS: tuple[str, ...] = IMAGE_DATASETS + tuple(MIXTURES)

__all__ = [
    "DATASETS",
    "IMAGE_DATASETS",
    "IMAGE_SIDES",
    "MIXTURES",
    "ImageDataset",
    "ImageSplit",
    "Mixture",
    "balanced_subset",
    "batches",
    "binarize_dynamic",
    "binarize_static",
    "load_images",
    "mixture",
    "pad",
    "to_symmetric",
    "to_tensor",
    "to_unit",
]
