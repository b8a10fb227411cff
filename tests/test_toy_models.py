"""The 2-D chapter's models and measurements (genstudy.models.toy2d, genstudy.study.toy)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from genstudy.data.toy2d import Mixture, mixture
from genstudy.errors import ParameterError
from genstudy.models.toy2d import GaussianBernoulliRBM, ToyVAE
from genstudy.runs.record import read_record
from genstudy.study.toy import (
    TEST_POINTS,
    TOY_DTYPE,
    capacity_table,
    grid_rbm,
    measure,
    mixture_log_density,
    rbm_reading,
    toy_precision,
    toy_table,
    train_toy,
    write_toy_run,
)


def _random_gbrbm(n_hidden: int = 3, seed: int = 0) -> GaussianBernoulliRBM:
    gen = torch.Generator().manual_seed(seed)
    rbm = GaussianBernoulliRBM(n_hidden=n_hidden, init_std=0.8, generator=gen)
    with torch.no_grad():
        rbm.b.copy_(torch.tensor([0.3, -0.2]))
        rbm.c.copy_(torch.randn(n_hidden, generator=gen))
        rbm.log_var.copy_(torch.tensor([-0.5, 0.2]))
    return rbm.double()


def test_gbrbm_log_partition_matches_numerical_integration() -> None:
    rbm = _random_gbrbm()
    ticks = torch.linspace(-12, 12, 1601, dtype=torch.float64)
    gx, gy = torch.meshgrid(ticks, ticks, indexing="ij")
    grid = torch.stack([gx.ravel(), gy.ravel()], 1)
    cell = float(ticks[1] - ticks[0]) ** 2
    with torch.no_grad():
        numeric = torch.logsumexp(-rbm.free_energy(grid), 0) + math.log(cell)
        exact = rbm.exact_log_partition()
    assert float(exact) == pytest.approx(float(numeric), abs=1e-6)


def test_gbrbm_likelihood_integrates_to_one_and_free_energy_marginalises_energy() -> None:
    rbm = _random_gbrbm()
    v = torch.randn(5, 2, dtype=torch.float64)
    h = torch.tensor([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=torch.float64)
    with torch.no_grad():
        by_sum = -torch.logsumexp(-torch.stack([rbm.energy(v, hh.expand(5, 3)) for hh in h]), 0)
        assert torch.allclose(rbm.free_energy(v), by_sum, atol=1e-10)


def test_gbrbm_exact_samples_have_the_model_mean_and_gibbs_chains_agree() -> None:
    rbm = _random_gbrbm().float()
    states = torch.tensor([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=torch.float32)
    with torch.no_grad():
        probs = torch.softmax(rbm.log_prior_h_unnormalized(states), 0)
        mean = (probs[:, None] * rbm.mean_v(states)).sum(0)
        exact = rbm.sample(40_000, torch.Generator().manual_seed(1))
        gibbs = rbm.chains(20_000, 50, torch.Generator().manual_seed(2))
    se = exact.std(0) / math.sqrt(len(exact))
    assert torch.all((exact.mean(0) - mean).abs() < 4 * se)
    assert torch.all((gibbs.mean(0) - mean).abs() < 8 * se)


def test_gbrbm_refuses_exact_log_z_beyond_the_enumeration_limit() -> None:
    with pytest.raises(ParameterError, match="n_hidden"):
        GaussianBernoulliRBM(n_hidden=24).exact_log_partition()


def test_toy_vae_importance_weighted_bound_is_tighter_than_the_elbo() -> None:
    torch.manual_seed(0)
    vae = ToyVAE()
    x = torch.from_numpy(mixture("ring8").sample(256, seed=0)[0])
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        elbo = torch.stack([vae.elbo(x, gen) for _ in range(200)]).mean(0)
        iwae = vae.log_likelihood(x, k=200, generator=gen)
    assert float(iwae.mean()) > float(elbo.mean())


def test_measure_scores_the_mixture_itself_as_perfect_and_one_mode_as_collapse() -> None:
    mix = mixture("grid25")
    itself = measure(mix.sample(2_500, seed=5)[0], mix, seed=0)
    assert itself["modes_captured"] == 25
    # a 2-D Gaussian puts P(χ²₂ ≤ 9) = 1 - e^{-4.5} of its mass within 3σ (SE 0.002 at n = 2,500)
    assert itself["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.007)
    assert itself["mode_kl"] < 0.02
    one = measure(np.repeat(mix.centers[:1], 2_500, axis=0) + 0.01, mix, seed=0)
    assert one["modes_captured"] == 1
    assert one["mode_kl"] == pytest.approx(math.log(25), abs=1e-4)  # stored to 4 decimals
    assert itself["kde_ll"] > one["kde_ll"]


@pytest.mark.parametrize("model", ["gan", "vae", "gbrbm", "gbrbm_exact"])
def test_train_toy_is_deterministic_and_reports_every_measurement(model: str) -> None:
    a = train_toy(model, "ring8", steps=30, seed=3, n_snapshots=3, n_show=50, n_eval=300)
    b = train_toy(model, "ring8", steps=30, seed=3, n_snapshots=3, n_show=50, n_eval=300)
    assert np.array_equal(a.samples, b.samples)
    assert a.samples.shape == (300, 2)
    assert sorted(a.snapshots) == [10, 20, 30]
    assert {"modes_captured", "high_quality", "mode_kl", "kde_ll", "log_likelihood"} <= set(a.metrics)
    assert (a.metrics["log_likelihood"] is None) == (model == "gan")
    assert len(a.history) == 30 and a.history["step"].iloc[-1] == 30


def test_toy_precision_sets_the_default_dtype_inside_and_restores_it_after_an_error() -> None:
    before = torch.get_default_dtype()
    with pytest.raises(RuntimeError, match="inside"), toy_precision():
        assert torch.get_default_dtype() == TOY_DTYPE == torch.float64
        assert ToyVAE().log_sigma_x.dtype == TOY_DTYPE and torch.randn(2).dtype == TOY_DTYPE
        raise RuntimeError("inside")
    assert torch.get_default_dtype() == before == torch.float32
    run = train_toy("vae", "ring8", steps=6, seed=0, n_snapshots=2, n_show=10, n_eval=200)
    assert torch.get_default_dtype() == torch.float32  # train_toy leaves the default as it found it
    assert run.samples.dtype == np.float32 and run.snapshots[6].dtype == np.float32  # stored in float32


def test_train_toy_names_the_bad_parameter() -> None:
    with pytest.raises(ParameterError, match="model"):
        train_toy("flow", "ring8", steps=10)
    with pytest.raises(ParameterError, match="dataset"):
        train_toy("gan", "spiral", steps=10)
    with pytest.raises(ParameterError, match="steps"):
        train_toy("gan", "ring8", steps=2)


def test_toy_runs_are_written_as_records_and_tabulated(tmp_path) -> None:
    run = train_toy("vae", "grid25", steps=12, seed=0, n_snapshots=2, n_show=20, n_eval=200)
    directory = write_toy_run(run, tmp_path, "smoke")
    record = read_record(directory)
    assert record["metrics"]["n_modes"] == 25 and record["profile"] == "smoke"
    assert set(np.load(directory / "snapshots.npz").files) == {"samples", "step_6", "step_12"}
    assert toy_table([run]).loc[("grid25", "VAE (Gaussian decoder)"), "modes captured"].endswith("/25")


def test_a_gbrbm_built_by_hand_holds_all_25_grid_modes_at_the_mixtures_own_likelihood() -> None:
    mix = mixture("grid25")
    rbm = grid_rbm(mix)
    assert rbm.n_hidden == 8 and rbm.c.dtype == TOY_DTYPE
    assert rbm.c.tolist() == pytest.approx([2400.0, 800.0, -800.0, -2400.0] * 2, rel=1e-12)
    test = mix.sample(TEST_POINTS, seed=10_000)[0]
    truth = mixture_log_density(mix, test.astype(np.float64))
    with torch.no_grad():
        ll = rbm.log_likelihood(torch.from_numpy(test).to(TOY_DTYPE)).numpy()
    assert ll.mean() == pytest.approx(truth.mean(), abs=1e-9)  # the same density, up to rounding
    metrics = measure(rbm.sample(2_500, torch.Generator().manual_seed(2)).numpy(), mix, 0)
    assert metrics["modes_captured"] == 25 and metrics["mode_kl"] < 0.01
    with pytest.raises(ParameterError, match="a square grid"):
        grid_rbm(mixture("ring8"))


def test_the_mixture_log_density_of_one_mode_is_its_gaussian() -> None:
    one = Mixture("one", np.array([[1.0, -1.0]]), 0.5)
    x = np.array([[1.0, -1.0], [2.0, 0.0]])
    expected = -np.log(2 * np.pi * 0.25) - np.array([0.0, 2.0]) / (2 * 0.25)
    assert mixture_log_density(one, x) == pytest.approx(expected)


def test_a_gbrbm_runs_reading_comes_from_its_held_out_likelihood_curve() -> None:
    run = train_toy("gbrbm_exact", "grid25", steps=30, seed=0, n_snapshots=3, n_show=20, n_eval=200)
    assert run.history["held_out_log_likelihood"].notna().all() and len(run.history) == 30
    rising = pd.DataFrame({"step": [0, 10, 20, 30], "held_out_log_likelihood": [-5.0, -4.0, -3.0, -2.0]})
    flat = rising.assign(held_out_log_likelihood=[-5.0, -3.0, -3.0, -3.01])
    assert rbm_reading(replace(run, history=rising), 0.0, True).startswith("still rising (+1.000 nats")
    assert rbm_reading(replace(run, history=flat), -0.5, True) == (
        "levelled off (-0.010 nats over the last third), 2.51 nats below the RBM built by hand: the family holds "
        "the modes, this training did not find them")
    assert "capacity and training not told apart" in rbm_reading(replace(run, history=flat), -0.5, False)
    table = capacity_table([run])
    assert list(table.index.get_level_values("model")) == ["the mixture itself", "GB-RBM built by hand",
                                                           "GB-RBM, exact gradient"]
    assert table.loc[("grid25", "GB-RBM built by hand"), "modes captured"] == "25/25"
