"""The feature classifier's contract, and evaluation end to end: metrics in every record."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from genstudy.config import RunParams, get_profile
from genstudy.data import load_images, pad, to_tensor
from genstudy.data.sources import MNIST, locate
from genstudy.errors import DatasetError, GenstudyError
from genstudy.hashing import sha256_file
from genstudy.metrics import classifier as clf
from genstudy.models import build
from genstudy.runs.classifier import train_classifier
from genstudy.runs.evaluate import evaluate_run, image_metrics, likelihood_metrics, real_baseline, reference
from genstudy.runs.train import train_run
from genstudy.study.tables import class_counts_table, metrics_table

EXPECTED_METRICS = {"fd", "kid", "kid_std", "precision", "recall", "density", "coverage", "class_kl",
                    "classes_covered", "parzen_ll", "parzen_sem"}


# --- the feature classifier -------------------------------------------------------------------


def test_committed_weights_match_their_sha256() -> None:
    cards = clf.read_manifest()
    assert set(cards) == {"fashion_mnist", "fashion_mnist-second", "digits", "mnist"}
    for card in cards.values():
        assert sha256_file(clf.WEIGHTS_DIR / card.file) == card.sha256


def test_the_second_classifier_is_an_independent_embedding(fashion_dir: Path) -> None:
    first, second = clf.read_manifest()["fashion_mnist"], clf.read_manifest()["fashion_mnist-second"]
    assert second.seed != first.seed and second.sha256 != first.sha256 and "--second" in second.command
    ds = load_images("fashion_mnist")
    model = clf.load_classifier("fashion_mnist", second=True)
    assert clf.accuracy(model, to_tensor(ds.test.images[:2000]), torch.from_numpy(ds.test.labels[:2000])) > 0.87
    with pytest.raises(GenstudyError, match="--second"):
        clf.load_classifier("digits", second=True)


@pytest.mark.parametrize(("dataset", "minimum"), [("fashion_mnist", 0.90), ("digits", 0.95), ("mnist", 0.99)])
def test_classifier_test_accuracy(dataset: str, minimum: float, fashion_dir: Path) -> None:
    if dataset == "mnist":
        try:
            locate(MNIST, allow_download=False)
        except DatasetError as exc:
            pytest.skip(f"MNIST is not installed here (make setup fetches it): {exc}")
    ds = load_images(dataset)
    model = clf.load_classifier(dataset)
    acc = clf.accuracy(model, to_tensor(ds.test.images), torch.from_numpy(ds.test.labels))
    assert acc >= minimum
    assert acc == pytest.approx(clf.read_manifest()[dataset].test_accuracy, abs=1e-4)


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    shutil.copytree(clf.WEIGHTS_DIR, tmp_path / "w")
    manifest = tmp_path / "w" / "manifest.json"
    manifest.write_text(json.dumps({k: v for k, v in json.loads(manifest.read_text()).items() if k != "mnist"}))
    path = tmp_path / "w" / "digits.pt"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(GenstudyError, match=r"SHA-256 .* does not match"):
        clf.load_classifier("digits", directory=tmp_path / "w")
    with pytest.raises(GenstudyError, match="genstudy classifier train --dataset mnist"):
        clf.load_classifier("mnist", directory=tmp_path / "w")


def test_padded_images_give_the_features_of_the_originals(fashion_dir: Path) -> None:
    model = clf.load_classifier("fashion_mnist")
    x = to_tensor(load_images("fashion_mnist").test.images[:50])
    torch.testing.assert_close(model(pad(x, 32)), model(x))


def test_training_script_writes_a_verifiable_card(tmp_path: Path) -> None:
    card = train_classifier("digits", epochs=1, out=tmp_path, log=lambda _: None)
    assert json.loads((tmp_path / "manifest.json").read_text())["digits"]["sha256"] == card.sha256
    model = clf.load_classifier("digits", directory=tmp_path)
    assert model.num_features == clf.FEATURE_DIM and not model.training


# --- image metrics on real data -------------------------------------------------------------


def test_the_reference_against_itself_and_against_noise(fashion_dir: Path) -> None:
    ref = reference("fashion_mnist", "smoke")
    same, _ = image_metrics(ref.test, ref)
    assert abs(same["fd"]) < 1e-6 and same["precision"] == same["recall"] == same["coverage"] == 1.0
    assert same["class_kl"] < 0.01 and same["classes_covered"] == 10
    noise, details = image_metrics(torch.rand(500, 1, 28, 28, generator=torch.Generator().manual_seed(0)), ref)
    assert noise["fd"] > 100 and noise["recall"] == 0.0 and noise["coverage"] < 0.05 and noise["density"] < 0.5
    assert noise["parzen_ll"] < same["parzen_ll"] - 500
    assert sum(details["class_counts"].values()) == 500
    # Blank images fool k-NN precision (one real outlier's huge ball swallows them), the weakness
    # that motivated density and coverage (Naeem et al. 2020); coverage and the classes are not fooled.
    blank, _ = image_metrics(torch.zeros(500, 1, 28, 28), ref)
    assert blank["precision"] > 0.9 and blank["coverage"] < 0.05 and blank["classes_covered"] == 1


def test_real_baseline_is_close_to_perfect_and_cached(tmp_path: Path, fashion_dir: Path) -> None:
    base = real_baseline("fashion_mnist", "smoke", tmp_path)
    m = base["metrics"]
    assert m["precision"] > 0.8 and m["recall"] > 0.8 and m["classes_covered"] == 10 and m["fd"] < 50
    assert base["evaluation"]["samples"] == get_profile("smoke").eval_samples
    path = tmp_path / "smoke" / "real-fashion_mnist" / "record.json"
    assert real_baseline("fashion_mnist", "smoke", tmp_path) == json.loads(path.read_text())
    # Measured with other evaluation settings, the stored baseline is stale and measured again.
    stale = json.loads(path.read_text())
    stale["evaluation"]["settings"]["eval_samples"] = 123
    stale["metrics"]["fd"] = -1.0
    path.write_text(json.dumps(stale))
    again = real_baseline("fashion_mnist", "smoke", tmp_path)
    assert again["metrics"] == m and again["evaluation"]["settings"] == base["evaluation"]["settings"]


# --- evaluate_run end to end ------------------------------------------------------------------


@pytest.mark.parametrize("model", ["vae_mlp", "rbm"])
def test_evaluate_run_fills_the_record_reproducibly(model: str, tmp_path: Path, fashion_dir: Path) -> None:
    run = train_run(RunParams(model=model, profile="smoke", device="cpu"), tmp_path, log=lambda _: None)
    first = evaluate_run(run.directory, log=lambda _: None)
    assert first["evaluation"]["seconds"] > 0 and first["evaluation"]["drawing_seconds"] > 0  # scoring, drawing
    assert EXPECTED_METRICS | {"log_likelihood_estimator", "fd_second", "nn_ratio", "copies"} <= set(first["metrics"])
    on_disk = json.loads((run.directory / "record.json").read_text())
    assert on_disk["metrics"] == first["metrics"] and on_disk["training"] == run.record["training"]
    guard = first["evaluation"]["likelihood_guard"]
    ll = guard["value"]
    assert -784 * 0.7 < ll < guard["ceiling"] < 0  # nats per binary 28x28 image, above the uniform model's −543
    if guard["passed"]:
        assert first["metrics"]["log_likelihood"] == pytest.approx(ll, abs=1e-5)
        assert first["metrics"]["log_likelihood_train"] > ll - 5  # no large overfit after one smoke epoch
    else:  # the smoke RBM's 32 AIS chains are too few: withheld, the table says why
        assert "log_likelihood" not in first["metrics"] and guard["reasons"]
        assert metrics_table([first]).loc[model, "log-likelihood"].startswith("unreliable: ")
    messages: list[str] = []
    assert evaluate_run(run.directory, log=messages.append) == first and "up to date" in messages[0]
    assert evaluate_run(run.directory, force=True, log=lambda _: None)["metrics"] == first["metrics"]
    table = metrics_table([first])
    assert table.loc[model, "FD ↓"] == first["metrics"]["fd"]
    assert class_counts_table([first]).loc[model].sum() == get_profile("smoke").eval_samples


def test_evaluate_refuses_what_it_cannot_evaluate(tmp_path: Path) -> None:
    with pytest.raises(GenstudyError, match=r"no record\.json"):
        evaluate_run(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "genstudy", "evaluate", str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stderr.startswith("genstudy: error:") and "no record.json" in proc.stderr


def test_a_grey_level_vae_is_measured_in_bits_per_dimension_of_the_dequantized_images(fashion_dir: Path) -> None:
    ref = reference("fashion_mnist", "smoke")
    model = build("vae_dcgan", width=8)
    metrics, details = likelihood_metrics(model, ref, torch.Generator().manual_seed(3))
    again, _ = likelihood_metrics(model, ref, torch.Generator().manual_seed(3))
    dims = 28 * 28
    assert again == metrics and "log_likelihood" not in metrics and "elbo" not in metrics
    assert "dequantized 8-bit levels" in metrics["log_likelihood_estimator"]
    guard = details["likelihood_guard"]  # the discrete images' log-probability, nats: at most 0
    assert guard["value"] == pytest.approx(details["dequantized_log_density"] - dims * math.log(256))
    assert guard["passed"] and guard["value"] < 0
    assert metrics["bits_per_dim"] == pytest.approx(-guard["value"] / (dims * math.log(2)))
    assert metrics["bits_per_dim"] > 0


def test_a_probed_run_is_also_measured_on_the_probes_own_images(fashion_dir: Path) -> None:
    """With ``probe_size`` the final estimate is repeated on the first images, with the same log Z: on all
    of them it is the log-likelihood itself; on ten, their mean −F(v) − log Z. Without, no such number."""
    ref = reference("fashion_mnist", "smoke")
    model = build("rbm", n_hidden=16, generator=torch.Generator().manual_seed(0))
    n = len(ref.binary_test)
    every, details = likelihood_metrics(model, ref, torch.Generator().manual_seed(3), probe_size=n)
    assert every["log_likelihood_probe_set"] == pytest.approx(every["log_likelihood"], abs=1e-9)
    ten, details = likelihood_metrics(model, ref, torch.Generator().manual_seed(3), probe_size=10)
    with torch.no_grad():
        neg_f = float((-model.free_energy(ref.binary_test[:10].flatten(1))).double().mean())
    expected = neg_f - details["ais"]["log_z"]
    assert ten["log_likelihood_probe_set"] == pytest.approx(expected, abs=1e-9)
    assert "log_likelihood_probe_set" not in likelihood_metrics(model, ref, torch.Generator().manual_seed(3))[0]
    dbn, _ = likelihood_metrics(build("dbn", hidden=[16, 8]), ref, torch.Generator().manual_seed(3), probe_size=10)
    assert math.isfinite(dbn["log_likelihood_probe_set"])


def test_a_tempered_evaluation_keeps_the_samples_it_scored(tmp_path: Path, fashion_dir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the profile samples an RBM by parallel tempering, its run's own samples (Gibbs chains after training)
    are not the ones scored: the evaluation keeps the first 64 scored ones, and a chapter shows those."""
    import dataclasses

    import numpy as np

    from genstudy import config
    from genstudy.runs.artifacts import OWN_SAMPLES, SCORED, SCORED_SAMPLES, shown_samples

    run = train_run(RunParams(model="rbm", profile="tiny", device="cpu"), tmp_path, log=lambda _: None)
    assert shown_samples(run.directory, run.record)[1] == OWN_SAMPLES
    tempering = config.Tempering(temperatures=3, chains=20, burn_in=5, thinning=2)
    monkeypatch.setitem(config.PROFILES, "tiny", dataclasses.replace(config.PROFILES["tiny"], tempering=tempering))
    record = evaluate_run(run.directory, log=lambda _: None)
    assert record["artifacts"]["scored_samples_npy"] == SCORED_SAMPLES
    assert record["evaluation"]["settings"]["tempering"] == dataclasses.asdict(tempering)
    images, which = shown_samples(run.directory, record)
    assert which == SCORED and images.shape == (64, 28, 28) and images.dtype == np.uint8
    assert not np.array_equal(images, np.load(run.directory / "samples.npy")[:64])
