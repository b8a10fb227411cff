"""The training images of a run: one class-balanced subset per (dataset, size, seed), the same for
every framework and every module that rebuilds a run (training, evaluation, the article's runs)."""

from __future__ import annotations

import numpy as np

from genstudy.data import balanced_subset, load_images


def training_images(dataset: str, data_dir: str | None, train_size: int | None, seed: int,
                    first: int | None = None) -> np.ndarray:
    """The training images of a run, uint8 (N, H, W): a class-balanced subset of ``train_size``
    drawn with ``seed`` (the whole training split when ``train_size`` is None or too large).
    With ``first``, only the split's first ``first`` images are drawn from (the rest held out,
    as Goodfellow et al. (2014) trained on MNIST's first 50,000 and validated on the last 10,000).
    PyTorch and TensorFlow runs of the same model and seed see exactly the same images."""
    ds = load_images(dataset, data_dir)
    images, labels = ds.train.images[:first], ds.train.labels[:first]
    if train_size is not None and train_size < len(images):
        images = images[balanced_subset(labels, train_size, seed=seed)]
    return images
