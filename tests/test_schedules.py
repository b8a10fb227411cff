"""The literature's step-size and momentum schedules, on exact values, and the tasks that follow them."""

from __future__ import annotations

import pytest
import torch

from genstudy.errors import ParameterError
from genstudy.models import build
from genstudy.training import fit, make_task
from genstudy.training.schedules import BURDA_STAGES, burda_stage, learning_rate, momentum


def test_burdas_stages_cover_the_run_in_their_shares() -> None:
    assert sum(BURDA_STAGES) == 3_280
    # at their own length every epoch falls in its stage: epochs 0 | 1-3 | 4-12 | ...
    assert [burda_stage(e, 3_280) for e in (0, 1, 3, 4, 12, 13, 39, 40, 3_279)] == [0, 1, 1, 2, 2, 3, 3, 4, 7]
    # compressed to 328 epochs: the last 2/3 of the run (stage 7: 2,187 of 3,280) is at the smallest step
    stages = [burda_stage(e, 328) for e in range(328)]
    assert stages == sorted(stages) and stages.count(7) == 219
    assert stages[0] == 2  # its first tenth of an epoch's share holds their stages 0-1 (4 of 3,280 epochs)
    assert learning_rate("burda", 1e-3, 327, 328) == pytest.approx(1e-4)
    assert learning_rate("burda", 1e-3, 0, 328) == pytest.approx(1e-3 * 10 ** (-2 / 7))


def test_a_linear_decay_ends_at_a_tenth_a_geometric_at_a_hundredth_and_constant_is_constant() -> None:
    assert [learning_rate("linear", 0.1, e, 11) for e in (0, 5, 10)] == pytest.approx([0.1, 0.055, 0.01])
    assert learning_rate("linear", 0.1, 0, 1) == 0.1
    assert [learning_rate("geometric", 0.1, e, 11) for e in (0, 5, 10, 20)] == pytest.approx([0.1, 0.01, 0.001, 0.001])
    assert learning_rate("geometric", 0.1, 0, 1) == 0.1
    assert {learning_rate("constant", 0.1, e, 11) for e in range(11)} == {0.1}
    assert (momentum(0.5, 0.9, 4, 5), momentum(0.5, 0.9, 5, 5), momentum(0.5, None, 50, 5)) == (0.5, 0.9, 0.5)
    with pytest.raises(ParameterError, match="lr_schedule"):
        learning_rate("cosine", 0.1, 0, 2)
    with pytest.raises(ParameterError, match="lr_schedule"):
        make_task(build("rbm", side=4, n_hidden=3), lr_schedule="cosine")


def _lr_and_momentum(task: object) -> tuple[float, float]:
    group = task.optimizers["model"].param_groups[0]  # type: ignore[attr-defined]
    return group["lr"], group["momentum"]


def test_the_rbm_and_vae_tasks_set_each_epochs_step_and_momentum() -> None:
    x = torch.bernoulli(torch.full((40, 1, 4, 4), 0.3), generator=torch.Generator().manual_seed(0))
    x = x.to(torch.uint8) * 255
    model = build("rbm", side=4, n_hidden=3, generator=torch.Generator().manual_seed(0))
    task = make_task(model, lr=0.1, lr_schedule="linear", final_momentum=0.9, momentum_epochs=2, persistent=True)
    data = task.prepare(x[:, 0].numpy(), torch.device("cpu"))
    fit(task, data, epochs=3, batch_size=10, seed=0, progress=False)
    assert _lr_and_momentum(task) == pytest.approx((0.01, 0.9))  # the last epoch's
    vae = build("vae_iwae")
    vtask = make_task(vae, lr=1e-3, eps=1e-4, lr_schedule="burda")
    assert vtask.optimizers["model"].param_groups[0]["eps"] == 1e-4
    vtask.total_epochs(328)
    vtask.step(torch.rand(4, 1, 28, 28), 327, torch.Generator().manual_seed(0))
    assert vtask.optimizers["model"].param_groups[0]["lr"] == pytest.approx(1e-4)


def test_a_dbn_gives_each_layer_its_own_epochs_and_schedule() -> None:
    from genstudy.training.tasks import DBNTask

    model = build("dbn", side=4, hidden=[6, 5], generator=torch.Generator().manual_seed(0))
    task = DBNTask(model, layer_epochs=[3, 2], lr=[0.1, 0.01], lr_schedule="linear")
    assert task.total_epochs(99) == 5
    assert [task._layer_of(e) for e in range(5)] == [(0, 0, 3), (0, 1, 3), (0, 2, 3), (1, 0, 2), (1, 1, 2)]
    g = torch.Generator().manual_seed(0)
    task.step(torch.rand(4, 16), 2, g)
    assert task.optimizers["layer0"].param_groups[0]["lr"] == pytest.approx(0.01)  # its last epoch: a tenth
    task.step(torch.rand(4, 16), 3, g)
    assert task.layer == 1 and task.optimizers["layer1"].param_groups[0]["lr"] == pytest.approx(0.01)
    with pytest.raises(ParameterError, match="layer_epochs"):
        DBNTask(model, layer_epochs=[3])
