"""The 2-D Gaussian mixtures: geometry, determinism, spread."""

from __future__ import annotations

import numpy as np
import pytest

from genstudy.data import mixture
from genstudy.errors import ParameterError


def test_ring8_geometry() -> None:
    mix = mixture("ring8")
    assert mix.n_modes == 8 and mix.std == 0.02
    np.testing.assert_allclose(np.linalg.norm(mix.centers, axis=1), 2.0)
    np.testing.assert_allclose(mix.centers[0], [2.0, 0.0])
    np.testing.assert_allclose(mix.centers[2], [0.0, 2.0], atol=1e-12)


def test_grid25_geometry() -> None:
    mix = mixture("grid25")
    assert mix.n_modes == 25 and mix.std == 0.05
    assert sorted(set(mix.centers[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert len({tuple(c) for c in mix.centers}) == 25


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_samples_are_deterministic_and_near_their_mode(name: str) -> None:
    mix = mixture(name)
    x, mode = mix.sample(20_000, seed=7)
    x2, mode2 = mix.sample(20_000, seed=7)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(mode, mode2)
    assert x.dtype == np.float32 and x.shape == (20_000, 2)
    dist = np.linalg.norm(x - mix.centers[mode], axis=1)
    # |N(0, s^2 I_2)| is Rayleigh(s): P(r > 3s) = exp(-4.5) ≈ 1.1 %.
    assert 0.005 < (dist > 3 * mix.std).mean() < 0.02
    assert np.bincount(mode, minlength=mix.n_modes).min() > 0.8 * 20_000 / mix.n_modes


def test_unknown_mixture() -> None:
    with pytest.raises(ParameterError, match=r"invalid dataset='spiral'; allowed: 'ring8', 'grid25'"):
        mixture("spiral")
