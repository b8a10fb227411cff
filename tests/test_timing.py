"""The chapter *The cost of sampling and training*'s measurement (genstudy.runs.timing): which models
it times, that it times the very architecture a run trained, its training steps phase by phase, and
how its table travels to the runs' frame and the runs' curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from genstudy.config import RunParams, get_profile
from genstudy.errors import ParameterError
from genstudy.models import build
from genstudy.paths import find_root
from genstudy.runs import timing
from genstudy.runs.train import train_run
from genstudy.study import cost, report
from genstudy.training import make_task


def quiet(_: str) -> None:
    pass


def test_the_compared_models_are_the_families_models_of_the_training_chapters_without_the_articles() -> None:
    models = timing.compared_models(find_root(Path(__file__)))
    assert set(models) == {"dcgan", "vae_mlp", "vae_conv", "vae_dcgan", "rbm", "dbn"}
    assert models.index("dcgan") < models.index("vae_mlp") < models.index("rbm") < models.index("dbn")
    assert timing.compared_models(find_root(Path(__file__)), "digits") == tuple(  # no 28x28-only model on 8x8
        m for m in models if m not in ("dcgan", "vae_dcgan"))


def test_an_architecture_is_built_as_the_profile_builds_its_runs() -> None:
    model, options, gibbs = timing.architecture("dbn", "fashion_mnist", "full", seed=3)
    assert options == get_profile("full").budget("dbn").options and gibbs == get_profile("full").gibbs_steps == 1000
    assert model.gibbs_steps == 1000
    layers = (784 * 500 + 784 + 500) + (500 * 1_000 + 500 + 1_000)  # weights and both biases of each RBM
    assert model.n_parameters() == build("dbn", **options).n_parameters() == layers
    again, _, _ = timing.architecture("dbn", "fashion_mnist", "full", seed=3)
    assert all((a == b).all() for a, b in zip(model.state_dict().values(), again.state_dict().values(), strict=True))


def test_every_model_is_timed_for_every_seed_seeds_outermost() -> None:
    lines: list[str] = []
    table = timing.time_architectures(["vae_mlp", "rbm"], "fashion_mnist", "smoke", seeds=[0, 1], device="cpu",
                                      repeats=1, log=lines.append)
    assert list(table.columns) == list(timing.COLUMNS)
    assert list(zip(table["seed"], table["model"], strict=True)) == [(0, "vae_mlp"), (0, "rbm"), (1, "vae_mlp"),
                                                                     (1, "rbm")]
    assert list(table["gibbs_steps"]) == [0, 100, 0, 100] and list(table["repeats"]) == [1] * 4
    assert table.loc[1, "params"] == 784 * 500 + 784 + 500 and (table["sample_1k_s"] > 0).all()
    assert (table["low_s"] <= table["sample_1k_s"]).all() and (table["sample_1k_s"] <= table["high_s"]).all()
    assert lines[1].startswith("[genstudy] rbm, seed 0: 1,000 samples in ") and lines[1].endswith(" s")
    batch, epochs = get_profile("smoke").budget("rbm").batch_size, get_profile("smoke").budget("rbm").epochs
    assert list(table["batch_size"]) == [batch] * 4 and list(table["phase_epochs"]) == [[epochs]] * 4
    assert all(len(s) == 1 and 0 < lo <= s[0] <= hi for s, lo, hi in
               zip(table["step_s"], table["step_low_s"].str[0], table["step_high_s"].str[0], strict=True))
    assert list(table["step_repeats"]) == [1] * 4 and "a training step of batch" in lines[1]
    assert lines[1].endswith(" s") and " s then " not in lines[1]  # every second with its unit (masked in the book)
    dbn = timing.time_architectures(["dbn"], "fashion_mnist", "smoke", seeds=[0], device="cpu", log=lines.append)
    assert len(dbn["step_s"].iloc[0]) == 2 and " s then " in lines[-1] and lines[-1].endswith(" s")
    assert dbn["repeats"].iloc[0] == dbn["step_repeats"].iloc[0] == get_profile("smoke").sampling_repeats == 1
    with pytest.raises(ParameterError, match="models"):
        timing.time_architectures([], "fashion_mnist", "smoke")
    with pytest.raises(ParameterError, match="model"):
        timing.time_architectures(["no_such_model"], "fashion_mnist", "smoke")


def test_a_timing_reaches_the_run_it_timed_and_no_other(tmp_path: Path) -> None:
    for model in ("vae_mlp", "rbm"):
        train_run(RunParams(model=model, profile="smoke", device="cpu"), tmp_path, log=quiet)
    table = timing.time_architectures(["vae_mlp", "rbm"], "fashion_mnist", "smoke", device="cpu", repeats=1,
                                      log=quiet)
    path = timing.write_timing(table, tmp_path, "smoke", "fashion_mnist", device="cpu")
    assert path == tmp_path / "smoke" / "timing" / "fashion_mnist.json"
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert frame.loc["rbm", "timed_1k_s"] == pytest.approx(table.loc[1, "sample_1k_s"])
    assert frame.loc["vae_mlp", "timed_1k_s"] == pytest.approx(table.loc[0, "sample_1k_s"])
    read = timing.read_timings(tmp_path, "smoke")
    assert read["timed_on"].iloc[0].startswith("cpu (") and set(read["dataset"]) == {"fashion_mnist"}
    assert cost.caption(read, "smoke").startswith("profile smoke · fashion_mnist · seeds 0 · cpu (")
    assert frame.loc["rbm", "timed_step_s"] == table.loc[1, "step_s"]
    assert frame.loc["rbm", "timed_phase_epochs"] == table.loc[1, "phase_epochs"]
    assert frame.loc["rbm", "timed_train_s"] == pytest.approx(frame.loc["rbm", "steps"] * table.loc[1, "step_s"][0])
    curves = report.quality_curves(report.runs_frame(tmp_path, "smoke")).set_index("label")
    rbm = curves.loc["rbm"]  # steps x the one phase's seconds a step
    assert list(rbm["timed_s"]) == pytest.approx(list(rbm["step"] * table.loc[1, "step_s"][0]))
    assert rbm["step"].iloc[-1] > 0 and rbm["timed_s"].iloc[-1] > 0
    batch = table.assign(batch_size=[table.loc[0, "batch_size"], 7])  # a step of another batch: not the run's
    timing.write_timing(batch, tmp_path, "smoke", "fashion_mnist", device="cpu")
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert frame.loc["rbm", "timed_step_s"] is None and pd.notna(frame.loc["rbm", "timed_1k_s"])
    assert frame.loc["vae_mlp", "timed_step_s"] == table.loc[0, "step_s"]
    unmatched = report.quality_curves(report.runs_frame(tmp_path, "smoke")).set_index("label")
    assert unmatched.loc["rbm", "timed_s"].isna().all()
    assert table.loc[1, "train_options"] == get_profile("smoke").budget("rbm").train_options
    recipe = table.assign(train_options=[{}, {"persistent": True}])  # a step of another recipe: not the run's
    timing.write_timing(recipe, tmp_path, "smoke", "fashion_mnist", device="cpu")
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert frame.loc["rbm", "timed_step_s"] is None and frame.loc["vae_mlp", "timed_step_s"] == table.loc[0, "step_s"]
    tempering = {"temperatures": 4, "chains": 10, "burn_in": 20, "thinning": 2}
    tempered = table.assign(tempering=[None, tempering])  # parallel tempering timed: not the sampler the run scored
    timing.write_timing(tempered, tmp_path, "smoke", "fashion_mnist", device="cpu")
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert pd.isna(frame.loc["rbm", "timed_1k_s"]) and pd.notna(frame.loc["vae_mlp", "timed_1k_s"])
    path = tmp_path / "smoke" / "rbm-fashion_mnist-seed0" / "record.json"
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "evaluation": {"settings": {"tempering": tempering}}}))  # scored so
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert frame.loc["rbm", "timed_1k_s"] == pytest.approx(table.loc[1, "sample_1k_s"])
    path.write_text(json.dumps(record))
    other = table.assign(gibbs_steps=[0, 50])  # a chain of another length is another architecture
    timing.write_timing(other, tmp_path, "smoke", "fashion_mnist", device="cpu")
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert pd.isna(frame.loc["rbm", "timed_1k_s"]) and pd.notna(frame.loc["vae_mlp", "timed_1k_s"])
    assert timing.read_timings(tmp_path / "nothing", "smoke").empty


def test_a_tempering_profile_times_the_tempered_draw_its_evaluation_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A draw by parallel tempering takes its burn-in and a sample of every chain each ``thinning`` sweeps; its
    seconds are its sweeps' (of every chain and replica) times the sweeps a draw takes. A VAE is drawn as ever."""
    import dataclasses

    from genstudy import config

    tempering = config.Tempering(temperatures=4, chains=50, burn_in=3_000, thinning=25)
    assert timing.tempered_sweeps(tempering, 1_000) == 3_000 + 20 * 25
    assert timing.tempered_sweeps(tempering, 1_001) == 3_000 + 21 * 25
    small = config.Tempering(temperatures=3, chains=10, burn_in=40, thinning=2)
    monkeypatch.setitem(config.PROFILES, "smoke", dataclasses.replace(config.PROFILES["smoke"], tempering=small))
    table = timing.time_architectures(["vae_mlp", "rbm", "dbn"], "fashion_mnist", "smoke", seeds=[0], device="cpu",
                                      repeats=2, log=quiet).set_index("model")
    assert table.loc["vae_mlp", "tempering"] is None
    assert table.loc["rbm", "tempering"] == table.loc["dbn", "tempering"] == dataclasses.asdict(small)
    assert table.loc["rbm", "repeats"] == 2 and table.loc["rbm", "sample_1k_s"] > 0
    rbm = build("rbm", side=28, generator=torch.Generator().manual_seed(0))
    took = timing.time_tempered_draw(rbm, small, 1_000, torch.Generator().manual_seed(1), repeats=3, seconds=1e9)
    assert took.repeats == 3 and 0 < took.low <= took.median <= took.high
    longer = dataclasses.replace(small, burn_in=4_000)  # 4,200 sweeps a draw instead of 240: ~17.5 times the time
    took_longer = timing.time_tempered_draw(rbm, longer, 1_000, torch.Generator().manual_seed(1), repeats=3,
                                            seconds=1e9)
    assert 5 < took_longer.median / took.median < 60


def test_the_summary_gives_each_model_its_median_range_and_ratio_to_the_fastest_gan() -> None:
    table = pd.DataFrame({"model": ["dcgan", "rbm", "dcgan", "rbm"], "family": ["gan", "rbm"] * 2,
                          "seed": [0, 0, 1, 1], "sample_1k_s": [0.1, 10.0, 0.3, 20.0],
                          "gibbs_steps": [0, 1000] * 2, "params": [5, 7] * 2})
    summary = cost.sampling_summary(table)
    assert list(summary.index) == ["dcgan", "rbm"]
    assert summary.loc["rbm", "1k samples s"] == "15 s (10 s to 20 s)" and summary.loc["rbm", "× fastest GAN"] == "75×"
    assert summary.loc["dcgan", "× fastest GAN"] == "1×" and summary.loc["rbm", "Gibbs sweeps"] == 1000
    assert cost.sampling_summary(table[table["model"] == "rbm"]).loc["rbm", "× fastest GAN"] == ""


def test_training_seconds_charge_each_phase_its_own_seconds_per_step() -> None:
    # a DBN of 10 + 10 epochs at 100 steps an epoch, 0.01 s then 0.02 s a step
    seconds = timing.training_seconds([0, 500, 1000, 1500, 2000, 2500], 100, (10, 10), (0.01, 0.02))
    assert list(seconds) == pytest.approx([0.0, 5.0, 10.0, 20.0, 30.0, 40.0])  # past its end: the last phase's rate
    assert list(timing.training_seconds(np.array([0, 3]), 2.5, (4,), (0.5,))) == [0.0, 1.5]
    with pytest.raises(ParameterError, match="one value per phase"):
        timing.training_seconds([1], 100, (10, 10), (0.01,))


def test_a_dbn_step_is_timed_in_each_of_its_layers_as_a_run_trains_them() -> None:
    model, _, _ = timing.architecture("dbn", "fashion_mnist", "smoke", seed=0)
    task = make_task(model, layer_epochs=[3, 1], init_from_below=True)
    images = timing.timing_images("fashion_mnist", 2 * 8, seed=0)
    assert images.shape == (16, 28, 28) and images.dtype == np.uint8
    assert (timing.timing_images("fashion_mnist", 16, seed=0) == images).all()
    top = model.rbms[1].W.detach().clone()
    phases, steps = timing.time_training_steps(task, images, 8, epochs=5, generator=torch.Generator().manual_seed(0),
                                               repeats=2, seconds=1e9, steps=2)
    assert phases == (3, 1) and len(steps) == 2 and task.started == {0, 1}  # the upper layer trained too
    assert not torch.equal(model.rbms[1].W, top)
    assert all(t.repeats == 2 and 0 < t.low <= t.median <= t.high for t in steps)
    assert timing.phase_epochs(make_task(timing.architecture("dbn", "fashion_mnist", "smoke", 0)[0]), 4) == (4, 4)
    assert timing.phase_epochs(make_task(timing.architecture("rbm", "fashion_mnist", "smoke", 0)[0]), 4) == (4,)
    with pytest.raises(ParameterError, match="multiple of the batch size 8"):
        timing.time_training_steps(task, images[:12], 8, epochs=5, generator=torch.Generator())


def test_the_training_summary_gives_each_phase_its_median_and_range_over_seeds() -> None:
    table = pd.DataFrame({"model": ["dbn", "dcgan", "dbn", "dcgan", "rbm"],
                          "family": ["dbn", "gan", "dbn", "gan", "rbm"], "seed": [0, 0, 1, 1, 0],
                          "batch_size": [128, 64, 128, 64, 128],
                          "phase_epochs": [[10, 10], [24], [10, 10], [24], [20]],
                          "step_s": [[0.002, 0.001], [0.1], [0.004, 0.001], [0.3], np.nan]})  # the RBM: no step
    summary = cost.training_summary(table)
    assert list(summary.index) == ["dcgan", "dbn"] and summary.loc["dbn", "epochs"] == "10 + 10"
    assert summary.loc["dbn", "s per step"] == ("layer 1: 0.003 s (0.002 s to 0.004 s) | "
                                                "layer 2: 0.001 s (0.001 s to 0.001 s)")
    assert summary.loc["dcgan", "s per step"] == "0.2 s (0.1 s to 0.3 s)" and summary.loc["dcgan", "batch"] == 64
    assert cost.training_summary(table.assign(step_s=np.nan)).empty


def test_training_against_records_puts_each_runs_steps_on_the_one_clock() -> None:
    frame = pd.DataFrame({"model": ["dbn", "dbn", "rbm"], "family": ["dbn", "dbn", "rbm"], "seed": [0, 1, 0],
                          "status": ["ok"] * 3, "steps": [2000.0, 2000.0, 500.0], "train_s": [40.0, 60.0, 9.0],
                          "device": ["cpu (2 threads)"] * 3, "machine": ["AMD EPYC", "", "AMD EPYC"],
                          "timed_phase_epochs": [[10, 10], [10, 10], None],
                          "timed_step_s": [[0.01, 0.02], [0.01, 0.04], None],
                          # what runs_frame derives (timing.training_seconds at the run's steps)
                          "timed_train_s": [timing.training_seconds([2000], 100, (10, 10), (0.01, 0.02))[0],
                                            timing.training_seconds([2000], 100, (10, 10), (0.01, 0.04))[0], np.nan]})
    table = cost.training_against_records(frame)
    assert list(table.index) == ["dbn"]  # the RBM's step was not timed
    # 1,000 steps a layer: 1000 x 0.01 + 1000 x 0.02 = 30 s and 1000 x 0.01 + 1000 x 0.04 = 50 s
    assert table.loc["dbn", "train s here"] == "40 s (30 s to 50 s)" and table.loc["dbn", "steps"] == "2,000"
    assert table.loc["dbn", "records' train s"] == "50 s (40 s to 60 s)"
    assert table.loc["dbn", "records' machines"] == "cpu (2 threads); AMD EPYC | cpu (2 threads); machine not recorded"
