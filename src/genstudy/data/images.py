"""Image datasets as validated uint8 arrays: Fashion-MNIST, MNIST (IDX) and scikit-learn digits.

``load_images(name, data_dir)`` returns an :class:`ImageDataset` with a train and a test
split. Arrays stay uint8 on the host; :func:`genstudy.data.transforms.to_tensor` turns a
split into the float tensor a model trains on, on its device, once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genstudy.data.sources import IDX_SOURCES, SPLIT_FILES, IdxSource, locate, read_verified
from genstudy.errors import DatasetError, ParameterError

#: Each image dataset's side in pixels (its images are side x side), known without loading it.
IMAGE_SIDES: dict[str, int] = {"fashion_mnist": 28, "mnist": 28, "digits": 8}
IMAGE_DATASETS: tuple[str, ...] = tuple(IMAGE_SIDES)


@dataclass(frozen=True)
class ImageSplit:
    """One split: ``images`` uint8 (N, H, W) in 0..255, ``labels`` int64 (N,) in 0..K-1."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def class_counts(self, n_classes: int) -> np.ndarray:
        """Examples per class, int64 (n_classes,)."""
        return np.bincount(self.labels, minlength=n_classes)


@dataclass(frozen=True)
class ImageDataset:
    """A labelled image dataset with its provenance (``source``: a directory or a package)."""

    name: str
    title: str
    classes: tuple[str, ...]
    train: ImageSplit
    test: ImageSplit
    source: str

    @property
    def image_shape(self) -> tuple[int, int]:
        return tuple(self.train.images.shape[1:])  # type: ignore[return-value]

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def split(self, name: str) -> ImageSplit:
        if name not in ("train", "test"):
            raise ParameterError("split", name, ("train", "test"))
        return self.train if name == "train" else self.test


def _load_idx_split(source: IdxSource, directory: Path, split: str) -> ImageSplit:
    img_stem, lab_stem = SPLIT_FILES[split]
    img_path, images = read_verified(source, directory, img_stem)
    lab_path, labels = read_verified(source, directory, lab_stem)
    labels = labels.astype(np.int64)
    if images.shape[1:] != (28, 28):
        raise DatasetError(f"{img_path}: images are {images.shape[1:]}, expected (28, 28)")
    if len(images) != len(labels):
        raise DatasetError(f"{lab_path}: {len(labels)} labels for {len(images)} images in {img_path}")
    if labels.max(initial=0) >= len(source.classes):
        raise DatasetError(f"{lab_path}: label {labels.max()} outside 0..{len(source.classes) - 1}")
    return ImageSplit(images, labels)


@functools.lru_cache(maxsize=4)
def _load_idx(name: str, directory: Path) -> ImageDataset:
    source = IDX_SOURCES[name]
    return ImageDataset(
        name=name,
        title=source.title,
        classes=source.classes,
        train=_load_idx_split(source, directory, "train"),
        test=_load_idx_split(source, directory, "test"),
        source=str(directory),
    )


@functools.lru_cache(maxsize=1)
def _load_digits() -> ImageDataset:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    # 0..16 intensities → 0..255, exactly (16 * 255 / 16); 8x8 images.
    images = np.rint(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    labels = bunch.target.astype(np.int64)
    tr_x, te_x, tr_y, te_y = train_test_split(images, labels, test_size=0.2, random_state=0, stratify=labels)
    return ImageDataset(
        name="digits",
        title="scikit-learn digits (8x8)",
        classes=tuple(str(d) for d in range(10)),
        train=ImageSplit(tr_x, tr_y),
        test=ImageSplit(te_x, te_y),
        source="scikit-learn",
    )


def load_images(name: str, data_dir: Path | str | None = None, *, allow_download: bool = True) -> ImageDataset:
    """Load the image dataset ``name`` (one of :data:`IMAGE_DATASETS`), verified.

    IDX datasets are searched as described in :mod:`genstudy.data.sources`; every file's
    SHA-256, magic number and dimensions are checked. Results are cached per process.
    """
    if name not in IMAGE_DATASETS:
        raise ParameterError("dataset", name, IMAGE_DATASETS)
    if name == "digits":
        return _load_digits()
    directory = locate(IDX_SOURCES[name], data_dir, allow_download=allow_download)
    return _load_idx(name, directory.resolve())
