"""Scaling, binarization, padding, balanced subsets and on-device batching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genstudy.data import (
    balanced_subset,
    batches,
    binarize_dynamic,
    binarize_static,
    pad,
    to_symmetric,
    to_tensor,
    to_unit,
)
from genstudy.errors import ParameterError

IMAGES = np.array([[[0, 255], [51, 204]]], dtype=np.uint8)  # one 2x2 image


def test_unit_and_symmetric_scaling_exact() -> None:
    x = to_tensor(IMAGES, scale="unit")
    assert x.shape == (1, 1, 2, 2) and x.dtype == torch.float32
    torch.testing.assert_close(x[0, 0], torch.tensor([[0.0, 1.0], [0.2, 0.8]]))
    s = to_tensor(IMAGES, scale="symmetric")
    torch.testing.assert_close(s[0, 0], torch.tensor([[-1.0, 1.0], [-0.6, 0.6]]))
    torch.testing.assert_close(to_unit(s), x)
    torch.testing.assert_close(to_symmetric(x), s)


def test_padding_uses_the_background_of_each_scale() -> None:
    imgs = np.full((3, 28, 28), 255, dtype=np.uint8)
    unit = to_tensor(imgs, pad_to=32)
    sym = to_tensor(imgs, scale="symmetric", pad_to=32)
    assert unit.shape == sym.shape == (3, 1, 32, 32)
    assert unit[:, :, 2:30, 2:30].eq(1).all() and unit[:, :, :2].eq(0).all() and unit[..., 30:].eq(0).all()
    assert sym[:, :, :2].eq(-1).all() and sym[:, :, 2:30, 2:30].eq(1).all()
    with pytest.raises(ParameterError, match=r"invalid pad_to=20"):
        pad(unit, 20)


def test_unknown_scale_is_rejected() -> None:
    with pytest.raises(ParameterError, match=r"invalid scale='tanh'; allowed: 'unit', 'symmetric'"):
        to_tensor(IMAGES, scale="tanh")  # type: ignore[arg-type]


def test_static_binarization_threshold() -> None:
    x = torch.tensor([0.0, 0.5, 0.51, 1.0])
    torch.testing.assert_close(binarize_static(x), torch.tensor([0.0, 0.0, 1.0, 1.0]))


def test_dynamic_binarization_is_seeded_and_unbiased() -> None:
    x = torch.full((200_000,), 0.3)
    a = binarize_dynamic(x, torch.Generator().manual_seed(1))
    b = binarize_dynamic(x, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert set(a.unique().tolist()) == {0.0, 1.0}
    assert abs(a.mean().item() - 0.3) < 0.005  # 5 standard errors


def test_balanced_subset_is_balanced_deterministic_and_sorted() -> None:
    labels = np.repeat(np.arange(10), 100)
    idx = balanced_subset(labels, 53, seed=3)
    counts = np.bincount(labels[idx], minlength=10)
    np.testing.assert_array_equal(counts, [6, 6, 6, 5, 5, 5, 5, 5, 5, 5])
    assert np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(idx, balanced_subset(labels, 53, seed=3))
    assert not np.array_equal(idx, balanced_subset(labels, 53, seed=4))


def test_balanced_subset_fills_short_classes_from_the_others() -> None:
    # digits' test split has 35 images of class 2 and 36-37 of the others: 360 is still drawable
    labels = np.repeat(np.arange(4), [3, 1, 5, 2])
    idx = balanced_subset(labels, 9, seed=0)
    # 9 // 4 = 2 each, class 1 has only 1; the two missing go one at a time to classes 0, 2
    np.testing.assert_array_equal(np.bincount(labels[idx], minlength=4), [3, 1, 3, 2])
    np.testing.assert_array_equal(np.bincount(labels[balanced_subset(labels, 11, seed=0)]), [3, 1, 5, 2])
    np.testing.assert_array_equal(np.sort(balanced_subset(labels, 11, seed=5)), np.arange(11))


def test_balanced_subset_unchanged_where_every_class_suffices() -> None:
    # the draws of the earlier rule (n // K per class, +1 for the first n % K, one rng.choice
    # per class in label order), so no cached subset changes
    labels = np.repeat(np.arange(3), 10)
    rng = np.random.default_rng(7)
    expected = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == c), size=k, replace=False)
                                       for c, k in zip(range(3), [3, 2, 2], strict=True)]))
    np.testing.assert_array_equal(balanced_subset(labels, 7, seed=7), expected)


def test_balanced_subset_errors() -> None:
    labels = np.array([0, 0, 0, 1])
    with pytest.raises(ParameterError, match=r"invalid n=5; allowed: 1..4"):
        balanced_subset(labels, 5, seed=0)
    with pytest.raises(ParameterError, match=r"invalid n=0"):
        balanced_subset(labels, 0, seed=0)


def test_batches_cover_each_example_once_per_epoch() -> None:
    x = torch.arange(10).float().unsqueeze(1)
    g = torch.Generator().manual_seed(0)
    seen = torch.cat(list(batches(x, 3, generator=g, drop_last=False)))
    assert sorted(seen.squeeze(1).tolist()) == list(range(10))
    full = list(batches(x, 3, generator=torch.Generator().manual_seed(0)))
    assert [len(b) for b in full] == [3, 3, 3]
    again = list(batches(x, 3, generator=torch.Generator().manual_seed(0)))
    assert all(torch.equal(a, b) for a, b in zip(full, again, strict=True))
    with pytest.raises(ParameterError, match="invalid batch_size=0"):
        next(batches(x, 0, generator=g))
