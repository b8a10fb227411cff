"""Every metric on a case with a known answer, before it is used on models."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.neighbors import KernelDensity

from genstudy.data.toy2d import grid25, ring8
from genstudy.errors import ParameterError
from genstudy.metrics.coverage import class_coverage, mode_coverage
from genstudy.metrics.distances import frechet_distance, kernel_distance
from genstudy.metrics.likelihood import (
    GOODFELLOW_SIGMAS,
    STUDY_SIGMAS,
    parzen_log_densities,
    parzen_log_density,
    parzen_log_likelihood,
)
from genstudy.metrics.manifold import density_coverage, precision_recall


def gaussian(n: int, d: int, seed: int, mean: float = 0.0, std: float = 1.0) -> torch.Tensor:
    return mean + std * torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# --- Fréchet distance ---------------------------------------------------------------------


def test_fd_of_a_set_with_itself_is_zero() -> None:
    x = gaussian(2000, 16, 0)
    assert abs(frechet_distance(x, x)) < 1e-6


def test_fd_of_a_shifted_copy_is_the_squared_shift() -> None:
    # Same covariance exactly, so the trace term vanishes and FD = ‖δ‖².
    x = gaussian(2000, 8, 1)
    delta = torch.linspace(-1, 1, 8, dtype=torch.float64)
    assert frechet_distance(x, x + delta) == pytest.approx(float(delta.pow(2).sum()), rel=1e-6)


def test_fd_of_two_gaussians_matches_the_closed_form() -> None:
    # N(0, I) vs N(δ, 4I) in d dims: ‖δ‖² + Tr(I + 4I − 2·2I) = ‖δ‖² + d.
    d, shift = 4, 0.5
    x = gaussian(40_000, d, 2)
    y = gaussian(40_000, d, 3, mean=shift, std=2.0)
    assert frechet_distance(x, y) == pytest.approx(d * shift**2 + d, abs=0.08)


def test_fd_rejects_mismatched_features() -> None:
    with pytest.raises(ParameterError, match="features"):
        frechet_distance(torch.zeros(10, 3), torch.zeros(10, 4))


# --- KID ----------------------------------------------------------------------------------------


def biased_mmd2(x: torch.Tensor, y: torch.Tensor) -> float:
    """The V-statistic (diagonals kept): positive in expectation even for equal distributions."""
    def k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (a @ b.t() / a.shape[1] + 1) ** 3
    return float(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())


def test_kid_is_unbiased_on_identical_distributions() -> None:
    kids, biased = [], []
    for rep in range(40):
        x, y = gaussian(100, 4, 100 + 2 * rep), gaussian(100, 4, 101 + 2 * rep)
        kids.append(kernel_distance(x, y, subsets=1, subset_size=100, seed=rep).mean)
        biased.append(biased_mmd2(x, y))
    kids_a, biased_a = np.array(kids), np.array(biased)
    se = kids_a.std(ddof=1) / math.sqrt(len(kids_a))
    assert abs(kids_a.mean()) < 3 * se
    # The same test would catch the biased estimator: it sits many standard errors above 0.
    assert biased_a.mean() > 10 * biased_a.std(ddof=1) / math.sqrt(len(biased_a))


def test_kid_grows_with_the_shift_and_is_reproducible() -> None:
    x = gaussian(500, 8, 4)
    values = [kernel_distance(x, gaussian(500, 8, 5, mean=m), subset_size=200).mean for m in (0.0, 0.3, 1.0)]
    assert values[0] < values[1] < values[2]
    y = gaussian(500, 8, 6)
    assert kernel_distance(x, y, seed=3) == kernel_distance(x, y, seed=3)


# --- precision / recall, density / coverage ----------------------------------------------------


def test_precision_recall_of_a_set_with_itself_are_one() -> None:
    x = gaussian(1000, 8, 7)
    pr = precision_recall(x, x)
    assert (pr.precision, pr.recall) == (1.0, 1.0)
    assert density_coverage(x, x).coverage == 1.0


def test_precision_and_recall_fall_with_the_shift() -> None:
    x = gaussian(1000, 8, 8)
    results = [precision_recall(x, gaussian(1000, 8, 9, mean=m)) for m in (0.0, 0.5, 1.0, 3.0)]
    precisions, recalls = [r.precision for r in results], [r.recall for r in results]
    assert precisions[0] > 0.8 and recalls[0] > 0.8  # k = 3 in 8 dimensions: about 0.9
    assert precisions == sorted(precisions, reverse=True) and recalls == sorted(recalls, reverse=True)
    assert precisions[-1] < 0.05 and recalls[-1] < 0.05


def test_a_collapsed_model_keeps_precision_and_loses_recall() -> None:
    x = gaussian(2000, 4, 10)
    fake = x[:20].repeat(50, 1) + 1e-3 * gaussian(1000, 4, 11)  # 20 real points, copied
    pr, dc = precision_recall(x, fake), density_coverage(x, fake)
    assert pr.precision > 0.95 and pr.recall < 0.1
    assert dc.coverage < 0.1


def test_density_is_about_one_for_the_same_distribution() -> None:
    dc = density_coverage(gaussian(3000, 8, 12), gaussian(3000, 8, 13))
    assert dc.density == pytest.approx(1.0, abs=0.1)
    assert dc.coverage > 0.9


# --- class and mode coverage --------------------------------------------------------------------


def test_class_coverage_exact_values() -> None:
    uniform = np.full(10, 0.1)
    collapsed = class_coverage(np.zeros(500, dtype=int), uniform)
    assert collapsed.kl == pytest.approx(math.log(10)) and collapsed.covered == 1
    perfect = class_coverage(np.repeat(np.arange(10), 50), uniform)
    assert perfect.kl == pytest.approx(0.0, abs=1e-12) and perfect.covered == 10
    # Two classes share the samples equally: KL = log 5; a class needs >= 1/5 of its 10% share.
    half = class_coverage(np.array([0] * 250 + [1] * 240 + [2] * 10), uniform)
    assert half.covered == 3
    with pytest.raises(ParameterError, match="data_shares"):
        class_coverage(np.zeros(3, dtype=int), np.array([0.5, 0.6]))


@pytest.mark.parametrize("mix", [ring8(), grid25()], ids=lambda m: m.name)
def test_samples_of_the_mixture_capture_every_mode(mix) -> None:
    x, _ = mix.sample(10_000, seed=0)
    cov = mode_coverage(x, mix)
    assert cov.modes_captured == mix.n_modes
    # P(‖ε‖ <= 3σ) for a 2-D isotropic Gaussian is 1 − exp(−9/2).
    assert cov.high_quality == pytest.approx(1 - math.exp(-4.5), abs=0.005)


def test_a_collapsed_generator_captures_one_mode() -> None:
    mix = ring8()
    x = np.tile(mix.centers[3], (1000, 1)) + 0.01 * np.random.default_rng(0).standard_normal((1000, 2))
    cov = mode_coverage(x, mix)
    assert cov.modes_captured == 1 and cov.high_quality == 1.0 and cov.counts[3] == 1000
    far = mode_coverage(np.zeros((100, 2)), mix)
    assert far.modes_captured == 0 and far.high_quality == 0.0


# --- Parzen windows ------------------------------------------------------------------------------


def test_parzen_matches_scikit_learn_kernel_density() -> None:
    centres = gaussian(300, 5, 14).numpy()
    x = gaussian(50, 5, 15).numpy()
    for sigma in (0.3, 1.0):
        ours = parzen_log_density(torch.from_numpy(x), torch.from_numpy(centres), sigma).numpy()
        theirs = KernelDensity(bandwidth=sigma, kernel="gaussian").fit(centres).score_samples(x)
        np.testing.assert_allclose(ours, theirs, rtol=1e-7)


def test_parzen_picks_the_best_validation_bandwidth() -> None:
    samples, val, test = gaussian(500, 3, 16), gaussian(200, 3, 17), gaussian(200, 3, 18)
    result = parzen_log_likelihood(samples, val, test, sigmas=(0.05, 0.3, 3.0))
    assert result.sigma == 0.3 == max(result.validation, key=result.validation.get)
    # the mean test log-density of scikit-learn's Gaussian KDE at the chosen bandwidth (independent code)
    expected = KernelDensity(bandwidth=0.3).fit(samples.numpy()).score_samples(test.numpy()).mean()
    assert result.mean == pytest.approx(float(expected), rel=1e-6)
    with pytest.raises(ParameterError, match="sigma"):
        parzen_log_density(val, samples, 0.0)
    many = parzen_log_densities(val, samples, (0.05, 0.3, 3.0), chunk=64)  # distances shared by the bandwidths
    for row, sigma in zip(many, (0.05, 0.3, 3.0), strict=True):
        torch.testing.assert_close(row, parzen_log_density(val, samples, sigma), rtol=1e-12, atol=1e-9)


def test_the_parzen_protocol_of_goodfellow_et_al() -> None:
    """Their ``parzen_ll.py`` on MNIST: 10 log-spaced σ from 0.1 to 1, chosen on the training split's last
    10,000 images, which the GAN (trained on the first 50,000) never saw."""
    from genstudy.config import PARZEN_HELD_OUT_FROM, get_profile
    from genstudy.data import load_images, to_tensor
    from genstudy.runs.evaluate import reference, settings
    from genstudy.runs.training_set import training_images

    assert pytest.approx(tuple(np.logspace(-1, 0, 10))) == GOODFELLOW_SIGMAS and len(GOODFELLOW_SIGMAS) == 10
    assert (GOODFELLOW_SIGMAS[0], GOODFELLOW_SIGMAS[-1]) == pytest.approx((0.1, 1.0))
    assert get_profile("literature").parzen == "goodfellow" and settings("literature")["parzen"] == "goodfellow"
    assert "parzen" not in settings("full")  # the study's own protocol keeps its records current
    train = load_images("mnist").train.images
    ref = reference("mnist", "literature")
    assert ref.parzen_sigmas == GOODFELLOW_SIGMAS and PARZEN_HELD_OUT_FROM == 50_000
    assert torch.equal(ref.validation, to_tensor(train[50_000:]))
    first = training_images("mnist", None, None, 0, first=PARZEN_HELD_OUT_FROM)
    assert first.shape[0] == 50_000 and np.array_equal(first, train[:50_000])
    assert reference("mnist", "smoke").parzen_sigmas == STUDY_SIGMAS
