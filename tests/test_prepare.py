"""The chapters' runs made outside the book (``genstudy prepare``): which runs, made once, resumed,
stopped on time, and found by the chapters."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from conftest import ROOT
from genstudy.errors import ParameterError
from genstudy.runs.prepare import planned, prepare, training_chapters
from genstudy.runs.record import read_record
from genstudy.site.cli import main


def quiet(_: str) -> None:
    pass


def test_the_pytorch_training_chapters_and_their_models_are_read_from_the_notebooks() -> None:
    assert training_chapters(ROOT) == {  # 01 trains the article's code in TensorFlow: left out
        "02_gan": ("dcgan", "article_gan", "article_gan_bn"),
        "03_vae": ("vae_mlp", "vae_conv", "autoencoder", "autoencoder_gmm"),
        "04_rbm": ("rbm",), "05_dbn": ("dbn",), "07_matched_pair": ("vae_dcgan",)}
    assert planned(ROOT, [0, 1], ["dbn", "rbm"]) == [("04_rbm", "rbm", 0), ("05_dbn", "dbn", 0),
                                                     ("04_rbm", "rbm", 1), ("05_dbn", "dbn", 1)]
    assert len(planned(ROOT, [0, 1, 2])) == 3 * 10
    with pytest.raises(ParameterError) as refused:
        planned(ROOT, [0], ["vae_iwae"])  # a model of the registry that no chapter trains
    assert str(refused.value) == ("invalid models='vae_iwae'; allowed: 'dcgan', 'article_gan', 'article_gan_bn', "
                                  "'vae_mlp', 'vae_conv', 'autoencoder', 'autoencoder_gmm', 'rbm', 'dbn', 'vae_dcgan'")


def test_prepared_runs_are_measured_reused_and_stopped_on_time(tmp_path: Path) -> None:
    first = prepare("smoke", ROOT, out=tmp_path, seeds=[0], models=["rbm"], log=quiet)
    assert [(r.run_id, r.chapter, r.status, r.reused) for r in first] == [("rbm-fashion_mnist-seed0", "04_rbm", "ok",
                                                                           False)]
    record = read_record(tmp_path / "smoke" / "rbm-fashion_mnist-seed0")
    assert record["metrics"]["fd"] > 0 and first[0].eval_s == record["evaluation"]["seconds"]
    assert read_record(tmp_path / "smoke" / "real-fashion_mnist")["family"] == "data"
    again = prepare("smoke", ROOT, out=tmp_path, seeds=[0], models=["rbm"], log=quiet)
    assert again[0].reused and again[0].train_s == first[0].train_s
    late = prepare("smoke", ROOT, out=tmp_path / "late", seeds=[0, 1], models=["rbm"], stop_after_s=0, log=quiet)
    assert [(r.run_id, r.status) for r in late] == [("rbm-fashion_mnist-seed0", "not started"),
                                                    ("rbm-fashion_mnist-seed1", "not started")]
    assert math.isnan(late[0].train_s) and not (tmp_path / "late").exists()


def test_genstudy_prepare_prints_each_run_and_fails_when_one_is_not_finished(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["prepare", "--profile", "smoke", "--models", "rbm", "--seeds", "0", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "rbm-fashion_mnist-seed0  04_rbm     ok   False  cpu (" in out
    assert out.endswith("[genstudy] prepare: 1 of 1 runs finished\n")
    assert main([*args[:-2], "--seeds", "1", "--out", str(tmp_path), "--stop-after-s", "0"]) == 1
    assert capsys.readouterr().out.endswith("prepare: 0 of 1 runs finished; not finished: rbm-fashion_mnist-seed1\n")
