"""The hyperparameter search: its draws, one configuration's run end to end, and the tables read from it."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from genstudy.config import get_profile
from genstudy.errors import ParameterError
from genstudy.models import build
from genstudy.runs import search
from genstudy.runs.record import read_record
from genstudy.site.cli import main
from genstudy.study import plots, sensitivity
from genstudy.training import make_task


def test_a_configuration_does_not_depend_on_how_many_are_drawn() -> None:
    for model in search.SPACES:
        assert search.draw_configs(model, 3) == search.draw_configs(model, 8)[:3]
    assert search.draw_configs("rbm", 4) != search.draw_configs("rbm", 4, seed=search.SEARCH_SEED + 1)


def test_choices_are_balanced_and_learning_rates_stay_in_their_range() -> None:
    configs = search.draw_configs("dcgan", 6)
    assert Counter(c.model_options["width"] for c in configs) == {16: 2, 32: 2, 48: 2}
    assert Counter(c.train_options["beta1"] for c in configs) == {0.0: 2, 0.5: 2, 0.9: 2}
    lrs = [c.train_options["lr"] for c in search.draw_configs("vae_mlp", 16)]
    assert all(1e-4 <= lr <= 3e-3 for lr in lrs) and len(set(lrs)) == 16
    assert all(lr == float(f"{lr:.3g}") for lr in lrs)


def test_log_uniform_draws_are_uniform_in_log_space() -> None:
    rng = np.random.default_rng(0)
    values = [search.LogUniform(1e-4, 1e-2).draw(rng) for _ in range(4000)]
    below = sum(v < 1e-3 for v in values) / len(values)  # 1e-3 is the log-midpoint
    assert abs(below - 0.5) < 0.03
    assert math.isclose(min(values), 1e-4, rel_tol=0.05) and max(values) <= 1e-2


def test_unknown_model_and_count_are_refused() -> None:
    with pytest.raises(ParameterError, match="search model") as err:
        search.draw_configs("article_gan", 2)
    assert "dcgan" in str(err.value)
    with pytest.raises(ParameterError, match="configs"):
        search.draw_configs("rbm", 0)


def test_the_books_values_come_from_the_profile_and_the_tasks() -> None:
    assert search.book_values("dcgan", "quick") == {"lr": 2e-4, "beta1": 0.5, "width": 32}
    assert search.book_values("dcgan", "full")["width"] == 32
    assert search.book_values("vae_mlp") == {"lr": 1e-3, "beta1": 0.9, "hidden": 512}
    assert search.book_values("dbn") == {"lr": [0.05, 0.01], "momentum": 0.5, "hidden": [500, 1_000]}  # the profile's
    assert search.book_values("rbm", "full")["lr"] == 0.05
    table = sensitivity.space_table("quick")
    assert table.loc[("rbm", "n_hidden"), "the book's value"] == "500"
    assert table.loc[("dcgan", "lr"), "searched"] == "log-uniform in [5e-05, 0.001]"


def test_the_vae_task_takes_adams_beta1() -> None:
    task = make_task(build("vae_mlp"), lr=3e-4, beta1=0.5)
    group = task.optimizers["model"].param_groups[0]
    assert group["betas"] == (0.5, 0.999) and group["lr"] == 3e-4


def test_config_index_reads_the_folder_name() -> None:
    config = search.draw_configs("dcgan", 13)[12]
    assert config.name("fashion_mnist", 0) == "dcgan-c12-fashion_mnist-seed0"
    assert search.config_index(config.name("fashion_mnist", 0)) == 12
    assert search.config_index("dcgan-fashion_mnist-seed0") is None


def test_one_configuration_end_to_end_and_reused(tmp_path: Path, fashion_dir: Path) -> None:
    torch.set_num_threads(2)
    config = search.draw_configs("rbm", 2)[1]
    said: list[str] = []
    record = search.run_config(config, profile="smoke", out=tmp_path, log=said.append)
    folder = tmp_path / "smoke" / "rbm-c1-fashion_mnist-seed0"
    assert record["status"] == "ok" and read_record(folder)["metrics"]["fd"] == record["metrics"]["fd"]
    assert record["config"]["model_options"]["n_hidden"] == config.model_options["n_hidden"]
    # the searched knobs on the book's recipe (the profile's training options)
    assert record["config"]["train_options"] == {**get_profile("smoke").budget("rbm").train_options,
                                                 **config.train_options}
    assert record["config"]["probe"]["points"] == 0 and "log_likelihood" not in record["metrics"]
    assert record["timings"]["sample_repeats"] == 1
    said.clear()
    again = search.run_config(config, profile="smoke", out=tmp_path, log=said.append)
    assert again["metrics"] == record["metrics"] and any("not retrained" in s for s in said)


def test_search_frame_reads_the_search_folder(tmp_path: Path, fashion_dir: Path) -> None:
    torch.set_num_threads(2)
    for config in search.draw_configs("rbm", 2):
        search.run_config(config, profile="smoke", out=tmp_path / "search", log=lambda s: None)
    frame = sensitivity.search_frame(tmp_path, "smoke")
    assert list(frame["config"]) == [0, 1] and set(frame["status"]) == {"ok"}
    first = search.draw_configs("rbm", 1)[0]
    lr, momentum = first.train_options["lr"], first.train_options["momentum"]
    assert frame["setting"].iloc[0] == f"lr {lr:g}, momentum {momentum:g}, n_hidden {first.model_options['n_hidden']}"
    assert sensitivity.search_frame(tmp_path, "quick").empty
    assert sensitivity.missing("quick") == ("no search on profile 'quick' in this results folder (search/quick/): "
                                            "run `genstudy search --profile quick`, then re-execute this chapter")
    assert sensitivity.caption(frame, "smoke", "fashion_mnist").startswith(
        "random search, profile smoke, fashion_mnist, seed 0: 2 of 2 runs finished, on cpu")


def _fake(values: dict[str, list[float]]) -> pd.DataFrame:
    families = {"dcgan": "gan", "vae_mlp": "vae", "rbm": "rbm"}
    rows = [{"model": m, "family": families[m], "config": i, "status": "ok", "setting": f"c{i}", "fd": v}
            for m, vs in values.items() for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=list(sensitivity.SEARCH_COLUMNS))


def test_summary_ranks_the_books_configuration() -> None:
    frame = _fake({"dcgan": [300.0, 100.0, 200.0], "rbm": [900.0, 700.0, 800.0]})
    book = _fake({"dcgan": [150.0]}).assign(config=None)
    table = sensitivity.summary(frame, book)
    row = table.loc["dcgan"]
    assert (row["best FD ↓"], row["median FD"], row["worst FD"]) == (100.0, 200.0, 300.0)
    assert row["best setting"] == "c1" and row["book's rank"] == "2 of 4" and row["book's FD"] == 150.0
    assert math.isnan(table.loc["rbm", "book's FD"])


def test_family_comparison_on_the_distribution_and_the_best_point() -> None:
    frame = _fake({"dcgan": [100.0, 110.0, 120.0, 900.0], "vae_mlp": [300.0, 310.0, 320.0, 330.0],
                   "rbm": [105.0, 900.0, 905.0]})
    table = sensitivity.family_comparison(frame)
    assert table.loc["vae", "mean FD: GAN"] == "307.5" and table.loc["vae", "mean FD: other"] == "315.0"
    assert table.loc["vae", "on the distribution"] == "undecided"  # one bad configuration widens the interval
    assert table.loc["vae", "on the best point"] == "better"
    assert table.loc["rbm", "on the best point"] == "same"  # 100 vs 105: inside FD's band
    assert sensitivity.favoured(frame) == ("lowest mean FD over its configurations: GAN (307.5, 4 configurations); "
                                           "lowest best FD: GAN (100.0) — the same family")
    few = sensitivity.family_comparison(_fake({"dcgan": [1.0, 2.0], "rbm": [3.0, 4.0]}))
    assert few.loc["rbm", "on the distribution"] == "not enough seeds"
    assert sensitivity.family_comparison(_fake({"rbm": [1.0, 2.0, 3.0]})).empty


def test_the_figure_marks_the_books_configuration() -> None:
    frame = _fake({"dcgan": [300.0, 100.0, 200.0], "rbm": [900.0, 700.0, 800.0]})
    fig = plots.sensitivity(frame, _fake({"rbm": [750.0]}), "t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["dcgan\n(GAN)", "rbm\n(RBM)"]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"searched configuration",
                                                                   "the book's configuration"}


def test_the_command_refuses_an_unsearched_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--models", "article_gan", "--configs", "1"]) == 2
    assert "invalid search model='article_gan'; allowed: 'dcgan', 'vae_mlp', 'rbm', 'dbn'" in capsys.readouterr().err
