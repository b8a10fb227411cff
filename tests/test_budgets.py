"""Where each model's curve flattens (``genstudy budgets``): a long run holds every shorter budget
as its first epochs, the flatness rule read at each budget, and the command's table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genstudy.config import RunParams
from genstudy.errors import ParameterError
from genstudy.runs.budgets import long_run
from genstudy.runs.train import train_run
from genstudy.site.cli import main
from genstudy.study.flatness import budget_summary, by_budget, flat_from


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
    record = {"model": "dcgan", "config": {"epochs": 12}, "training": {"steps": 120, "epochs": 12},
              "timings": {"train_s": 30.0}, "device_name": "cuda (NVIDIA H100)"}
    assert budget_summary(record, history, 10) == {
        "model": "dcgan", "trained": 12, "budget": 10, "at budget": "3.4%", "flat at budget": "no", "flat from": 12,
        "s per epoch": 2.5, "device": "cuda (NVIDIA H100)"}
    assert budget_summary(record, history, 20)["at budget"] == "-"
    assert budget_summary(record, history.iloc[:11], 10)["flat from"] == "not within 12"


def test_the_dbn_is_refused_because_its_epochs_are_per_layer(tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as refused:
        long_run("dbn", profile="smoke", epochs=2, out=tmp_path, log=quiet)
    assert str(refused.value) == ("invalid model='dbn'; allowed: a model whose shorter budgets are the first epochs "
                                  "of a longer one (a DBN's epochs are per layer)")
    assert not any(tmp_path.iterdir())


def test_the_budgets_command_prints_one_row_per_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["budgets", "--models", "rbm", "--epochs", "3", "--profile", "smoke", "--device", "cpu",
                 "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3].split() == ["trained", "budget", "at", "budget", "flat", "at", "budget", "flat", "from", "s",
                                 "per", "epoch", "device"]
    row = lines[-1].split()
    assert row[:4] == ["rbm", "3", "1", "-"] and row[-3:] == ["cpu", "(2", "threads)"]
    assert (tmp_path / "smoke" / "rbm-e3-fashion_mnist-seed0" / "record.json").is_file()
