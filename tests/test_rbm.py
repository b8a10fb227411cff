"""The RBM against brute force on a model small enough to enumerate (4 visible x 3 hidden)."""

from __future__ import annotations

import pytest
import torch

from genstudy.errors import ParameterError
from genstudy.models.rbm import RBM, all_binary_states
from genstudy.training.tasks import contrastive_gradients, free_energy_gap


def small_rbm(n_visible: int = 4, n_hidden: int = 3, seed: int = 0, scale: float = 1.0) -> RBM:
    g = torch.Generator().manual_seed(seed)
    rbm = RBM(n_visible, n_hidden).double()
    with torch.no_grad():
        rbm.W.copy_(scale * torch.randn(n_visible, n_hidden, generator=g, dtype=torch.float64))
        rbm.b.copy_(0.5 * torch.randn(n_visible, generator=g, dtype=torch.float64))
        rbm.c.copy_(0.5 * torch.randn(n_hidden, generator=g, dtype=torch.float64))
    return rbm


def joint_table(rbm: RBM) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All (v, h) pairs and their unnormalised log-probabilities -E(v, h)."""
    vs = all_binary_states(rbm.n_visible, torch.float64)
    hs = all_binary_states(rbm.n_hidden, torch.float64)
    v = vs.repeat_interleave(len(hs), 0)
    h = hs.repeat(len(vs), 1)
    return v, h, -rbm.energy(v, h)


def test_free_energy_matches_enumeration() -> None:
    rbm = small_rbm()
    vs = all_binary_states(4, torch.float64)
    hs = all_binary_states(3, torch.float64)
    for v in vs:
        brute = -torch.logsumexp(-rbm.energy(v.expand(len(hs), -1), hs), 0)
        torch.testing.assert_close(rbm.free_energy(v[None])[0], brute)


def test_conditionals_match_enumeration() -> None:
    rbm = small_rbm()
    v, h, logp = joint_table(rbm)
    for v0 in all_binary_states(4, torch.float64):
        rows = (v == v0).all(1)
        w = torch.softmax(logp[rows], 0)
        torch.testing.assert_close(rbm.p_h(v0[None])[0], (w[:, None] * h[rows]).sum(0))
    for h0 in all_binary_states(3, torch.float64):
        rows = (h == h0).all(1)
        w = torch.softmax(logp[rows], 0)
        torch.testing.assert_close(rbm.p_v(h0[None])[0], (w[:, None] * v[rows]).sum(0))


@pytest.mark.parametrize(("n_visible", "n_hidden"), [(4, 3), (3, 5)])
def test_exact_log_partition_both_ways(n_visible: int, n_hidden: int) -> None:
    rbm = small_rbm(n_visible, n_hidden)
    _, _, logp = joint_table(rbm)
    torch.testing.assert_close(rbm.exact_log_partition(), torch.logsumexp(logp, 0))
    # and the probabilities of all visible states sum to one
    total = torch.logsumexp(rbm.log_likelihood(all_binary_states(n_visible, torch.float64)), 0)
    torch.testing.assert_close(total, torch.tensor(0.0, dtype=torch.float64), atol=1e-10, rtol=0)


def exact_gradient(rbm: RBM, data: torch.Tensor) -> torch.Tensor:
    """d mean log p(data) / dW = <v p(h|v)ᵀ>_data - <v hᵀ>_model, by enumeration."""
    v, h, logp = joint_table(rbm)
    p = torch.softmax(logp, 0)
    model = (p[:, None, None] * v[:, :, None] * h[:, None, :]).sum(0)
    positive = (data[:, :, None] * rbm.p_h(data)[:, None, :]).mean(0)
    return positive - model


def test_cd_gradient_has_the_sign_of_the_exact_gradient_after_enough_gibbs_steps() -> None:
    rbm = small_rbm(scale=0.5, seed=3)
    data = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]], dtype=torch.float64)
    exact = exact_gradient(rbm, data)
    batch = data.repeat(20_000, 1)  # many chains: the Monte-Carlo error is ~0.005
    v_model, _ = rbm.gibbs(batch, steps=50, generator=torch.Generator().manual_seed(0))
    rbm.zero_grad()
    rbm.contrastive_loss(batch, v_model).backward()
    estimate = -rbm.W.grad
    clear = exact.abs() > 0.03
    assert clear.sum() >= 6, "the test RBM should have several clearly non-zero gradients"
    assert torch.equal(torch.sign(estimate[clear]), torch.sign(exact[clear]))
    torch.testing.assert_close(estimate, exact, atol=0.02, rtol=0)


def test_cd1_differs_from_the_exact_gradient() -> None:
    # CD-1 is biased: on the same RBM its estimate is measurably off the exact gradient,
    # which is why the test above needs many Gibbs steps.
    rbm = small_rbm(scale=2.0, seed=3)
    data = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]], dtype=torch.float64)
    batch = data.repeat(20_000, 1)
    v1, _ = rbm.gibbs(batch, steps=1, generator=torch.Generator().manual_seed(0))
    rbm.zero_grad()
    rbm.contrastive_loss(batch, v1).backward()
    assert (-rbm.W.grad - exact_gradient(rbm, data)).abs().max() > 0.05


def test_gibbs_chains_reach_the_model_distribution() -> None:
    rbm = small_rbm(seed=1)
    chains = torch.zeros(40_000, 4, dtype=torch.float64)
    v, _ = rbm.gibbs(chains, steps=30, generator=torch.Generator().manual_seed(2))
    codes = (v * torch.tensor([8, 4, 2, 1], dtype=torch.float64)).sum(1).long()
    empirical = torch.bincount(codes, minlength=16).double() / len(codes)
    exact = rbm.log_likelihood(all_binary_states(4, torch.float64)).exp()
    torch.testing.assert_close(empirical, exact, atol=0.01, rtol=0)


def test_sample_shape_and_range() -> None:
    rbm = RBM(16, 5, side=4, gibbs_steps=3)
    x = rbm.sample(7, torch.Generator().manual_seed(0))
    assert x.shape == (7, 1, 4, 4) and x.min() >= 0 and x.max() <= 1


def test_the_trainers_written_out_gradient_equals_autograd_of_the_surrogate() -> None:
    rbm = small_rbm(scale=1.0, seed=5)
    g = torch.Generator().manual_seed(0)
    v = (torch.rand(64, 4, generator=g, dtype=torch.float64) < 0.5).double()
    v_model = (torch.rand(64, 4, generator=g, dtype=torch.float64) < 0.3).double()
    pre_data, pre_model = v @ rbm.W + rbm.c, v_model @ rbm.W + rbm.c
    d_w, d_b, d_c, ph_model = contrastive_gradients(rbm, v, pre_data, v_model, pre_model)
    gap = free_energy_gap(rbm, v, pre_data, v_model, pre_model)
    torch.testing.assert_close(ph_model, rbm.p_h(v_model), atol=1e-12, rtol=0)
    rbm.zero_grad()
    loss = rbm.contrastive_loss(v, v_model)
    loss.backward()
    torch.testing.assert_close(gap, loss.detach(), atol=1e-12, rtol=0)
    for mine, autograd in ((d_w, rbm.W.grad), (d_b, rbm.b.grad), (d_c, rbm.c.grad)):
        torch.testing.assert_close(mine, autograd, atol=1e-12, rtol=0)


def test_cd_training_computes_its_monitors_only_when_it_logs() -> None:
    from genstudy.training import fit
    from genstudy.training.tasks import RBMTask

    rbm = RBM(16, 8, generator=torch.Generator().manual_seed(0))
    task = RBMTask(rbm)
    calls = []
    original = task.monitor
    task.monitor = lambda: calls.append(1) or original()  # type: ignore[method-assign]
    x = torch.rand(400, 16, generator=torch.Generator().manual_seed(1))
    result = fit(task, x, epochs=1, batch_size=10, seed=0, log_every=10, progress=False)
    assert result.steps == 40 and len(calls) == len(result.history) == 4
    assert all(0.0 < row["recon_error"] < 1.0 and "free_energy_gap" in row for row in result.history)


def _dbn_exact_log_likelihood(dbn: torch.nn.Module, v: torch.Tensor) -> torch.Tensor:
    """log p(v) of a two-layer DBN by enumeration: logsumexp over h1 of log p_top(h1) + log p(v | h1)."""
    bottom, top = dbn.rbms
    h1 = all_binary_states(bottom.n_hidden, v.dtype)
    log_top = -top.free_energy(h1) - top.exact_log_partition()  # (2^H1,)
    p_v = torch.sigmoid(h1 @ bottom.W.t() + bottom.b)  # (2^H1, V)
    log_cond = v @ torch.log(p_v).t() + (1 - v) @ torch.log1p(-p_v).t()  # (N, 2^H1)
    return torch.logsumexp(log_top + log_cond, dim=1)


def test_a_dbn_layer_started_from_the_transpose_below_keeps_the_stacks_likelihood() -> None:
    """Hinton et al.'s greedy step: the top RBM from the bottom's transpose (extra hidden units without
    weights) makes the DBN the bottom RBM, exactly; with small noise on the extra units, nearly."""
    from genstudy.models.dbn import DBN
    from genstudy.training.tasks import DBNTask

    torch.manual_seed(0)
    dbn = DBN([5, 4, 7], generator=torch.Generator().manual_seed(1)).double()
    with torch.no_grad():
        bottom = dbn.rbms[0]
        bottom.W.normal_(0, 1.0), bottom.b.normal_(0, 0.5), bottom.c.normal_(0, 0.5)
    v = all_binary_states(5, torch.float64)
    rbm_ll = bottom.log_likelihood(v)
    assert not torch.allclose(_dbn_exact_log_likelihood(dbn, v), rbm_ll, atol=1e-3)  # a random top is not it
    dbn.init_from_below(1, noise_std=0.0)
    top = dbn.rbms[1]
    assert torch.equal(top.W[:, :5], bottom.W.t()) and torch.equal(top.W[:, 5:], torch.zeros(4, 2))
    assert torch.equal(top.b, bottom.c) and torch.equal(top.c[:5], bottom.b) and not top.c[5:].any()
    torch.testing.assert_close(_dbn_exact_log_likelihood(dbn, v), rbm_ll, rtol=0, atol=1e-10)
    dbn.init_from_below(1, torch.Generator().manual_seed(0), noise_std=0.01)
    assert top.W[:, 5:].abs().max() > 0
    torch.testing.assert_close(_dbn_exact_log_likelihood(dbn, v), rbm_ll, rtol=0, atol=0.05)
    with pytest.raises(ParameterError, match="layer"):
        dbn.init_from_below(0)
    # the task starts layer 1 from layer 0's transpose at its first step, once (not again on resume)
    model = DBN([16, 6, 20], side=4, generator=torch.Generator().manual_seed(0))
    task = DBNTask(model, init_from_below=True)
    task.total_epochs(1)
    g = torch.Generator().manual_seed(0)
    task.step(torch.rand(8, 16), 0, g)
    before = model.rbms[1].W.detach().clone()
    with torch.no_grad():
        model.rbms[0].W.add_(1.0)
    task.step(torch.rand(8, 16), 1, g)
    assert task.started == {0, 1} and not torch.equal(model.rbms[1].W, before)
    assert torch.allclose(model.rbms[1].W[:, :16], model.rbms[0].W.t(), atol=0.1)  # one small step from it
    state = task.state_dict()
    again = DBNTask(DBN([16, 6, 20], side=4), init_from_below=True)
    again.load_state_dict(state)
    assert again.started == {0, 1}
