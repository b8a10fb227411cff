"""The checks every likelihood passes before it is shown (genstudy.metrics.guards), the second AIS
path they rely on, and the memorisation measure (genstudy.metrics.memorisation)."""

from __future__ import annotations

import math

import pytest
import torch

from genstudy.data import batches, binarize_static, load_images, to_tensor
from genstudy.metrics import guards
from genstudy.metrics.ais import (
    AISResult,
    TwoWayAIS,
    ais_log_partition,
    base_rate_bias,
    transposed,
    two_way_log_partition,
)
from genstudy.metrics.memorisation import memorisation, nearest_distances
from genstudy.models import RBM
from genstudy.training.tasks import RBMTrainer


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    return binarize_static(to_tensor(load_images("digits").train.images)).flatten(1).double()


@pytest.fixture(scope="module")
def rbm(digits: torch.Tensor) -> RBM:
    """CD-1 on the digits with 14 hidden units: log Z enumerable over either side."""
    g = torch.Generator().manual_seed(0)
    model = RBM(64, 14, generator=g).double()
    model.init_visible_bias(digits)
    trainer = RBMTrainer(model, lr=0.05, k=1, persistent=False, momentum=0.5, weight_decay=1e-4)
    for _ in range(30):
        for batch in batches(digits, 32, generator=g):
            trainer.step(batch, g)
    return model


def _result(log_z: float, log_weights: list[float]) -> AISResult:
    return AISResult(log_z, log_z - 0.1, log_z + 0.1, torch.tensor(log_weights, dtype=torch.float64), 100)


def test_the_transposed_rbm_has_the_same_partition_function(rbm: RBM) -> None:
    flipped = transposed(rbm)
    assert flipped.W.dtype == torch.float64 and flipped.n_visible == 14
    assert float(flipped.exact_log_partition()) == pytest.approx(float(rbm.exact_log_partition()), abs=1e-9)


def test_both_ais_paths_find_the_exact_log_z(digits: torch.Tensor, rbm: RBM) -> None:
    exact = float(rbm.exact_log_partition())
    two_way = two_way_log_partition(rbm, digits, n_chains=100, n_steps=2000, generator=torch.Generator().manual_seed(1))
    assert abs(two_way.visible.log_z - exact) < 0.1 and abs(two_way.hidden.log_z - exact) < 0.1
    assert two_way.disagreement < 0.2


def test_the_floor_is_a_true_lower_bound_and_the_ceiling_is_exact(digits: torch.Tensor, rbm: RBM) -> None:
    assert guards.log_z_floor(rbm, digits) < float(rbm.exact_log_partition())
    # Duplicates count once: the floor over the set equals the floor over its distinct rows.
    assert guards.log_z_floor(rbm, torch.cat([digits, digits])) == pytest.approx(guards.log_z_floor(rbm, digits))
    # Two pixels at ½ carry log 2 nats each; pixels at 0 or 1 carry none.
    assert guards.binarization_ceiling(torch.tensor([[0.5, 0.5, 0.0, 1.0]])) == pytest.approx(-2 * math.log(2))


def test_a_too_short_ais_is_withheld_with_its_reasons(digits: torch.Tensor, rbm: RBM) -> None:
    g = torch.Generator().manual_seed(3)
    short = TwoWayAIS(ais_log_partition(rbm, base_rate_bias(digits), n_chains=20, n_steps=3, generator=g),
                      ais_log_partition(transposed(rbm), base_rate_bias(rbm.p_h(digits).round()), n_chains=20,
                                        n_steps=3, generator=g))
    guard = guards.check(-20.0, ais=short)
    assert not guard.passed
    assert guard.reasons == ("AIS over the RBM's other side differs by 1.4 nats (tolerance 1)",)
    long = two_way_log_partition(rbm, digits, n_chains=100, n_steps=2000, generator=torch.Generator().manual_seed(4))
    assert guards.check(-20.0, ais=long, floor=guards.log_z_floor(rbm, digits)).passed


def test_an_estimate_below_the_hard_bound_or_above_the_ceiling_is_caught() -> None:
    even = [0.0] * 10
    below = guards.check(-50.0, ais=TwoWayAIS(_result(10.0, even), _result(10.2, even)), floor=12.0)
    assert below.reasons == ("AIS log Z 10.0 is below its hard lower bound 12.0",)
    assert guards.check(-50.0, ais=TwoWayAIS(_result(10.0, even), _result(10.2, even)), floor=9.0).passed
    above = guards.check(-10.0, ceiling=-12.5)
    assert not above.passed and above.reason == "-10.0 nats is above the data's entropy ceiling -12.5"
    one_chain = guards.check(-50.0, ais=TwoWayAIS(_result(10.0, [0.0] + [-30.0] * 9), _result(10.0, even)))
    assert one_chain.passed  # the run with the better effective sample size is the one used
    both_bad = TwoWayAIS(_result(10.0, [0.0] + [-30.0] * 19), _result(10.0, [0.0] + [-30.0] * 19))
    guard = guards.check(-50.0, ais=both_bad)
    assert guard.reasons == ("AIS effective sample size 1.0 of 20 chains (needs 2)",
                             "two halves of the AIS chains differ by 27.7 nats (tolerance 1)")
    record = guard.as_dict(-50.0)
    assert record["value"] == -50.0 and record["passed"] is False and record["reasons"] == list(guard.reasons)
    assert record["ess"] == 1.0 and record["ess_min"] == 2.0 and record["log_z_other_side"] == 10.0
    # A second path whose own effective sample size fails is not asked to agree: it says nothing either way.
    poor_other = TwoWayAIS(_result(10.0, even), _result(14.0, [0.0] + [-30.0] * 19))
    assert guards.check(-50.0, ais=poor_other).passed
    good_other = TwoWayAIS(_result(10.0, even), _result(14.0, even))
    assert guards.check(-50.0, ais=good_other).reasons == (
        "AIS over the RBM's other side differs by 4.0 nats (tolerance 1)",)


def test_nearest_distances_are_exact_on_a_tiny_case() -> None:
    pool = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    d = nearest_distances(torch.tensor([[0.0, 1.0], [3.0, 4.0], [6.0, 8.0]]), pool, chunk=2)
    assert d.tolist() == pytest.approx([1.0, 0.0, 5.0])


def test_memorisation_flags_training_images_returned_as_samples() -> None:
    images = to_tensor(load_images("digits").train.images)
    train, test, fresh = images[:600], images[600:900], images[900:1200]
    copied = memorisation(train[:300], train, test)
    assert copied.nn_ratio < 1e-6 and copied.copies == 1.0
    honest = memorisation(fresh, train, test)
    assert 0.8 < honest.nn_ratio < 1.25 and honest.copies < 0.05


def test_a_withheld_ais_estimate_keeps_its_one_sided_reading() -> None:
    """value = -F - log Z (log Z = 702 by the path used); the other path's log Z 693 is smaller, so the
    tighter upper bound in expectation is the value itself; one of 710 would lower it by 8 nats. The hard
    floor 632 bounds it for sure: value + 702 - 632."""
    from genstudy.metrics.guards import one_sided

    guard = {"value": -252.0, "log_z_other_side": 693.0, "log_z_floor": 632.0}
    reading = one_sided(guard, 702.0)
    assert reading is not None and (reading.expected, reading.certain) == (-252.0, -182.0)
    assert reading.text() == ("at most -252.0 in expectation (AIS's log Z is a stochastic lower bound; the larger "
                              "of its two paths' used), and at most -182.0 for certain (log Z's hard floor)")
    higher = one_sided({**guard, "log_z_other_side": 710.0}, 702.0)
    assert higher is not None and higher.expected == -260.0
    assert one_sided({"value": -90.0}, 0.0) is None  # a bound, not AIS-based: nothing to read
    assert one_sided({**guard, "log_z_floor": None}, 702.0) == type(reading)(-252.0, None)
