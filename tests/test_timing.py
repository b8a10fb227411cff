"""The chapter *The cost of sampling*'s measurement (genstudy.runs.timing): which models it times,
that it times the very architecture a run trained, and how its table travels to the runs' frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genstudy.config import RunParams, get_profile
from genstudy.errors import ParameterError
from genstudy.models import build
from genstudy.paths import find_root
from genstudy.runs import timing
from genstudy.runs.train import train_run
from genstudy.study import cost, report


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
    layers = (784 * 500 + 784 + 500) + (500 * 200 + 500 + 200)  # weights and both biases of each RBM
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
    other = table.assign(gibbs_steps=[0, 50])  # a chain of another length is another architecture
    timing.write_timing(other, tmp_path, "smoke", "fashion_mnist", device="cpu")
    frame = report.runs_frame(tmp_path, "smoke").set_index("model")
    assert pd.isna(frame.loc["rbm", "timed_1k_s"]) and pd.notna(frame.loc["vae_mlp", "timed_1k_s"])
    assert timing.read_timings(tmp_path / "nothing", "smoke").empty


def test_the_summary_gives_each_model_its_median_range_and_ratio_to_the_fastest_gan() -> None:
    table = pd.DataFrame({"model": ["dcgan", "rbm", "dcgan", "rbm"], "family": ["gan", "rbm"] * 2,
                          "seed": [0, 0, 1, 1], "sample_1k_s": [0.1, 10.0, 0.3, 20.0],
                          "gibbs_steps": [0, 1000] * 2, "params": [5, 7] * 2})
    summary = cost.sampling_summary(table)
    assert list(summary.index) == ["dcgan", "rbm"]
    assert summary.loc["rbm", "1k samples s"] == "15 s (10 s to 20 s)" and summary.loc["rbm", "× fastest GAN"] == "75×"
    assert summary.loc["dcgan", "× fastest GAN"] == "1×" and summary.loc["rbm", "Gibbs sweeps"] == 1000
    assert cost.sampling_summary(table[table["model"] == "rbm"]).loc["rbm", "× fastest GAN"] == ""
