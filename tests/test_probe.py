"""Quality during training: when the loop probes, what the history holds, that probing changes
nothing the training does, and what the probe itself measures."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from genstudy.config import RunParams, get_profile
from genstudy.models import build
from genstudy.runs.evaluate import reference
from genstudy.runs.probe import QualityProbe
from genstudy.runs.train import train_run
from genstudy.training import fit, make_task


def quiet(_: str) -> None:
    pass


def _fit(probe=None, probes: int = 0):
    torch.manual_seed(0)
    task = make_task(build("autoencoder"))
    x = torch.rand(640, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    result = fit(task, x, epochs=2, batch_size=64, seed=0, log_every=7, probe=probe, probes=probes)
    return task, result


def test_probes_at_evenly_spaced_steps_and_the_last_one_with_their_time_kept_apart() -> None:
    calls = []

    def probe() -> dict[str, float]:
        calls.append(1)
        time.sleep(0.05)
        return {"fd_probe": float(len(calls))}

    _, result = _fit(probe, probes=3)  # 20 steps: before the first, every 20 // 3 = 6, and the last
    history = pd.DataFrame(result.history)
    probed = history.dropna(subset=["fd_probe"])
    assert probed["step"].tolist() == [0, 6, 12, 18, 20]
    assert probed["fd_probe"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert (probed["images_seen"] == probed["step"] * 64).all()
    assert probed["train_s"].iloc[0] == 0.0
    assert result.probe_s >= 0.25
    assert history["train_s"].is_monotonic_increasing
    assert history["train_s"].iloc[-1] == pytest.approx(result.train_s, abs=1e-3)
    assert {7, 14}.issubset(history["step"]), "the ordinary logging steps are still logged"


def test_probing_changes_nothing_the_training_does() -> None:
    plain, _ = _fit()
    probed, _ = _fit(lambda: {"fd_probe": 0.0}, probes=4)
    a, b = plain.model.state_dict(), probed.model.state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), key


@pytest.mark.parametrize("model", ["dcgan", "rbm", "autoencoder_gmm"])
def test_quality_probe_is_repeatable_and_leaves_the_model_as_it_found_it(model: str) -> None:
    torch.manual_seed(0)
    net = build(model, generator=torch.Generator().manual_seed(0), gibbs_steps=100)
    net.train()
    x = torch.rand(300, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    probe = QualityProbe(net, reference("fashion_mnist", "smoke"), x, samples=200, gibbs_steps=5, seed=7)
    first, second = probe(), probe()
    assert first == second and first["fd_probe"] > 0
    assert net.training and net.gibbs_steps == (100 if model == "rbm" else 0)


def test_a_run_records_its_quality_curve(tmp_path: Path) -> None:
    run = train_run(RunParams(model="vae_mlp", profile="smoke", device="cpu"), tmp_path, log=quiet)
    prof = get_profile("smoke")
    history = pd.read_csv(run.directory / "history.csv")
    probed = history.dropna(subset=["fd_probe"])
    assert len(probed) == prof.probes + 2  # 31 steps: before the first, every 10, and the last
    assert probed["step"].iloc[-1] == run.record["training"]["steps"]
    assert run.record["config"]["probe"] == {"points": prof.probes, "samples": prof.probe_samples,
                                             "gibbs_steps": prof.probe_gibbs_steps}
    assert run.record["timings"]["probe_s"] > 0
    assert probed["fd_probe"].iloc[-1] < probed["fd_probe"].iloc[0], "one epoch of a VAE improves its samples"


def _three_models() -> pd.DataFrame:
    """Quality curves of one run each of a GAN (a, 20 s), a VAE (b, 4 s) and an autoencoder (c, 1 s)."""
    return pd.DataFrame({
        "label": ["a"] * 3 + ["b"] * 3 + ["c"] * 2, "family": ["gan"] * 3 + ["vae"] * 3 + ["autoencoder"] * 2,
        "seed": [0] * 8, "probe": [0, 1, 2, 0, 1, 2, 0, 1], "step": [0, 5, 10, 0, 5, 10, 0, 5],
        "images_seen": [0, 5, 10, 0, 5, 10, 0, 5], "train_s": [0.0, 10.0, 20.0, 0.0, 2.0, 4.0, 0.0, 1.0],
        "fd_probe": [100.0, 50.0, 10.0, 90.0, 40.0, 30.0, 80.0, 70.0]})


def test_matched_compute_reads_each_run_at_the_shortest_models_budget(tmp_path: Path) -> None:
    from genstudy.study import report

    curves = _three_models()
    table, budget = report.matched_compute(curves)
    assert budget == 4.0, "the autoencoder's 1 s does not set the budget: its family is not compared"
    assert table.loc["a", "FD at budget ↓"] == "~80.0 (1 seed)"  # 100 + (50 - 100) * 4 / 10
    assert table.loc["b", "FD at budget ↓"] == "~30.0 (1 seed)"
    assert table.loc["c", "FD at budget ↓"] == "~70.0 (1 seed)", "past its last probe a run keeps its last FD"
    assert table.loc["a", "FD at end ↓"] == "10.0 (1 seed)" and table.loc["a", "train s at end"] == "20 s"


def test_flatness_applies_the_stated_rule_to_the_last_fifth_of_each_run() -> None:
    from genstudy.study import report

    def run(label: str, seed: int, fds: list[float]) -> pd.DataFrame:
        steps = [0, 50, 80, 100]
        return pd.DataFrame({"label": label, "family": "gan", "seed": seed, "probe": range(4), "step": steps,
                             "images_seen": steps, "train_s": steps, "fd_probe": fds})

    curves = pd.concat([run("still", 0, [500.0, 200.0, 100.0, 90.0]),     # 10% better over the last fifth
                        run("flat", 0, [500.0, 200.0, 100.0, 99.0]),      # 1%
                        run("flat", 1, [500.0, 200.0, 100.0, 100.5]),     # worse: no improvement
                        run("mixed", 0, [500.0, 200.0, 100.0, 99.0]),
                        run("mixed", 1, [500.0, 200.0, 100.0, 95.0])])    # one seed still falls
    table = report.flatness(curves)
    assert table.loc["still", "flat"] == "no" and table.loc["still", "improvement"] == "10.0%"
    assert table.loc["still", "FD, fifth before last"] == 100.0 and table.loc["still", "FD, last fifth"] == 90.0
    assert table.loc["flat", "flat"] == "yes" and table.loc["flat", "seeds"] == 2
    assert table.loc["mixed", "flat"] == "no", "every seed must have flattened"
    # Ten probes, as the full profile logs: the mean of the last two against the mean of the two before
    # (103 against 99.5: 3.4%), not the probe at 80% against the last (100 against 99: 1%).
    steps = list(range(10, 101, 10))
    ten = pd.DataFrame({"label": "ten", "family": "gan", "seed": 0, "probe": range(10), "step": steps,
                        "images_seen": steps, "train_s": steps,
                        "fd_probe": [900.0, 500, 300, 200, 150, 120, 106, 100, 100, 99]})
    row = report.flatness(ten).loc["ten"]
    assert (row["FD, fifth before last"], row["FD, last fifth"], row["improvement"], row["flat"]) == \
        (103.0, 99.5, "3.4%", "no")


def test_time_to_quality_reads_where_each_curve_first_reaches_the_worst_best() -> None:
    from genstudy.study import report

    curves = _three_models()
    seconds, target = report.time_to_quality(curves)
    assert target == 30.0, "the VAE's best; the autoencoder (not compared) does not set it"
    assert seconds[("a", 0)] == pytest.approx(10.0 + 10.0 * 20.0 / 40.0)  # 50 at 10 s, 10 at 20 s
    assert seconds[("b", 0)] == 4.0
    assert np.isnan(seconds[("c", 0)]), "a run of another family that never reached it"
    early = curves.assign(fd_probe=[20.0, 15.0, 10.0, 90.0, 40.0, 30.0, 80.0, 70.0])
    assert report.time_to_quality(early)[0][("a", 0)] == 0.0, "already there at its first probe"
    assert np.isnan(report.time_to_quality(curves.iloc[:0])[1])
    collapsed = pd.concat([curves, curves[curves["label"] == "a"].assign(label="article_gan", fd_probe=900.0)])
    assert report.time_to_quality(collapsed)[1] == 30.0, "the article's GAN sets no level"
    assert np.isnan(report.time_to_quality(collapsed)[0][("article_gan", 0)])
    table, target = report.time_to_quality_table(curves)
    assert target == 30.0 and table.loc["a", "seconds to the common FD ↓"] == "~15.00 (1 seed)"
    assert table.loc["c", "seconds to the common FD ↓"] == "not reached"


def test_the_likelihood_probe_measures_each_familys_own_quantity_on_fixed_held_out_images() -> None:
    """RBM: AIS log p(v) (equal to a direct call with the same generator); DBN: its first RBM's until the top
    has started, then the bound; VAE: the IWAE bound; a GAN: a Parzen log-density; and the same value twice."""
    from genstudy.metrics.likelihood import rbm_log_likelihood
    from genstudy.runs.evaluate import BINARIZATION_SEED
    from genstudy.runs.probe import LikelihoodProbe
    from genstudy.sampling import bernoulli

    ref = reference("fashion_mnist", "smoke")
    rbm = build("rbm", side=28, n_hidden=8, generator=torch.Generator().manual_seed(0))
    probe = LikelihoodProbe(rbm, ref, 50, seed=3, ais_steps=20, ais_chains=4)
    value = probe()["ll_probe"]
    base = bernoulli(ref.train, torch.Generator().manual_seed(BINARIZATION_SEED)).flatten(1)
    direct = rbm_log_likelihood(rbm, ref.binary_test[:50].flatten(1), base, n_chains=4, n_steps=20,
                                generator=torch.Generator().manual_seed(3)).mean
    assert value == direct == probe()["ll_probe"]
    dbn = build("dbn", side=28, hidden=[8, 6], generator=torch.Generator().manual_seed(0))
    started = {"top": False}
    dbn_probe = LikelihoodProbe(dbn, ref, 50, seed=3, ais_steps=20, ais_chains=4, top_started=lambda: started["top"])
    first = rbm_log_likelihood(dbn.rbms[0], ref.binary_test[:50].flatten(1), base, n_chains=4, n_steps=20,
                               generator=torch.Generator().manual_seed(3)).mean
    assert dbn_probe()["ll_probe"] == first
    started["top"] = True
    assert dbn_probe()["ll_probe"] != first
    vae = build("vae_iwae")
    assert -1_000 < LikelihoodProbe(vae, ref, 20, seed=3, iwae_k=5)()["ll_probe"] < 0  # a bound on binary images
    gan = build("dcgan", side=28, width=8, generator=torch.Generator().manual_seed(0))
    parzen = LikelihoodProbe(gan, ref, 20, seed=3, parzen_samples=100)()["ll_probe"]
    assert np.isfinite(parzen) and rbm.training and gan.training  # the models are put back in training mode
