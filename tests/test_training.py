"""The shared training loop: resume equality, NaN guard, and a real kill of `genstudy train`."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from genstudy import config
from genstudy.config import RunParams
from genstudy.models import build
from genstudy.models.registry import SPECS
from genstudy.runs.train import time_sampling, train_run
from genstudy.training import fit, make_task, task_class


def quiet(_: str) -> None:
    pass


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)


@pytest.mark.parametrize(
    ("model", "train_options", "stop"),
    [("dcgan", {}, 13), ("rbm", {"persistent": True}, 20), ("dbn", {}, 40), ("vae_conv", {}, 7)],
)
def test_resumed_run_ends_with_the_same_parameters(tmp_path: Path, model: str, train_options: dict, stop: int) -> None:
    params = RunParams(model=model, profile="smoke", device="cpu", train_options=train_options)
    once = {"sampling_repeats": 1, "log": quiet}  # the weights are compared, not the sampling seconds
    straight = train_run(params, tmp_path / "a", **once)
    first = train_run(params, tmp_path / "b", stop_after=stop, checkpoint_every=5, **once)
    assert first.result is not None and first.result.status == "interrupted"
    assert not (first.directory / "record.json").exists(), "an interrupted run must not leave a record"
    assert (first.directory / "checkpoint.pt").exists()
    resumed = train_run(params, tmp_path / "b", **once)
    assert resumed.record["training"]["resumed_from_step"] == stop
    assert resumed.record["training"]["steps"] == straight.record["training"]["steps"]
    a, b = weights(straight.directory / "model.pt"), weights(resumed.directory / "model.pt")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), f"{model}: {key} differs after resume"
    assert not (resumed.directory / "checkpoint.pt").exists()


def test_a_profiles_training_options_reach_the_task_and_a_runs_own_update_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    smoke = config.get_profile("smoke")
    recipe = {"persistent": True, "lr": 0.01, "lr_schedule": "geometric"}
    monkeypatch.setitem(config.PROFILES, "smoke", dataclasses.replace(
        smoke, overrides={**smoke.overrides, "rbm": {"train_options": recipe}}))
    assert config.get_profile("smoke").budget("rbm").train_options == recipe
    assert config.get_profile("smoke").budget("dbn").train_options == smoke.budget("dbn").train_options  # its own
    once = {"sampling_repeats": 0, "probes": 0, "log": quiet}
    from_profile = train_run(RunParams(model="rbm", profile="smoke", device="cpu", train_options={"lr": 0.02}),
                             tmp_path / "a", **once)
    assert from_profile.record["config"]["train_options"] == {**recipe, "lr": 0.02}
    monkeypatch.setitem(config.PROFILES, "smoke", smoke)
    spelled = train_run(RunParams(model="rbm", profile="smoke", device="cpu", train_options={**recipe, "lr": 0.02}),
                        tmp_path / "b", **once)
    plain = train_run(RunParams(model="rbm", profile="smoke", device="cpu"), tmp_path / "c", **once)
    a, b, c = (weights(r.directory / "model.pt") for r in (from_profile, spelled, plain))
    assert all(torch.equal(a[k], b[k]) for k in a)  # the same task as the options spelled out ...
    assert not torch.equal(a["W"], c["W"])  # ... and not the default one


def test_same_seed_same_numbers_other_seed_other_numbers(tmp_path: Path) -> None:
    runs = [train_run(RunParams(model="vae_mlp", profile="smoke", seed=s, device="cpu"), tmp_path / str(i), log=quiet)
            for i, s in enumerate((3, 3, 4))]
    final = [r.record["training"]["final"]["loss"] for r in runs]
    assert final[0] == final[1] and final[0] != final[2]


def test_nan_stops_the_run_and_marks_the_record_diverged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import genstudy.runs.train as runner

    def poisoned(*args, **kwargs):
        model = build(*args, **kwargs)
        with torch.no_grad():
            next(model.parameters()).view(-1)[0] = float("nan")
        return model

    monkeypatch.setattr(runner, "build", poisoned)
    run = train_run(RunParams(model="autoencoder", profile="smoke", device="cpu"), tmp_path, log=quiet)
    record = json.loads((run.directory / "record.json").read_text())
    assert record["status"] == "diverged"
    assert "loss became non-finite at step" in record["message"]
    assert record["timings"]["sample_1k_s"] is None and "weights" not in record["artifacts"]


def test_task_class_is_the_class_make_task_builds_for_every_image_model() -> None:
    for spec in SPECS:
        assert task_class(spec.family) is type(make_task(build(spec.name))), spec.name
    with pytest.raises(KeyError, match="no training task for family 'toy'; there are: gan, vae, autoencoder, dbn, rbm"):
        task_class("toy")


def test_writing_checkpoints_is_not_training_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import genstudy.training.loop as loop

    writes = []

    def slow_save(path: Path, obj: dict) -> Path:  # a disk that takes 0.2 s per checkpoint
        writes.append(obj["steps"])
        time.sleep(0.2)
        return path

    monkeypatch.setattr(loop, "save_torch", slow_save)
    task = make_task(build("autoencoder"))
    start = time.perf_counter()
    result = fit(task, torch.rand(40, 1, 28, 28), epochs=3, batch_size=10, seed=0,
                 checkpoint=tmp_path / "checkpoint.pt", checkpoint_every=2)
    wall = time.perf_counter() - start
    assert writes == [2, 4, 6, 8, 10, 12]  # every 2 steps within an epoch, and at each epoch's end
    assert result.train_s < wall - 6 * 0.2  # the 1.2 s of writing are not in it


class _Sleeper:
    """A model whose every draw of n samples takes ``seconds``; ``draws`` counts its calls."""

    device = torch.device("cpu")

    def __init__(self, seconds: float) -> None:
        self.seconds, self.draws = seconds, 0

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        self.draws += 1
        time.sleep(self.seconds)
        return torch.full((n, 1), float(self.draws))


def test_time_sampling_draws_five_times_unless_the_draws_take_the_budget() -> None:
    fast, slow, slower = _Sleeper(0.001), _Sleeper(0.04), _Sleeper(0.2)
    timing, first = time_sampling(fast, 4, torch.Generator(), repeats=5, seconds=0.1)
    assert (timing.repeats, fast.draws) == (5, 6)  # a warm-up, then 5 timed draws
    assert first.tolist() == [[2.0]] * 4  # the first timed draw's samples, not the warm-up's
    timing, _ = time_sampling(slow, 4, torch.Generator(), repeats=5, seconds=0.1)
    assert (timing.repeats, slow.draws) == (3, 4)  # 3 x 0.04 s passed 0.1 s: stop
    assert 0.04 <= timing.low <= timing.median <= timing.high
    timing, _ = time_sampling(slower, 4, torch.Generator(), repeats=5, seconds=0.1)
    assert (timing.repeats, slower.draws) == (1, 2) and timing.low == timing.median == timing.high  # timed once


def test_fit_rejects_a_batch_larger_than_the_data() -> None:
    task = make_task(build("autoencoder"))
    with pytest.raises(ValueError, match="batch_size=64 is larger than the 10 training examples"):
        fit(task, torch.rand(10, 1, 28, 28), epochs=1, batch_size=64, seed=0)


def test_record_has_every_field_the_book_needs(tmp_path: Path) -> None:
    run = train_run(RunParams(model="rbm", profile="smoke", device="cpu"), tmp_path, log=quiet)
    r = json.loads((run.directory / "record.json").read_text())
    for key in ("model", "family", "framework", "dataset", "profile", "seed", "device", "params_count", "config",
                "timings", "metrics", "versions", "git_commit", "status"):
        assert key in r, key
    assert (r["family"], r["framework"], r["status"]) == ("rbm", "pytorch", "ok")
    assert r["params_count"] == 784 * 500 + 784 + 500
    assert r["timings"]["train_s"] > 0 and r["timings"]["sample_1k_s"] > 0
    assert r["timings"]["sample_gibbs_steps"] == 100
    for artefact in r["artifacts"].values():
        assert (run.directory / artefact).is_file()


@pytest.mark.slow
def test_killing_genstudy_train_then_restarting_resumes(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "genstudy", "train", "--model", "seed_gan", "--profile", "tiny",
           "--device", "cpu", "--out", str(tmp_path), "--checkpoint-every", "1"]
    run_dir = tmp_path / "tiny" / "article_gan-fashion_mnist-seed0"  # the former name is accepted
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 240
    while not (run_dir / "checkpoint.pt").exists():
        assert proc.poll() is None, f"training ended before its first checkpoint: {proc.stdout.read()}"
        assert time.monotonic() < deadline, "no checkpoint within 4 minutes"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (run_dir / "record.json").exists()
    torch.load(run_dir / "checkpoint.pt", weights_only=True)  # whole, whenever the kill landed
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "resumed from the checkpoint at step" in again.stdout
    record = json.loads((run_dir / "record.json").read_text())
    assert record["status"] == "ok" and record["training"]["resumed_from_step"] >= 1
    assert not list(run_dir.glob(".*.tmp")), "temporaries of the killed writer were not cleaned up"


def test_a_published_run_withholds_weights_over_the_limit_from_git(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from genstudy.runs import artifacts

    monkeypatch.setattr(artifacts, "PUBLISHED_WEIGHTS_LIMIT", 100)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "small.pt").write_bytes(b"0" * 100)
    (tmp_path / "big.pt").write_bytes(b"0" * 101)
    assert artifacts.weights_artifacts(tmp_path, "small.pt", True) == {"weights": "small.pt"}
    assert artifacts.weights_artifacts(tmp_path, "big.pt", False) == {"weights": "big.pt"}
    assert not (tmp_path / ".gitignore").exists()
    assert artifacts.weights_artifacts(tmp_path, "big.pt", True) == {"weights": "big.pt", "weights_withheld": "big.pt"}

    def ignored(name: str) -> bool:
        return subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "-q", name]).returncode == 0

    assert ignored("big.pt") and not ignored("small.pt")


def test_a_finished_run_without_its_weights_is_retrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = RunParams(model="rbm", profile="smoke", device="cpu")
    first = train_run(params, tmp_path, log=quiet, sampling_repeats=1)
    said: list[str] = []
    again = train_run(params, tmp_path, log=said.append)
    assert again.result is None and "up to date" in said[-1]
    trained = weights(first.directory / "model.pt")
    (first.directory / "model.pt").unlink()  # a published run whose weights were not committed
    said.clear()
    with monkeypatch.context() as m:  # the record alone is read: no training images are loaded
        m.setattr("genstudy.runs.train.training_images", lambda *a, **k: pytest.fail("images loaded"))
        record_only = train_run(params, tmp_path, log=said.append, need_model=False)
    assert record_only.model is None and record_only.result is None and record_only.record == first.record
    shown = os.path.relpath(first.directory / "record.json")
    assert said == [f"[genstudy] rbm-fashion_mnist-seed0: up to date ({shown}; its weights are not committed), "
                    "not retrained"]
    assert not (first.directory / "model.pt").exists()
    said.clear()
    third = train_run(params, tmp_path, log=said.append, sampling_repeats=1)
    assert third.result is not None and not any("up to date" in s for s in said)
    assert torch.equal(trained["W"], weights(third.directory / "model.pt")["W"])  # the same run again


def test_a_run_of_the_same_code_is_shown_and_one_of_other_code_retrained(tmp_path: Path) -> None:
    from genstudy.runs.chapter import ModelChapter
    from genstudy.runs.record import code_digest, read_record, write_record

    made = train_run(RunParams(model="rbm", profile="smoke", device="cpu"), tmp_path, log=quiet,
                     sampling_repeats=1)  # e.g. on a GPU
    assert made.record["code"] == code_digest("rbm") and len(code_digest("rbm")) == 16
    said: list[str] = []
    chapter = ModelChapter(("rbm",), profile="smoke", results=tmp_path, log=said.append)
    shown = chapter.train()["rbm"]
    assert shown.result is None and shown.record == made.record and "not retrained" in said[-1]
    assert torch.equal(weights(made.directory / "model.pt")["W"], shown.model.W.detach())
    older = {**made.record, "code": "0123456789abcdef"}  # made by another version of the library
    write_record(made.directory, older)
    said.clear()
    again = chapter.train()["rbm"]
    assert again.result is not None and not any("up to date" in s for s in said)
    assert read_record(made.directory)["code"] == code_digest("rbm")
    write_record(made.directory, older)  # the command line's train reuses it on its configuration alone
    assert train_run(RunParams(model="rbm", profile="smoke", device="cpu"), tmp_path, log=quiet).result is None


def test_a_long_run_logs_fewer_readings_so_its_history_stays_small(monkeypatch: pytest.MonkeyPatch) -> None:
    from genstudy.models.rbm import RBM
    from genstudy.training import loop
    from genstudy.training.tasks import RBMTask

    x = torch.rand(1_000, 16, generator=torch.Generator().manual_seed(1))

    def steps_logged() -> list[int]:
        task = RBMTask(RBM(16, 8, generator=torch.Generator().manual_seed(0)))
        return [int(row["step"]) for row in fit(task, x, epochs=2, batch_size=2, seed=0, progress=False).history]

    assert steps_logged() == [50 * i for i in range(1, 21)]  # 1,000 steps: one reading per 50
    monkeypatch.setattr(loop, "MAX_LOG_ROWS", 4)  # 1,000 steps over 4 readings: one per 250, and each epoch's last
    assert steps_logged() == [250, 500, 750, 1_000]
    monkeypatch.setattr(loop, "MAX_LOG_ROWS", 3)  # one per 334, and the first epoch's last step
    assert steps_logged() == [334, 500, 668, 1_000]
