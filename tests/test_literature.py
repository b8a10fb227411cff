"""The chapter *Against the literature*: its plan, the papers' protocols against ours, the
side-by-side table and the flatness rule (study.flatness) that names a shortfall's cause."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from genstudy.config import get_profile
from genstudy.errors import ParameterError
from genstudy.literature_plan import LITERATURE, literature_plan
from genstudy.models import build
from genstudy.models.registry import REGISTRY
from genstudy.study import literature as lit
from genstudy.study.compare import t_interval
from genstudy.training.tasks import DBNTask, per_layer

#: The committed runs of the full book's literature chapter.
LITERATURE_RUNS = Path(__file__).resolve().parents[1] / "results" / "literature" / "literature"

RBM_ROW = next(p for p in lit.PUBLISHED if p.key == "rbm")


def _settings(profile: str) -> dict[str, int]:
    p = get_profile(profile)
    return {"eval_samples": p.eval_samples, "likelihood_size": p.likelihood_size, "iwae_k": p.iwae_k,
            "ais_steps": p.ais_steps, "ais_chains": p.ais_chains}


def _record(tmp_path: Path, seed: int, value: float | None, curve: list[float], *, row: str = "rbm",
            profile: str = "literature", withheld: str | None = None) -> dict[str, Any]:
    """A measured RBM run of the chapter whose history logs ``curve`` as its held-out log-likelihood
    (``ll_probe``) every 10 steps."""
    directory = tmp_path / f"{row}-{seed}"
    directory.mkdir()
    steps = np.arange(len(curve)) * 10
    pd.DataFrame({"step": steps, "ll_probe": curve}).to_csv(directory / "history.csv", index=False)
    metrics: dict[str, Any] = {"parzen_ll": 100.0}
    if value is not None:
        metrics["log_likelihood"] = value
    if withheld:
        metrics["log_likelihood_withheld"] = withheld
    return {"row": row, "status": "ok", "seed": seed, "family": "rbm", "model": "rbm", "dir": str(directory),
            "config": {"epochs": 10, "batch_size": 100, "train_size": None, "model_options": {"n_hidden": 500},
                       "train_options": {"k": 25}},
            "training": {"steps": int(steps[-1])}, "metrics": metrics,
            "evaluation": {"settings": _settings(profile), "samples": 10_000}}


def test_every_plan_trains_registered_models_and_the_reduced_ones_say_so() -> None:
    for profile, plan in LITERATURE.items():
        assert {*plan.runs, "stacked"} == {p.row for p in lit.PUBLISHED if p.row is not None}
        assert all(run.model in REGISTRY for run in plan.runs.values())
        assert (plan.reduced is None) == (profile in ("full", "literature")), profile
    assert len(literature_plan("quick").seeds) >= 3 and len(literature_plan("full").seeds) >= 3
    with pytest.raises(ParameterError, match="profile"):
        literature_plan("nope")


def test_the_full_plan_evaluates_as_the_papers_did(tmp_path: Path) -> None:
    """On the chapter's own profile the test set, the AIS schedule and k are the papers': the only
    differences left for the RBM are the binarization of the training images and the budget."""
    full = _record(tmp_path, 0, -90.0, [10.0, 9.0])
    assert lit.protocol_differences(RBM_ROW, [full]) == [
        "pixels: binary, drawn afresh for every mini-batch (training), drawn once (test) (paper: binary, drawn once)",
        "budget: 10 passes over 60,000 images, 10 updates (paper: longer than ours, with a decaying step (its exact "
        "epochs not read offline))"]
    pcd = {**full, "config": {**full["config"], "train_options": {"k": 1, "persistent": True, "lr": 0.01,
                                                                  "lr_schedule": "linear", "final_momentum": 0.9}}}
    ours = lit.our_protocol(pcd, "log_likelihood")
    assert (ours["training rule"], ours["schedule"], ours["optimiser"], ours["training images"]) == (
        "PCD-1, mini-batches of 100", "step 0.01 decayed linearly to a tenth over 10 epochs",
        "SGD, momentum 0.5 then 0.9 after 5 epochs, weight decay 0.0001", "all 60,000")
    burda = {**full, "family": "vae", "model": "vae_iwae",
             "config": {**full["config"], "batch_size": 20, "train_options": {"eps": 1e-4, "lr_schedule": "burda"}}}
    vae_row = next(p for p in lit.PUBLISHED if p.key == "vae")
    assert lit.protocol_differences(vae_row, [burda])[1:] == [
        "budget: 10 passes over 60,000 images, 10 updates (paper: 3,280 passes over 60,000 images)",
        "schedule: step 0.001 · 10^(−i/7) in the shares of 3^i epochs, i = 0..7, over 10 epochs (paper: step 0.001 · "
        "10^(−i/7) for 3^i epochs, i = 0..7)"]  # the optimiser is theirs
    gan_row = next(p for p in lit.PUBLISHED if p.key == "gan_parzen")
    gan = {**full, "family": "gan", "model": "dcgan",
           "config": {**full["config"], "train_first": 50_000, "model_options": {"width": 32}},
           "evaluation": {**full["evaluation"], "settings": {**full["evaluation"]["settings"], "parzen": "goodfellow"}}}
    assert lit.protocol_differences(gan_row, [gan]) == [
        "architecture: DCGAN (convolutional, width 32) (paper: MLP generator and maxout discriminator)"]
    gan["config"] = {**gan["config"], "train_first": None}
    gan["evaluation"]["settings"]["parzen"] = "study"
    assert [d.split(":")[0] for d in lit.protocol_differences(gan_row, [gan])] == ["σ", "training images",
                                                                                     "architecture"]
    vae = next(p for p in lit.PUBLISHED if p.key == "vae")
    ours = lit.our_protocol({**full, "family": "vae", "model": "vae_iwae",
                             "config": {**full["config"], "batch_size": 20}}, "log_likelihood")
    assert ours["estimator"] == vae.protocol["estimator"] and ours["architecture"] == vae.protocol["architecture"]
    assert ours["test images"] == vae.protocol["test images"] == "10,000"
    smoke = _record(tmp_path, 1, -90.0, [10.0, 9.0], profile="smoke")
    assert "test images: 500 (paper: 10,000)" in lit.protocol_differences(RBM_ROW, [smoke])
    assert "estimator: AIS log Z, 300 β, 32 runs (paper: AIS log Z, 14,500 β, 100 runs)" in \
        lit.protocol_differences(RBM_ROW, [smoke])
    dbn = {**full, "family": "dbn", "model": "dbn",
           "config": {**full["config"], "model_options": {"hidden": [500, 2000]},
                      "train_options": {"k": [25, 3], "lr": [0.05, 0.005]}}}
    assert lit.our_protocol(dbn, "log_likelihood")["training rule"] == \
        "greedy, CD-25 (step 0.05), then CD-3 (step 0.005), mini-batches of 100"
    dbn["config"]["train_options"] = {"k": 1}  # the DBN task's defaults: one k and one step for every layer
    assert lit.our_protocol(dbn, "log_likelihood")["training rule"] == \
        "greedy, CD-1 (step 0.05), then CD-1 (step 0.05), mini-batches of 100"


def test_the_rise_over_the_last_third_is_read_between_the_points_around_its_start() -> None:
    history = pd.DataFrame({"step": np.arange(11) * 10, "ll_probe": [-120.0 + 3 * i for i in range(11)],
                            "fd": np.nan})
    rise = lit.last_third_rise(history, "ll_probe")
    assert rise is not None and (rise.start, rise.end, rise.rise) == pytest.approx((-100.0, -90.0, 10.0))
    falling = lit.last_third_rise(history.assign(kl=history["ll_probe"] * -1), "kl", higher_is_better=False)
    assert falling is not None and falling.rise == pytest.approx(10.0)  # a KL falling by 10 improved by 10
    sparse = pd.DataFrame({"step": [0, 30, 90], "ll_probe": [-200.0, -110.0, -95.0]})
    rise = lit.last_third_rise(sparse, "ll_probe")  # the last third starts at step 60: -102.5 by interpolation
    assert rise is not None and rise.start == pytest.approx(-102.5) and rise.rise == pytest.approx(7.5)
    assert lit.last_third_rise(sparse.head(1), "ll_probe") is None
    assert lit.last_third_rise(sparse, "fd_probe") is None


def test_side_by_side_gives_the_mean_its_interval_the_difference_and_a_measured_cause(tmp_path: Path) -> None:
    rising = [-120.0 + 3 * i for i in range(11)]
    records = [_record(tmp_path, s, v, rising) for s, v in enumerate([-90.0, -91.0, -92.0])]
    table = lit.side_by_side(records, [RBM_ROW]).iloc[0]
    low, high = t_interval(np.array([-90.0, -91.0, -92.0]))
    assert table["paper"] == "-86.34"
    assert table["ours"] == f"-91.00 [{low:.2f}, {high:.2f}]"
    assert table["difference"].startswith("-4.66 [")
    assert table["verdict"] == "worse by more than 2"
    assert table["cause"] == ("training budget too short: the AIS log-likelihood still rose by 10.00 over the last "
                              "third of training (mean of 3 seeds; rising: more than half the tolerance, 1; the "
                              "curve's end is not checked against the final estimate (no run measured both))")
    assert table["our budget"] == "10 passes over 60,000 images, 100 updates"
    assert table["wall time, device"] == ("training not recorded (probes not recorded more), drawing the scored "
                                          "samples not recorded, scoring them not recorded (mean of 3 runs); "
                                          "a device not recorded on a machine not recorded (3 runs)")
    assert table["source"] == "Salakhutdinov & Murray (2008), MNIST results"  # checked: no remark
    unchecked = dataclasses.replace(RBM_ROW, checked=False)
    assert lit.side_by_side(records, [unchecked]).iloc[0]["source"] == (
        "Salakhutdinov & Murray (2008), MNIST results (value not checked against the paper: no copy offline)")
    assert {p.key for p in lit.PUBLISHED if not p.checked} == {"dbn", "stacked_modes", "stacked_kl"}


def test_a_rows_cost_is_the_mean_of_its_runs_and_names_each_machine(tmp_path: Path) -> None:
    records = [_record(tmp_path, s, -90.0, [-100.0, -90.0]) for s in range(3)]
    for r, (train, probes, drawing, scoring) in zip(records, [(100.0, 10.0, 30.0, 40.0), (200.0, 20.0, None, None),
                                                              (300.0, None, None, 50.0)], strict=True):
        r.update(timings={"train_s": train, "probe_s": probes}, device_name="cpu (1 threads)", machine="AMD EPYC",
                 evaluation={**r["evaluation"], "seconds": scoring,
                             **({"drawing_seconds": drawing} if drawing is not None else {})})
    records[2]["machine"] = "Intel Xeon"
    assert lit.cost(records) == ("training 200 s (probes 15 s more), drawing the scored samples 30 s, scoring them "
                                 "45 s (mean of 3 runs; the probes' of 2, the drawing's of 1, the scoring's of 2); "
                                 "cpu (1 threads) on AMD EPYC (2 runs); cpu (1 threads) on Intel Xeon (1 run)")
    records[1]["evaluation"]["seconds"] = 60.0
    assert lit.cost(records[1:]).startswith("training 250 s (probes 20 s more), drawing the scored samples not "
                                            "recorded, scoring them 55 s (mean of 2 runs; the probes' of 1); ")
    assert lit.cost(records[:1]).startswith("training 100 s (probes 10 s more), drawing the scored samples 30 s, "
                                            "scoring them 40 s (mean of 1 run); ")
    assert lit.side_by_side(records, [RBM_ROW]).iloc[0]["wall time, device"] == lit.cost(records)


def test_a_flat_curve_is_not_called_the_budget_and_a_close_value_needs_no_cause(tmp_path: Path) -> None:
    flat = [-150.0] * 6 + [-100.0] * 5
    (tmp_path / "far").mkdir()
    (tmp_path / "near").mkdir()
    far = [_record(tmp_path / "far", s, -95.0, flat) for s in range(3)]
    cause = lit.side_by_side(far, [RBM_ROW]).iloc[0]["cause"]
    assert cause.startswith("not the budget: the AIS log-likelihood rose by 0.00 over the last third of training")
    assert "the protocol's differences remain: pixels: binary, drawn afresh for every mini-batch " \
        "(training), drawn once (test) (paper: binary, drawn once); budget: 10 passes" in cause
    near = [_record(tmp_path / "near", s, -87.0, flat) for s in range(2)]
    row = lit.side_by_side(near, [RBM_ROW]).iloc[0]
    assert (row["ours"], row["difference"], row["verdict"], row["cause"]) == ("-87.00 (2 seeds)", "-0.66",
                                                                              "within ±2", "")


def test_withheld_likelihoods_and_rows_without_a_model_are_shown_not_filled(tmp_path: Path) -> None:
    records = [_record(tmp_path, 0, None, [1.0, 1.0], withheld="AIS effective sample size 1.2 < 10")]
    gsn = next(p for p in lit.PUBLISHED if p.row is None)
    table = lit.side_by_side(records, [RBM_ROW, gsn])
    assert table.iloc[0]["ours"] == "withheld: AIS effective sample size 1.2 < 10"
    assert table.iloc[1]["ours"] == "not in this study" and table.iloc[1]["paper"] == "214 ± 1.1"


def test_curves_are_the_rows_own_columns(tmp_path: Path) -> None:
    records = [_record(tmp_path, s, -90.0, [3.0, 2.0, 1.0]) for s in range(2)]
    curves = lit.curves(records, [RBM_ROW])
    assert list(curves.columns) == ["row", "curve", "seed", "step", "share", "value"]
    assert curves["share"].tolist() == [0.0, 0.5, 1.0] * 2 and set(curves["curve"]) == {"ll_probe"}


def test_the_dbn_takes_one_cd_k_per_layer() -> None:
    dbn = build("dbn", hidden=[20, 30])
    assert [t.k for t in DBNTask(dbn, k=[25, 3]).trainers] == [25, 3]
    assert [t.k for t in DBNTask(dbn, k=2).trainers] == [2, 2]
    with pytest.raises(ParameterError, match="one per layer"):
        DBNTask(dbn, k=[25])
    for wrong in (2.5, True, [3, 0]):  # a float, a bool and a zero are no number of Gibbs steps
        with pytest.raises(ParameterError, match="a positive integer or 2 of them, one per layer"):
            DBNTask(dbn, k=wrong)


def test_the_dbn_takes_persistent_cd_per_layer() -> None:
    dbn = build("dbn", side=8, hidden=[16, 32])
    assert [t.persistent for t in DBNTask(dbn, persistent=[True, False]).trainers] == [True, False]
    assert [t.persistent for t in DBNTask(dbn, persistent=True).trainers] == [True, True]
    for wrong in ([True], [1, 0], "yes"):
        with pytest.raises(ParameterError, match="persistent"):
            DBNTask(dbn, persistent=wrong)


def test_one_value_per_layer_is_repeated_or_taken_as_given() -> None:
    assert per_layer(3, 2) == [3, 3] and per_layer(0.05, 3) == [0.05] * 3
    assert per_layer([25, 3], 2) == [25, 3] and per_layer((1,), 2) == [1]  # a wrong length is the caller's to refuse
    assert per_layer("ab", 2) == ["ab", "ab"]  # a string is one value, not one per character


def test_options_are_shown_in_words_one_value_per_layer() -> None:
    assert lit.options_text({"k": [25, 3], "lr": [0.05, 0.005]}) == "k = 25, 3; lr = 0.05, 0.005"
    assert lit.options_text({"hidden": (500, 2000), "width": 32, "beta": 0.5}) == \
        "hidden = 500, 2000; width = 32; beta = 0.5"
    assert lit.options_text({}) == "defaults"
    table = lit.plan_table(literature_plan("full"))
    assert table.loc["dbn", "training options"] == ("k = 1; persistent = True; lr_schedule = geometric; "
                                                    "lr = 0.05, 0.01; init_from_below = True; layer_epochs = 300, 90")
    assert table.loc["stacked", "architecture options"] == "width = 32; channels = 3"


def test_the_dbn_takes_one_step_size_per_layer() -> None:
    dbn = build("dbn", hidden=[20, 30])
    steps = [[g["lr"] for g in t.optimizer.param_groups] for t in DBNTask(dbn, lr=[0.05, 0.005]).trainers]
    assert steps == [[0.05], [0.005]]
    assert [t.optimizer.param_groups[0]["lr"] for t in DBNTask(dbn, lr=0.01).trainers] == [0.01, 0.01]
    with pytest.raises(ParameterError, match="one per layer"):
        DBNTask(dbn, lr=[0.05])
    with pytest.raises(ParameterError, match="a positive number or 2 of them"):
        DBNTask(dbn, lr=[0.05, 0.0])


def test_the_vae_of_burda_et_al_has_their_layers() -> None:
    model = build("vae_iwae")
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(784, 200), (200, 200), (200, 100), (50, 200),
                                                                 (200, 200), (200, 784)]
    assert model.n_parameters() == 425_284 and model.likelihood == "bernoulli"


def test_half_the_tolerance_decides_whether_the_budget_was_short(tmp_path: Path) -> None:
    """The VAE's IWAE bound (tolerance 2 nats) that still rises 1.5 nats over its last third is short of
    budget; 1 nat, half the tolerance, is not. A row without a curve, or runs without one, say so."""
    vae = next(p for p in lit.PUBLISHED if p.key == "vae")
    for rise, short in ((1.5, True), (1.0, False)):
        folder = tmp_path / str(rise)
        folder.mkdir()
        curve = [-95.0] * 7 + [-95.0 + rise * i / 3 for i in range(1, 4)]  # flat to step 60, then up by ``rise``
        records = [{**_record(folder, s, -95.0 + rise, curve, row="vae"), "family": "vae", "model": "vae_iwae"}
                   for s in range(3)]
        cause = lit.side_by_side(records, [vae]).iloc[0]["cause"]
        assert cause.startswith("training budget too short" if short else "not the budget"), cause
        assert f"the IWAE bound {'still ' * short}rose by {rise:.2f} over the last third" in cause
    dbn_parzen = next(p for p in lit.PUBLISHED if p.key == "dbn_parzen")
    assert lit.shortfall_cause(dbn_parzen, records).startswith("cause not measured: no curve")
    old = [_record(tmp_path / "1.0", 9, -95.0, [1.0, 1.0])]
    pd.DataFrame({"step": [0, 10], "fd_probe": [3.0, 2.0]}).to_csv(Path(old[0]["dir"]) / "history.csv")
    assert lit.shortfall_cause(RBM_ROW, old).startswith("cause not measured: the runs logged no ll_probe curve")


@pytest.mark.parametrize(("profile", "retrained"), [("smoke", True), ("quick", True), ("full", False)])
def test_reduced_versions_retrain_and_the_full_one_resumes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           profile: str, retrained: bool) -> None:
    from genstudy.runs import literature as runs

    calls: list[tuple[str, str, bool]] = []

    def train_run(params: Any, out: Path, *, name: str, force: bool, need_model: bool = True, **_: Any) -> Any:
        calls.append(("train", name, force))
        assert out == tmp_path / "literature" and params.dataset == "mnist"
        assert params.profile == literature_plan(profile).profile
        return type("Run", (), {"record": {"status": "ok"}, "directory": out / name, "model": object()})()

    def evaluate_run(directory: Path, *, force: bool, **_: Any) -> dict[str, Any]:
        calls.append(("evaluate", directory.name, force))
        return {"status": "ok", "metrics": {}}

    monkeypatch.setattr(runs, "train_run", train_run)
    monkeypatch.setattr(runs, "evaluate_run", evaluate_run)
    records = runs.train_literature(profile, results=tmp_path, log=lambda _: None)
    plan = literature_plan(profile)
    assert [r["row"] for r in records] == [row for row in [*plan.runs, *plan.ablations] for _ in plan.seeds]
    assert [r.get("ablates") for r in records if r["row"] in plan.ablations] == \
        [a.row for a in plan.ablations.values() for _ in plan.seeds]
    assert {force for _, _, force in calls} == {retrained}
    assert calls[0][1] == f"{profile}-rbm-mnist-seed0" and len(calls) == 2 * len(records)


def test_a_run_whose_weights_were_not_committed_is_reused_while_its_measures_are_current(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A published literature run's large weights are not in a clone: its record serves while its
    metrics are current; once they are not, the run is trained again (with its weights) to be measured."""
    from genstudy.runs import literature as runs

    current = {"rbm": True}
    calls: list[tuple[str, bool]] = []

    def train_run(params: Any, out: Path, *, name: str, need_model: bool = True, **_: Any) -> Any:
        calls.append((name, need_model))
        model = None if not need_model else object()  # the run's folder has no weights
        return type("Run", (), {"record": {"status": "ok", "row": name.split("-")[1]}, "directory": out / name,
                                "model": model})()

    monkeypatch.setattr(runs, "train_run", train_run)
    monkeypatch.setattr(runs, "is_current", lambda record: current.get(record["row"], False))
    monkeypatch.setattr(runs, "evaluate_run", lambda directory, **_: {"status": "ok"})
    runs.train_literature("full", results=tmp_path, log=lambda _: None)
    plan = literature_plan("full")
    expected = [(f"full-{row}-mnist-seed{seed}", need) for row in [*plan.runs, *plan.ablations] for seed in plan.seeds
                for need in ((False,) if row == "rbm" else (False, True))]
    assert calls == expected


def test_stacked_mnist_draws_three_digits_and_names_their_mode() -> None:
    from genstudy.data.stacked import stack_digits

    images = np.arange(5, dtype=np.uint8)[:, None, None].repeat(2, 1).repeat(2, 2)  # image i is filled with i
    labels = np.array([3, 1, 4, 1, 5])
    stacked, modes = stack_digits(images, labels, 200, seed=0)
    assert stacked.shape == (200, 3, 2, 2) and stacked.dtype == np.uint8
    index = stacked[:, :, 0, 0]  # the image each channel came from
    assert (modes == labels[index[:, 0]] * 100 + labels[index[:, 1]] * 10 + labels[index[:, 2]]).all()
    assert (stack_digits(images, labels, 200, seed=0)[1] == modes).all()
    assert not (stack_digits(images, labels, 200, seed=1)[1] == modes).all()


def test_mode_counts_and_their_kl_to_uniform() -> None:
    from genstudy.metrics.modes import count_modes

    collapsed = count_modes(np.array([[1, 2, 3]] * 10))
    assert collapsed.captured == 1 and collapsed.counts[123] == 10
    assert collapsed.kl == pytest.approx(np.log(1000))
    every = count_modes(np.array([[a, b, c] for a in range(10) for b in range(10) for c in range(10)]))
    assert every.captured == 1000 and every.kl == pytest.approx(0.0)
    half = count_modes(np.array([[a, b, c] for a in range(5) for b in range(10) for c in range(10)]))
    assert half.captured == 500 and half.kl == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match=r"\(N, 3\) integers 0..9"):
        count_modes(np.array([[1, 2, 10]]))


def test_the_stacked_rows_read_modes_and_kl_without_a_tolerance(tmp_path: Path) -> None:
    rows = [p for p in lit.PUBLISHED if p.row == "stacked"]
    records = []
    for seed, (modes, kl) in enumerate([(400, 1.0), (500, 0.9), (600, 0.8)]):
        r = _record(tmp_path, seed, None, [2.0, 1.0], row="stacked")
        records.append({**r, "family": "gan", "model": "dcgan", "metrics": {"stacked_modes": modes, "stacked_kl": kl},
                        "config": {"epochs": 3, "batch_size": 64, "train_size": 60_000, "samples": 26_000,
                                   "model_options": {"width": 32, "channels": 3}, "train_options": {}}})
    table = lit.side_by_side(records, rows)
    assert table["paper"].tolist() == ["99", "3.4"]
    assert table["ours"].iloc[0].startswith("500.00 [") and table["difference"].iloc[0].startswith("+401.00 [")
    assert table["verdict"].tolist() == ["better than the paper's run (no tolerance: a single run)"] * 2
    assert table["cause"].tolist() == ["", ""]
    assert "samples: 26,000" not in table["differences"].iloc[0]  # the papers' sample count is not restated
    assert table["differences"].iloc[0] == ("counted by: the study's MNIST classifier (99.2% on the test set) "
                                            "(paper: a pretrained MNIST classifier)")


def test_stacked_images_are_dcgans_input_and_the_three_channel_dcgan_draws_them() -> None:
    from genstudy.models.gan import dcgan
    from genstudy.runs.stacked import stacked_images

    images = np.full((6, 28, 28), 255, dtype=np.uint8)
    x = stacked_images(images, np.arange(6), 4, seed=0, device=torch.device("cpu"))
    assert x.shape == (4, 3, 32, 32)
    assert x[:, :, 2:30, 2:30].eq(1.0).all() and x[:, :, :2].eq(-1.0).all()  # ink at 1, the padding at -1
    model = dcgan(width=8, channels=3)
    assert model.data_shape == (3, 32, 32)
    sample = model.sample(5, torch.Generator().manual_seed(0))
    assert sample.shape == (5, 3, 32, 32) and sample.min() >= 0.0 and sample.max() <= 1.0


def test_the_plan_can_be_restricted_to_some_rows_and_seeds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from genstudy.runs import literature as runs

    names: list[str] = []

    def train_run(params: Any, out: Path, *, name: str, probe_quantity: str, **_: Any) -> Any:
        names.append(name)
        assert probe_quantity == "likelihood"  # the compared quantity's own curve
        return type("Run", (), {"record": {"status": "failed"}, "directory": out / name, "model": object()})()

    monkeypatch.setattr(runs, "train_run", train_run)
    runs.train_literature("full", results=tmp_path, log=lambda _: None, rows=["vae", "rbm"], seeds=[2])
    assert names == ["full-rbm-mnist-seed2", "full-vae-mnist-seed2"]  # the plan's order
    with pytest.raises(ParameterError, match="rows"):
        runs.train_literature("full", results=tmp_path, rows=["stacked"])
    with pytest.raises(ParameterError, match="seeds"):
        runs.train_literature("full", results=tmp_path, seeds=[7])


def test_an_ablation_is_its_rows_recipe_less_one_change_and_gets_no_mixing_study(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from genstudy.runs import literature as runs

    for plan in LITERATURE.values():
        assert plan.ablations
        for ablation in plan.ablations.values():
            row = plan.runs[ablation.row]
            changed = {k for k in {*row.train_options, *ablation.run.train_options}
                       if row.train_options.get(k) != ablation.run.train_options.get(k)}
            assert len(changed) == 1 and dataclasses.replace(ablation.run, train_options=row.train_options) == row
    studied: list[str] = []

    def train_run(params: Any, out: Path, *, name: str, **_: Any) -> Any:
        return type("Run", (), {"record": {"status": "ok"}, "directory": out / name, "model": object()})()

    monkeypatch.setattr(runs, "train_run", train_run)
    monkeypatch.setattr(runs, "evaluate_run", lambda directory, **_: {"status": "ok", "family": "rbm"})
    monkeypatch.setattr(runs, "mixing", lambda trained, record, **_: studied.append(trained.directory.name))
    records = runs.train_literature("full", results=tmp_path, log=lambda _: None, rows=["rbm", "rbm_linear"], seeds=[0])
    assert [(r["row"], r.get("ablates")) for r in records] == [("rbm", None), ("rbm_linear", "rbm")]
    assert studied == ["full-rbm-mnist-seed0"]


def test_an_ablation_reads_the_rows_quantity_with_welchs_interval(tmp_path: Path) -> None:
    plan = dataclasses.replace(literature_plan("full"), ablations={
        "rbm_linear": dataclasses.replace(literature_plan("full").ablations["rbm_linear"], change="the schedule")})
    ours, theirs = [-89.0, -90.0, -88.0], [-94.0, -95.0, -96.0]
    records = [_record(tmp_path, s, v, [1.0, 2.0]) for s, v in enumerate(ours)]
    records += [{**_record(tmp_path, s, v, [0.0, 1.5], row="rbm_linear"), "ablates": "rbm"}
                for s, v in enumerate(theirs)]
    table = lit.ablation_table(plan, records, [RBM_ROW])
    low, high = t_interval(np.array(ours), np.array(theirs))
    assert table.iloc[0][["ablation", "varies", "change undone", "measure"]].tolist() == \
        ["rbm_linear", "rbm", "the schedule", "log_likelihood"]
    assert (round(low, 2), round(high, 2)) == (3.73, 8.27)  # Welch: 6 ± 2.776 · sqrt(2/3)
    assert table.iloc[0]["recipe − ablation"] == "+6.00 [+3.73, +8.27]" and table.iloc[0]["reading"] == "better"
    assert lit.ablation_table(plan, records[:3] + [{**r, "metrics": {"log_likelihood": r["metrics"]["log_likelihood"]
                                                                       + 12.0}} for r in records[3:]],
                              [RBM_ROW]).iloc[0]["reading"] == "worse"
    assert table.iloc[0]["by seed"] == "seed 0: -89.00 against -94.00; seed 1: -90.00 against -95.00; " \
                                       "seed 2: -88.00 against -96.00"
    withheld = [{**records[1], "metrics": {"log_likelihood_withheld": "AIS disagrees"}}]
    assert lit.ablation_table(plan, records[:1] + withheld + records[3:5], [RBM_ROW]).iloc[0]["by seed"] == \
        "seed 0: -89.00 against -94.00; seed 1: withheld against -95.00"
    one_seed = lit.ablation_table(plan, records[:1] + records[3:4], [RBM_ROW])
    assert one_seed.iloc[0][["recipe", "recipe − ablation", "reading"]].tolist() == \
        ["-89.00 (1 seed)", "+5.00", "not enough seeds"]
    assert lit.ablation_table(plan, records[:3], [RBM_ROW]).iloc[0]["recipe − ablation"] == "no finished run"
    curves = lit.curves(records, [RBM_ROW])
    assert list(dict.fromkeys(curves["row"])) == ["rbm", "rbm_linear"] and set(curves["curve"]) == {"ll_probe"}
    assert lit.mixing_table(records).empty


def test_the_dbns_bound_is_read_against_its_own_first_rbm(tmp_path: Path) -> None:
    dbn_row = next(p for p in lit.PUBLISHED if p.key == "dbn")
    records = [{**_record(tmp_path, s, v, [-120.0, -95.0, -95.0], row="dbn"), "family": "dbn", "model": "dbn"}
               for s, v in enumerate([-96.0, -97.0, -98.0])]
    for r, first in zip(records, [-94.0, -94.5, -95.5], strict=True):
        r["metrics"]["first_layer_log_likelihood"] = first
    assert lit.first_layer_check(records, 2.0) == (
        "the bound falls 2.33 nats below its first RBM's own log-likelihood (mean of 3 seeds): more than the "
        "tolerance, so the top layer's training lost what the first layer had")
    assert lit.side_by_side(records, [dbn_row]).iloc[0]["verdict"].endswith("what the first layer had")
    for r in records:
        r["metrics"]["first_layer_log_likelihood"] = r["metrics"]["log_likelihood"] - 1.5
    assert lit.first_layer_check(records, 2.0) == (
        "the bound stands +1.50 nats from its first RBM's own log-likelihood (mean of 3 seeds)")
    assert lit.first_layer_check([{"metrics": {"log_likelihood": -90.0}}], 2.0) == ""


def test_a_curve_is_read_only_where_its_end_agrees_with_the_final_estimate(tmp_path: Path) -> None:
    """An RBM curve rising 5 nats over its last third reads "budget too short" while its last point is
    within half the tolerance (1 nat) of the final estimate on the same images; 3 nats above it (an AIS of
    few β reads too high), the cause is not read, and the gaps are said. Runs without the final estimate
    on the probe's images say their end is unchecked."""
    curve = [-110.0] * 7 + [-105.0, -102.5, -100.0]
    for final, readable in ((-100.5, True), (-103.0, False)):
        folder = tmp_path / str(final)
        folder.mkdir()
        records = [_record(folder, s, -100.0, curve) for s in range(3)]
        for r in records:
            r["metrics"][lit.PROBE_SET_METRIC] = final
        ends = lit.probe_ends(records)
        assert [e.gap for e in ends] == [pytest.approx(-100.0 - final)] * 3
        assert lit.probe_agreement(RBM_ROW, records)[0] is readable
        cause = lit.shortfall_cause(RBM_ROW, records)
        if readable:
            assert cause.startswith("training budget too short") and "the curve ends +0.50, +0.50, +0.50" in cause
        else:
            assert cause.startswith("cause not read: the curve ends +3.00, +3.00, +3.00 nats from the final"), cause
    unchecked = [_record(tmp_path / "-100.5", 7, -100.0, curve)]
    assert lit.probe_agreement(RBM_ROW, unchecked) == (None, "the curve's end is not checked against the final "
                                                       "estimate (no run measured both)")
    assert "not checked against the final estimate" in lit.shortfall_cause(RBM_ROW, unchecked)
    gan = next(p for p in lit.PUBLISHED if p.key == "gan_parzen")
    assert lit.probe_agreement(gan, records) == (None, "")


def test_the_literature_commands_log_names_what_it_reports_and_never_a_parzen_value_as_a_likelihood() -> None:
    from genstudy.site.cli import literature_outcome

    reason = "AIS effective sample size 9.2 of 100 chains (needs 10)"
    rbm = {"status": "ok", "family": "rbm", "metrics": {"log_likelihood": -86.954, "parzen_ll": -76.2},
           "evaluation": {"likelihood_guard": {"reasons": []}}}
    assert literature_outcome(rbm) == "ok, log-likelihood -86.95 nats"
    withheld = {**rbm, "metrics": {"parzen_ll": -76.22, "log_likelihood_withheld": reason},
                "evaluation": {"likelihood_guard": {"reasons": [reason]}}}
    assert literature_outcome(withheld) == f"ok, log-likelihood withheld, unreliable: {reason}"
    committed = json.loads((LITERATURE_RUNS / "full-rbm_linear-mnist-seed1" / "record.json").read_text())
    outcome = literature_outcome(committed)  # a withheld AIS value: its one-sided reading, as every chapter shows it
    assert outcome.startswith("ok, log-likelihood withheld, unreliable: AIS ") and "; at most " in outcome \
        and "in expectation" in outcome
    assert literature_outcome({**rbm, "family": "dbn"}) == "ok, the log-likelihood's lower bound -86.95 nats"
    gan = {"status": "ok", "family": "gan", "metrics": {"parzen_ll": 181.666}, "evaluation": {}}
    assert literature_outcome(gan) == "ok, Parzen log-density 181.67"
    assert literature_outcome({"status": "diverged"}) == "diverged"


def test_the_datas_own_parzen_estimate_scores_images_the_gan_trains_on_as_a_run_is_scored(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from genstudy.data import load_images, to_tensor
    from genstudy.runs import literature as runs_literature
    from genstudy.runs.evaluate import reference

    small = runs_literature.real_parzen("smoke")  # computed: 500 images against the smoke reference
    ref = reference("mnist", "smoke")
    assert small == runs_literature.real_parzen("smoke") and small.sigma in ref.parzen_sigmas
    assert set(small.validation) == set(ref.parzen_sigmas)
    assert small.validation[small.sigma] == max(small.validation.values())
    seen: dict[str, Any] = {}
    monkeypatch.setattr(runs_literature, "parzen_log_likelihood",
                        lambda samples, validation, test, sigmas: seen.update(samples=samples, validation=validation,
                                                                               test=test, sigmas=sigmas) or small)
    runs_literature.real_parzen("full")  # the published protocol: the split and σ grid of Goodfellow et al.
    full = reference("mnist", "literature")
    train = load_images("mnist").train
    assert seen["samples"].shape == (10_000, 1, 28, 28) and torch.equal(seen["test"], full.likelihood_test)
    assert torch.equal(seen["validation"], to_tensor(train.images[50_000:])) and seen["sigmas"] == full.parzen_sigmas
    as_bytes = (seen["samples"] * 255).round().to(torch.uint8).numpy()
    held_out = {image.tobytes() for image in train.images[50_000:]}
    assert not any(image[0].tobytes() in held_out for image in as_bytes)  # none of the images σ is chosen on


def test_the_parzen_table_puts_the_datas_own_estimate_first_and_each_rows_seeds_after() -> None:
    from genstudy.metrics.likelihood import ParzenResult

    real = ParzenResult(mean=240.123, sem=1.5, sigma=0.16681005372000587, validation={})

    def run(row: str, seed: int, parzen: float, fd: float, **extra: Any) -> dict[str, Any]:
        return {"row": row, "seed": seed, "status": "ok", "metrics": {"parzen_ll": parzen, "fd": fd},
                "evaluation": {"parzen_sigma": 0.1 + seed / 10}, **extra}

    records = [run("gan", 0, 190.0, 20.0), run("gan", 1, 200.0, 30.0), run("gan", 2, 210.0, 25.0),
               run("vae", 0, 237.0, 248.0), run("rbm_linear", 0, 100.0, 500.0, ablates="rbm"),
               {"row": "dbn", "seed": 0, "status": "diverged", "metrics": {}}]
    table = lit.parzen_table(records, real)
    assert table["samples"].tolist() == [lit.DATA_ITSELF, "gan", "vae"]
    assert table.iloc[0]["Parzen log-density"] == "240.12 ± 1.50" and table.iloc[0]["σ"] == "0.167"
    low, high = t_interval(np.array([190.0, 200.0, 210.0]))
    gan = table.iloc[1]
    assert gan["Parzen log-density"] == f"200.00 [{low:.2f}, {high:.2f}]"
    fd_low, fd_high = t_interval(np.array([20.0, 30.0, 25.0]))
    assert (gan["σ"], gan["seeds"], gan["FD"]) == ("0.200", "3", f"25.0 [{fd_low:.1f}, {fd_high:.1f}]")
    assert table.iloc[2]["Parzen log-density"] == "237.00 (1 seed)" and table.iloc[2]["FD"] == "248.0 (1 seed)"
    assert lit.parzen_table([], real)["samples"].tolist() == [lit.DATA_ITSELF]
