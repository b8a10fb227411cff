"""Parallel tempering (genstudy.models.rbm): the plain Gibbs chain at one temperature, the exact
distribution of a small RBM whose Gibbs chains cannot leave their mode, and its argument checks."""

from __future__ import annotations

import pytest
import torch

from genstudy.errors import ParameterError
from genstudy.models.rbm import RBM, TemperedChains, all_binary_states, ladder, tempered_samples


def _two_modes(w: float = 8.0, units: int = 10) -> RBM:
    """An RBM of ``units`` visible units and one hidden unit with two equally likely modes, all off (h = 0)
    and all on (h = 1): W = w, b = −w/2, c = −units·w/2. A Gibbs chain leaves the all-off mode only when its
    hidden unit turns on, which needs five units on at once (probability about 252·σ(−4)⁵/2 ≈ 2e−7 per sweep)."""
    rbm = RBM(units, 1)
    with torch.no_grad():
        rbm.W.fill_(w)
        rbm.b.fill_(-w / 2)
        rbm.c.fill_(-units * w / 2)
    return rbm


def test_the_ladder_runs_from_the_model_to_the_base() -> None:
    assert ladder(1).tolist() == [1.0]
    assert ladder(3).tolist() == [1.0, 0.25, 0.0]
    with pytest.raises(ParameterError, match="temperatures"):
        ladder(0)


def test_one_temperature_is_the_rbms_own_gibbs_chain() -> None:
    rbm = RBM(12, 5, generator=torch.Generator().manual_seed(0))
    start = (torch.rand(7, 12, generator=torch.Generator().manual_seed(1)) < 0.5).float()
    chains = TemperedChains(rbm, start, 1, torch.Generator().manual_seed(2))
    v_prob = chains.run(25)
    v, expected = rbm.gibbs(start, 25, torch.Generator().manual_seed(2))
    assert torch.equal(v_prob, expected) and torch.equal(chains.drawn, v)
    assert chains.acceptance != chains.acceptance  # NaN: nothing proposed


def test_tempering_samples_both_modes_where_gibbs_stays_in_one() -> None:
    """From the all-off state, none of 400 Gibbs chains of 300 sweeps reaches the all-on mode; tempered
    chains (8 replicas) draw every state at its exact probability (total variation 0.013–0.018 measured
    over two seeds; 0.04 allowed), the all-on state included (0.42)."""
    rbm = _two_modes()
    start = torch.zeros(400, rbm.n_visible)
    gibbs, _ = rbm.gibbs(start, 300, torch.Generator().manual_seed(0))
    assert not gibbs.all(1).any()  # no chain reached the all-on mode
    states, probs = tempered_samples(rbm, 8_000, temperatures=8, chains=400, burn_in=300, thinning=20,
                                     generator=torch.Generator().manual_seed(0), start=start)
    assert states.shape == probs.shape == (8_000, rbm.n_visible)
    with torch.no_grad():  # p(v) of every state, in binary order (the last: all on)
        exact = torch.softmax(-rbm.free_energy(all_binary_states(rbm.n_visible)), 0).double()
    index = (states * 2 ** torch.arange(rbm.n_visible - 1, -1, -1)).sum(1).long()
    observed = torch.bincount(index, minlength=len(exact)).double() / len(states)
    assert abs(float(observed[-1] - exact[-1])) < 0.03 and 0.4 < float(exact[-1]) < 0.45
    assert 0.5 * float((observed - exact).abs().sum()) < 0.04  # total variation


def test_a_base_of_the_datas_rates_is_the_first_rung() -> None:
    """At β = 0 the replicas are the base model: independent visible units with biases ``a``. With two
    replicas the first sweep proposes the pair (every chain), the second none."""
    rbm = RBM(4, 3, generator=torch.Generator().manual_seed(0))
    a = torch.tensor([-3.0, -1.0, 1.0, 3.0])
    chains = TemperedChains(rbm, torch.zeros(20_000, 4), 2, torch.Generator().manual_seed(1), base_bias=a)
    chains.run(2)
    assert chains.proposed == 20_000 and 0.0 < chains.acceptance < 1.0
    assert torch.allclose(chains.v[1].mean(0), torch.sigmoid(a), atol=0.02)


def test_tempered_samples_check_their_arguments() -> None:
    rbm = RBM(4, 3)
    for name, kwargs in (("n", {"n": 0}), ("chains", {"chains": 0}), ("thinning", {"thinning": 0}),
                         ("burn_in", {"burn_in": -1})):
        args = {"n": 10, "temperatures": 2, "chains": 5, "burn_in": 0, "thinning": 1, **kwargs}
        with pytest.raises(ParameterError, match=name):
            tempered_samples(rbm, **args)
    with pytest.raises(ParameterError, match="start"):
        tempered_samples(rbm, 10, temperatures=2, chains=5, burn_in=0, thinning=1, start=torch.zeros(3, 4))


def test_swaps_are_counted_per_pair_of_neighbouring_replicas() -> None:
    """Even pairs are proposed on even sweeps, odd ones on odd sweeps, once per chain. Replicas of an RBM
    without weights or biases, over a uniform base, are one distribution: every swap is accepted. The
    two-mode RBM's replica swaps with a uniform base (β 1 and 0) almost never: the cut that leaves the
    replicas above it to Gibbs."""
    flat = RBM(6, 3)
    with torch.no_grad():
        for p in flat.parameters():
            p.zero_()
    chains = TemperedChains(flat, torch.zeros(50, 6), 4, torch.Generator().manual_seed(0))
    assert torch.isnan(chains.pair_acceptance).all()
    chains.run(3)
    assert chains.pair_proposed.tolist() == [100, 50, 100] and chains.pair_acceptance.tolist() == [1.0, 1.0, 1.0]
    assert int(chains.pair_accepted.sum()) == chains.accepted == chains.proposed == 250
    cut = TemperedChains(_two_modes(), torch.zeros(200, 10), 2, torch.Generator().manual_seed(0))
    cut.run(20)
    assert cut.pair_proposed.tolist() == [2_000] and float(cut.pair_acceptance[0]) < 0.01
