"""Where each model's curve flattens (``genstudy budgets``): a long run holds every shorter budget
as its first epochs, the flatness rule read at each budget, and the command's table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import torch

from genstudy.config import RunParams, get_profile
from genstudy.runs.budgets import LIKELIHOOD_PROBES, long_run
from genstudy.runs.train import train_run
from genstudy.site.cli import main
from genstudy.study import plots
from genstudy.study.flatness import (
    budget_curves,
    budget_summary,
    budget_table,
    by_budget,
    curve_end,
    flat_from,
    is_prefix,
    long_runs,
    published_epochs,
    same_recipe,
)


def quiet(_: str) -> None:
    pass


@pytest.mark.parametrize("model", ["rbm", "dcgan"])
def test_a_long_run_holds_every_shorter_budget_as_its_first_epochs(model: str, tmp_path: Path) -> None:
    long = long_run(model, profile="smoke", epochs=2, out=tmp_path, log=quiet)
    short = train_run(RunParams(model=model, profile="smoke", epochs=1), tmp_path, probes=1, log=quiet)
    assert long.directory.name == f"{model}-e2-fashion_mnist-seed0" and long.record["config"]["epochs"] == 2
    a = pd.read_csv(long.directory / "history.csv").set_index("step")
    b = pd.read_csv(short.directory / "history.csv").set_index("step")
    per_epoch = short.record["training"]["steps"]
    assert per_epoch == long.record["training"]["steps"] // 2
    assert a["fd_probe"].dropna().index.tolist() == [0, per_epoch, 2 * per_epoch]  # a probe every epoch
    pd.testing.assert_frame_equal(a.loc[b.index, b.columns].drop(columns="train_s"), b.drop(columns="train_s"))


def test_the_rule_is_read_at_every_budget_and_flat_from_needs_it_to_stay_flat() -> None:
    fd = [900.0, 500, 300, 200, 150, 120, 106, 100, 100, 99, 99, 98.5]  # one probe an epoch, epochs 1-12
    history = pd.DataFrame({"step": [10 * e for e in range(13)], "fd_probe": [1000.0, *fd]})
    table = by_budget(history, 10)
    assert table.index.tolist() == list(range(2, 13))
    # 10 epochs: the mean of epochs 9-10 (99.5) against that of 7-8 (103): 3.4%, not flat
    assert (table.loc[10, "start"], table.loc[10, "end"]) == (103.0, 99.5) and not table.loc[10, "flat"]
    # 11 epochs: epochs 9-11 (99.33) against 7-8 (103), the windows (8.8, 11] and (6.6, 8.8]: 3.6%
    assert table.loc[11, "improvement"] == pytest.approx((103 - 298 / 3) / 103) and not table.loc[11, "flat"]
    # 12 epochs: epochs 10-12 (98.83) against 8-9 (100), the windows (9.6, 12] and (7.2, 9.6]: 1.2%
    assert table.loc[12, "start"] == 100.0 and table.loc[12, "end"] == pytest.approx(296.5 / 3)
    assert table.loc[12, "flat"]
    assert flat_from(table) == 12
    noisy = table.copy()
    noisy.loc[5, "flat"] = True  # flat once by chance, then falling again: not flat from there
    assert flat_from(noisy) == 12
    assert flat_from(table.assign(flat=True)) == 2
    assert flat_from(table.loc[:10]) is None, "its last budget still improves"
    assert by_budget(history, 10, column="loss").empty


def test_a_long_run_read_against_the_profile_budget() -> None:
    history = pd.DataFrame({"step": [10 * e for e in range(13)],
                            "fd_probe": [1000.0, 900, 500, 300, 200, 150, 120, 106, 100, 100, 99, 99, 98.5]})
    record = {"model": "dcgan", "config": {"epochs": 12, "seed": 1}, "training": {"steps": 120, "epochs": 12},
              "timings": {"train_s": 30.0}, "device_name": "cuda (NVIDIA H100)"}
    assert budget_summary(record, history, 10) == {
        "model": "dcgan", "seed": 1, "curve": "probe FD", "trained": 12, "final": 98.5, "at end": "1.2%",
        "budget": 10, "at budget": "3.4%",
        "flat at budget": "no", "flat from": 12, "s per epoch": 2.5, "device": "cuda (NVIDIA H100)"}
    assert budget_summary(record, history, 20)["at budget"] == "-"
    assert budget_summary(record, history.iloc[:11], 10)["flat from"] == "not within 12"


def test_a_run_with_epochs_per_layer_answers_for_its_own_budget_only() -> None:
    # a DBN of 2 layers at 6 epochs a layer: 12 epochs in all, the same curve as above
    history = pd.DataFrame({"step": [10 * e for e in range(13)],
                            "fd_probe": [1000.0, 900, 500, 300, 200, 150, 120, 106, 100, 100, 99, 99, 98.5]})
    record = {"model": "dbn", "config": {"epochs": 6, "seed": 0}, "training": {"steps": 120, "epochs": 12},
              "timings": {"train_s": 30.0}, "device_name": "cpu (2 threads)"}
    at_own = budget_summary(record, history, 6)
    assert at_own == {"model": "dbn", "seed": 0, "curve": "probe FD", "trained": 6, "final": 98.5, "at end": "1.2%",
                      "budget": 6, "at budget": "1.2%",
                      "flat at budget": "yes", "flat from": "-", "s per epoch": 5.0, "device": "cpu (2 threads)"}
    other = budget_summary(record, history, 5)  # its first 5 epochs a layer are not the run at 5
    assert (other["at budget"], other["flat at budget"], other["flat from"]) == ("-", "-", "-")


def test_a_run_whose_step_follows_a_schedule_answers_for_its_own_budget_only() -> None:
    history = pd.DataFrame({"step": [10 * e for e in range(13)],
                            "fd_probe": [1000.0, 900, 500, 300, 200, 150, 120, 106, 100, 100, 99, 99, 98.5]})
    constant = {"model": "rbm", "config": {"epochs": 12, "seed": 0, "train_options": {"lr_schedule": "constant"}},
                "training": {"steps": 120, "epochs": 12}, "timings": {"train_s": 30.0}}
    scheduled = {**constant, "config": {**constant["config"], "train_options": {"lr_schedule": "geometric"}}}
    assert is_prefix(constant) and not is_prefix(scheduled)
    assert budget_summary(constant, history, 10)["at budget"] == "3.4%"
    assert budget_summary(scheduled, history, 10)["at budget"] == "-"  # its 10 first epochs decayed slower
    assert budget_summary(scheduled, history, 12)["at budget"] == "1.2%"
    assert budget_summary(scheduled, history, 12)["flat from"] == "-"


def test_a_long_run_of_another_recipe_is_not_read_against_the_budget(tmp_path: Path) -> None:
    long_run("rbm", profile="smoke", epochs=2, out=tmp_path, log=quiet)
    runs = long_runs(tmp_path, "smoke")
    budget = get_profile("smoke").budget("rbm")
    assert same_recipe(runs[0][0], budget)
    assert not same_recipe(runs[0][0], dataclasses.replace(budget, train_options={"persistent": True}))
    assert not same_recipe(runs[0][0], dataclasses.replace(budget, batch_size=budget.batch_size + 1))
    record = {**runs[0][0], "config": {**runs[0][0]["config"], "train_options": {"persistent": True}}}
    ours, other = budget_table(runs, "smoke"), budget_table([(record, runs[0][1])], "smoke")
    assert ours.loc[0, "recipe"] == "the profile's" and other.loc[0, "recipe"] == "another"
    assert (other.loc[0, "at budget"], other.loc[0, "flat at budget"]) == ("-", "-")
    assert budget_curves([(record, runs[0][1])], "smoke")["run"].unique().tolist() == [
        "seed 0, 2 epochs, another recipe"]


def test_a_long_run_of_the_likelihood_is_read_in_nats_at_its_own_budget(tmp_path: Path) -> None:
    run = long_run("rbm", profile="smoke", epochs=2, out=tmp_path, probe="likelihood", log=quiet)
    assert run.directory.name == "rbm-e2-ll-fashion_mnist-seed0"
    history = pd.read_csv(run.directory / "history.csv")
    assert history["ll_probe"].notna().sum() >= 1 + LIKELIHOOD_PROBES and "fd_probe" not in history
    row = budget_summary(run.record, history, 2)
    end = curve_end(history, "ll_probe")
    assert (row["curve"], row["final"]) == ("log-likelihood (nats)", round(history["ll_probe"].iloc[-1], 2))
    assert row["at end"] == row["at budget"] == f"{end.end - end.start:+.2f} nats"  # a rise, in nats
    assert (row["flat at budget"], row["flat from"]) == ("-", "-")  # never the share rule
    assert budget_summary(run.record, history, 3)["at budget"] == "-"
    long_run("rbm", profile="smoke", epochs=2, out=tmp_path, log=quiet)
    runs = long_runs(tmp_path, "smoke")
    assert set(budget_curves(runs, "smoke")["run"]) == {"seed 0, 2 epochs"}  # the FD run's curve ...
    assert len(budget_curves(runs, "smoke", "ll_probe")) == history["ll_probe"].notna().sum()  # ... and apart
    assert budget_table(runs, "smoke")["curve"].tolist() == ["probe FD", "log-likelihood (nats)"]
    fig = plots.budget_curves(budget_curves(runs, "smoke", "ll_probe"), "ll", log_scale=False)
    assert fig.axes[0].get_yscale() == "linear" and fig.axes[0].get_ylabel() == "probe FD ↓"


def test_the_dbn_trains_at_its_budget_per_layer(tmp_path: Path) -> None:
    run = long_run("dbn", profile="smoke", epochs=2, out=tmp_path, log=quiet)
    assert run.directory.name == "dbn-e2-fashion_mnist-seed0"
    assert (run.record["config"]["epochs"], run.record["training"]["epochs"]) == (2, 4)  # 2 layers
    history = pd.read_csv(run.directory / "history.csv")
    assert history["fd_probe"].notna().sum() == 3  # before training, then 2 probes over both layers
    row = budget_summary(run.record, history, 2)
    assert row["trained"] == 2 and row["flat from"] == "-" and row["at budget"] == row["at end"]


def test_long_runs_are_read_into_the_books_table_and_curves(tmp_path: Path) -> None:
    long_run("rbm", profile="smoke", epochs=3, out=tmp_path, log=quiet)
    long_run("dbn", profile="smoke", epochs=2, out=tmp_path, log=quiet)
    runs = long_runs(tmp_path, "smoke")
    assert [r["run_id"] for r, _ in runs] == ["dbn-e2-fashion_mnist-seed0", "rbm-e3-fashion_mnist-seed0"]
    assert long_runs(tmp_path, "quick") == [] and long_runs(tmp_path, "smoke", "mnist") == []
    table = budget_table(runs, "smoke")
    assert table[["model", "trained", "budget", "at budget"]].values.tolist() == [
        ["dbn", 2, 1, "-"], ["rbm", 3, 1, "-"]]  # the rule reads budgets of 2 epochs and more
    # both recipes decay their step over the run (the profile's PCD): a run answers for its own budget only
    assert table["flat from"].tolist() == ["-", "-"]
    assert all(c == "unknown" or len(c.removesuffix("+dirty")) == 7 for c in table["commit"])
    # beside each budget, what the profile's own runs trained for
    train_run(RunParams(model="rbm", profile="smoke"), tmp_path / "book", probes=1, log=quiet)
    assert published_epochs(tmp_path / "book", "smoke") == {"rbm": "1"}
    assert published_epochs(tmp_path, "smoke") == {"dbn": "2", "rbm": "3"}
    beside = budget_table(runs, "smoke", published_epochs(tmp_path / "book", "smoke"))
    assert list(beside.columns[6:9]) == ["budget", "published", "at budget"]
    assert beside["published"].tolist() == ["-", "1"]
    curves = budget_curves(runs, "smoke")
    assert curves.groupby("run").size().to_dict() == {"seed 0, 2 epochs a layer": 3, "seed 0, 3 epochs": 4}
    # the budget on the curve's axis: 1 epoch a layer is 2 epochs of the DBN's 2 layers
    assert curves.groupby("model")["budget"].unique().map(list).to_dict() == {"dbn": [2], "rbm": [1]}
    fig = plots.budget_curves(curves, "long runs")
    assert [ax.get_title() for ax in fig.axes if ax.axison] == ["dbn", "rbm"]
    assert [line.get_xdata()[0] for line in fig.axes[0].lines if line.get_linestyle() == "--"] == [2]


def test_the_budgets_command_prints_one_row_per_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["budgets", "--models", "rbm", "--epochs", "3", "--profile", "smoke", "--device", "cpu",
                 "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3].split() == ["seed", "curve", "trained", "final", "at", "end", "budget", "at", "budget", "flat",
                                 "at", "budget", "flat", "from", "s", "per", "epoch", "device"]
    row = lines[-1].split()
    assert row[:5] == ["rbm", "0", "probe", "FD", "3"] and row[7:9] == ["1", "-"]
    assert row[-3:] == ["cpu", f"({torch.get_num_threads()}", "threads)"]
    assert (tmp_path / "smoke" / "rbm-e3-fashion_mnist-seed0" / "record.json").is_file()
