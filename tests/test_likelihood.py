"""Likelihood estimators against exact enumeration: AIS for the RBM, the DBN's lower bound, VAE bounds."""

from __future__ import annotations

import math

import pytest
import torch

from genstudy.data import batches, binarize_static, load_images, to_tensor
from genstudy.errors import ParameterError
from genstudy.metrics.ais import ais_log_partition, beta_schedule
from genstudy.metrics.likelihood import (
    _bernoulli_log_prob,
    bits_per_dim,
    dbn_lower_bound,
    dequantize,
    rbm_log_likelihood,
    vae_bounds,
)
from genstudy.models import DBN, RBM
from genstudy.models.rbm import all_binary_states, base_rate_bias
from genstudy.models.vae import vae_mlp
from genstudy.training.tasks import RBMTrainer


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    """scikit-learn's digits, binarized at 0.5: (1437, 64) float64."""
    return binarize_static(to_tensor(load_images("digits").train.images)).flatten(1).double()


@pytest.fixture(scope="module")
def digits_rbm(digits: torch.Tensor) -> RBM:
    """An RBM with 16 hidden units trained by CD-1 on the digits: log Z is enumerable (2^16 states)."""
    g = torch.Generator().manual_seed(0)
    rbm = RBM(64, 16, generator=g).double()
    rbm.init_visible_bias(digits)
    trainer = RBMTrainer(rbm, lr=0.05, k=1, persistent=False, momentum=0.5, weight_decay=1e-4)
    for _ in range(40):
        for batch in batches(digits, 32, generator=g):
            trainer.step(batch, g)
    return rbm


def test_beta_schedule_is_increasing_from_zero_to_one() -> None:
    betas = beta_schedule(1450)
    assert len(betas) == 1451 and betas[0] == 0.0 and betas[-1] == 1.0
    assert bool((betas.diff() > 0).all())
    # The paper's proportions: a tenth of the steps below 0.5... and most of them above 0.9.
    assert int((betas <= 0.5).sum()) - 1 == 50 and int((betas > 0.9).sum()) == 1000


def test_ais_log_z_is_within_a_tenth_of_a_nat_of_enumeration(digits: torch.Tensor, digits_rbm: RBM) -> None:
    exact = float(digits_rbm.exact_log_partition())
    assert abs(digits_rbm.W).max() > 0.5  # a trained model with real structure, not a near-uniform one
    ais = ais_log_partition(digits_rbm, base_rate_bias(digits), n_chains=100, n_steps=2000,
                            generator=torch.Generator().manual_seed(1))
    assert abs(ais.log_z - exact) < 0.1
    assert ais.log_z_low <= exact <= ais.log_z_high
    assert 1 <= ais.effective_sample_size <= 100


def test_rbm_log_likelihood_matches_the_exact_one(digits: torch.Tensor, digits_rbm: RBM) -> None:
    test = digits[:200]
    exact = float(digits_rbm.log_likelihood(test).mean())
    est = rbm_log_likelihood(digits_rbm, test, digits, n_chains=100, n_steps=2000,
                             generator=torch.Generator().manual_seed(2))
    assert est.mean == pytest.approx(exact, abs=0.1)
    assert est.low <= exact <= est.high


def tiny_dbn(seed: int = 0) -> DBN:
    g = torch.Generator().manual_seed(seed)
    dbn = DBN([8, 6, 4], generator=g).double()
    with torch.no_grad():
        for rbm in dbn.rbms:
            rbm.W.normal_(0, 1.0, generator=g)
            rbm.b.normal_(0, 0.5, generator=g)
            rbm.c.normal_(0, 0.5, generator=g)
    return dbn


@torch.no_grad()
def exact_dbn_terms(dbn: DBN, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact log p(v) and the exact variational bound (both (N,)) of a 2-RBM DBN, by enumerating h1."""
    bottom, top = dbn.rbms
    h1 = all_binary_states(bottom.n_hidden, torch.float64)  # (S, H1)
    log_top = -top.free_energy(h1) - top.exact_log_partition()  # (S,)
    log_pv_h = torch.stack([_bernoulli_log_prob(v, (h @ bottom.W.t() + bottom.b).expand(len(v), -1)) for h in h1], 1)
    exact = torch.logsumexp(log_pv_h + log_top, dim=1)
    q_h = bottom.p_h(v)  # (N, H1)
    log_q = (h1[None] * torch.log(q_h[:, None]) + (1 - h1[None]) * torch.log1p(-q_h[:, None])).sum(2)  # (N, S)
    bound = (log_q.exp() * (log_pv_h + log_top - log_q)).sum(1)
    return exact, bound


def test_dbn_bound_estimates_the_exact_bound_and_stays_below_log_p() -> None:
    dbn = tiny_dbn()
    v = all_binary_states(8, torch.float64)[::7]  # 37 visible vectors
    exact, bound = exact_dbn_terms(dbn, v)
    assert bool((bound <= exact + 1e-9).all())
    est = dbn_lower_bound(dbn, v, v, samples=4000, n_chains=200, n_steps=1000,
                          generator=torch.Generator().manual_seed(3))
    assert est.mean == pytest.approx(float(bound.mean()), abs=0.05)
    assert est.mean <= float(exact.mean())


def test_vae_bounds_iwae_is_at_least_the_elbo() -> None:
    torch.manual_seed(0)
    model = vae_mlp(latent_dim=4, hidden=32)
    x = binarize_static(torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(4)))
    b = vae_bounds(model, x, k=50, generator=torch.Generator().manual_seed(5))
    assert b.k == 50 and math.isfinite(b.elbo) and b.iwae > b.elbo


def test_dequantize_keeps_each_8_bit_level_in_its_own_bin() -> None:
    levels = torch.arange(256, dtype=torch.float32).repeat(4, 1).reshape(4, 1, 16, 16)
    y = dequantize(levels / 255, torch.Generator().manual_seed(0))
    assert y.shape == levels.shape and (y >= 0).all() and (y < 1).all()
    assert torch.equal(torch.floor(y * 256), levels)  # (k + u) / 256 with u in [0, 1)
    assert torch.equal(y, dequantize(levels / 255, torch.Generator().manual_seed(0)))
    assert not torch.equal(y, dequantize(levels / 255, torch.Generator().manual_seed(1)))


def test_bits_per_dim_of_known_densities() -> None:
    assert bits_per_dim(0.0, 784) == pytest.approx(8.0)  # uniform on [0, 1)^D: every level 1/256
    assert bits_per_dim(784 * math.log(256), 784) == pytest.approx(0.0)  # all mass in one bin per pixel
    assert bits_per_dim(10 * math.log(2), 10) == pytest.approx(7.0)  # density 2 per dimension: half a bin less
    with pytest.raises(ParameterError, match="dims"):
        bits_per_dim(0.0, 0)
