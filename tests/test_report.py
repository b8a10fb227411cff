"""The comparison's tables (genstudy.study.report) and the claims' verdicts (genstudy.study.claims),
on synthetic run records whose right answers are known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from genstudy.runs.record import new_record, write_record
from genstudy.study import claims, report

CLASSES = ["a", "b"]


def _write(root: Path, run_id: str, model: str, family: str, seed: int = 0, framework: str = "pytorch",
           status: str = "ok", metrics: dict[str, Any] | None = None, sample_1k_s: float = 1.0,
           gibbs: int = 0, counts: tuple[int, int] = (50, 50), params: int = 1000) -> None:
    record = new_record(
        rid=run_id, status=status, message="" if status == "ok" else "diverged at step 7", model=model,
        family=family, framework=framework, dataset="fashion_mnist", profile="quick", seed=seed, device="cpu",
        device_name="cpu (2 threads)", params_count=params, config={},
        timings={"train_s": 10.0, "sample_1k_s": sample_1k_s, "sample_gibbs_steps": gibbs}, metrics=metrics)
    record["evaluation"] = {"class_counts": dict(zip(CLASSES, counts, strict=True)), "seconds": 2.0}
    write_record(root / "quick" / run_id, record)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    _write(tmp_path, "dcgan-s0", "dcgan", "gan", 0, metrics={"fd": 10.0, "recall": 0.2, "classes_covered": 2},
           sample_1k_s=0.5, counts=(100, 0))
    _write(tmp_path, "dcgan-s1", "dcgan", "gan", 1, metrics={"fd": 14.0, "recall": 0.4, "classes_covered": 2},
           sample_1k_s=0.5, counts=(50, 50))
    _write(tmp_path, "dcgan-s2", "dcgan", "gan", 2, status="diverged")
    _write(tmp_path, "vae-s0", "vae_mlp", "vae", 0, sample_1k_s=0.1,
           metrics={"fd": 20.0, "recall": 0.5, "log_likelihood": -250.0,
                    "log_likelihood_estimator": "IWAE bound, k=100"})
    _write(tmp_path, "rbm-s0", "rbm", "rbm", 0, sample_1k_s=30.0, gibbs=1000,
           metrics={"fd": 30.0, "recall": 0.1, "log_likelihood": -270.0, "log_likelihood_estimator": "AIS"})
    _write(tmp_path, "ae-s0", "autoencoder", "autoencoder", 0, metrics={"fd": 50.0})
    _write(tmp_path, "ae-s0-tf", "autoencoder", "autoencoder", 0, framework="tensorflow", metrics={"fd": 54.0})
    _write(tmp_path, "real", "real", "data", 0, metrics={"fd": 1.0})
    return tmp_path


def test_runs_frame_reads_every_record_in_book_order(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    assert len(frame) == 8
    assert list(dict.fromkeys(frame["family"])) == ["gan", "vae", "autoencoder", "rbm", "data"]
    assert set(frame["label"]) >= {"dcgan", "autoencoder (TF)", "real data (train vs test)"}
    assert np.isnan(frame.loc[frame["run_id"] == "ae-s0", "log_likelihood"]).all()


def test_runs_frame_of_an_empty_folder_is_empty_with_its_columns(tmp_path: Path) -> None:
    frame = report.runs_frame(tmp_path, "quick")
    assert frame.empty and {"label", "fd", "train_s", "status"} <= set(frame.columns)


def test_summary_aggregates_seeds_as_mean_and_sample_sd_and_skips_failed_runs(study: Path) -> None:
    table = report.metric_summary(report.runs_frame(study, "quick"))
    assert table.loc["dcgan", "seeds"] == 2  # the failed seed is not averaged in
    assert table.loc["dcgan", "FD ↓"] == "12.0 ± 2.8"  # sd of (10, 14) with ddof 1 = 2.83
    assert table.loc["vae_mlp", "FD ↓"] == "20.0"  # a single seed shows its value alone
    assert table.loc["vae_mlp", "KID ↓"] == ""


def test_failed_runs_are_listed_not_dropped(study: Path) -> None:
    failed = report.failed_runs(report.runs_frame(study, "quick"))
    assert list(failed.index) == ["dcgan-s2"]
    assert failed.loc["dcgan-s2", "message"] == "diverged at step 7"


def test_likelihood_table_names_the_estimator_and_never_borrows_one(study: Path) -> None:
    table = report.likelihood_table(report.runs_frame(study, "quick"))
    assert table.loc["vae_mlp", "own log-likelihood"] == "-250.0"
    assert table.loc["vae_mlp", "estimator"] == "IWAE bound, k=100"
    assert table.loc["dcgan", "own log-likelihood"] == ""
    assert table.loc["dcgan", "estimator"].startswith("none")


def test_class_shares_average_seeds_and_sum_to_one(study: Path) -> None:
    shares = report.class_shares(report.runs_frame(study, "quick"))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares.loc["dcgan", "a"] == pytest.approx(0.75)  # (100% + 50%) / 2


def test_framework_pairs_only_for_models_trained_in_both(study: Path) -> None:
    pairs = report.framework_pairs(report.runs_frame(study, "quick"))
    assert set(pairs.index.get_level_values("model")) == {"autoencoder"}
    assert pairs.loc[("autoencoder", "FD ↓"), "tensorflow"] == 54.0


def test_provenance_says_profile_seeds_device_and_run_count(study: Path) -> None:
    line = report.provenance(report.runs_frame(study, "quick"), "quick")
    assert line == "profile quick · fashion_mnist · seeds 0, 1, 2 · cpu (2 threads) · 7 runs"


# --- the claims ---------------------------------------------------------------------------------

def _verdicts(frame: pd.DataFrame, toy: pd.DataFrame | None = None) -> dict[str, str]:
    toy = toy if toy is not None else claims.toy_frame(Path("/nonexistent"), "quick")
    return {c.key: c.check(frame, toy).verdict for c in claims.CLAIMS + claims.FAQ}


def test_claims_verdicts_follow_the_measurements(study: Path) -> None:
    v = _verdicts(report.runs_frame(study, "quick"))
    assert v["better"] == claims.SUPPORTED  # GAN FD 12 beats VAE 20 and RBM 30 (no DBN run)
    assert v["efficient"] == claims.QUALIFIED  # 0.5 s: faster than the RBM, slower than the VAE
    assert v["complex"] == claims.QUALIFIED  # Gibbs for the RBM, not for the VAE
    assert v["gan-unstable"] == claims.SUPPORTED  # 2 of 10 classes covered
    assert v["faq-vae"] == claims.QUALIFIED  # GAN better FD, VAE faster
    assert v["faq-architecture"] == claims.NOT_MEASURED  # one GAN architecture only


def test_claims_flip_when_the_measurements_do(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    frame.loc[frame["family"] == "gan", "fd"] = 100.0
    frame.loc[frame["family"] == "gan", "sample_1k_s"] = 0.01
    frame.loc[frame["family"] == "gan", "classes_covered"] = 10
    v = _verdicts(frame)
    assert v["better"] == claims.REFUTED
    assert v["efficient"] == claims.SUPPORTED
    assert v["gan-unstable"] == claims.QUALIFIED  # no collapse seen, and no 2-D runs


def test_claims_without_the_runs_they_need_are_not_measured(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    v = _verdicts(frame[frame["family"] != "gan"])
    assert v["better"] == v["efficient"] == v["faq-loss"] == claims.NOT_MEASURED


def test_gan_collapse_on_the_2d_mixtures_supports_the_instability_claim(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    frame.loc[frame["family"] == "gan", "classes_covered"] = 10
    toy = pd.DataFrame([
        {"model": "gan", "mixture": "ring8", "seed": 0, "modes_captured": 3, "n_modes": 8, "high_quality": 0.9,
         "kde_ll": 0.0},
        {"model": "vae", "mixture": "ring8", "seed": 0, "modes_captured": 8, "n_modes": 8, "high_quality": 0.4,
         "kde_ll": 1.0},
    ])
    verdict = claims.check_gan_unstable(frame, toy)
    assert verdict.verdict == claims.SUPPORTED and "ring8: GAN captured 3/8 modes, VAE 8/8" in verdict.evidence


def test_check_claims_has_one_row_per_claim_with_a_known_verdict(study: Path) -> None:
    table = claims.check_claims(claims.CLAIMS, report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    # The fixture's known answers: the GAN has the best FD (12 against 20 and 30); it samples slower
    # than the VAE (0.5 s against 0.1 s) and faster than the RBM (30 s); only the RBM needs a chain;
    # every family's smallest model has 1,000 parameters; nothing measures interpretability.
    assert list(table["verdict"]) == [
        claims.REFUTED,       # two kinds: every family is a generative model
        claims.SUPPORTED,     # better: best FD is the GAN's
        claims.QUALIFIED,     # efficient: faster than the RBM, not than the VAE
        claims.QUALIFIED,     # density: the likelihood families use bounds; the GAN learns p_g implicitly
        claims.QUALIFIED,     # complex: true of the RBM, false of the VAE
        claims.SUPPORTED,     # unstable: the GAN covers 2 of 10 classes
        claims.REFUTED,       # model complexity: equal sizes
        claims.QUALIFIED,     # inefficient: the RBM is slower than the GAN, the VAE is not
        claims.NOT_MEASURED,  # interpretability
    ]
    assert {"§1", "§2.3", "§5.1", "§5.2"} <= set(table["section"])
    faq = claims.check_claims(claims.FAQ, report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    assert list(faq["section"]) == ["§6 Q1", "§6 Q2", "§6 Q3", "§6 Q4"]  # every question of the FAQ


def test_complexity_compares_the_smallest_model_of_each_family(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    assert claims.check_classic_complex(frame, claims.toy_frame(study, "quick")).verdict == claims.REFUTED  # all equal
    frame.loc[frame["family"] == "vae", "params"] = 5_000
    frame.loc[frame["family"] == "rbm", "params"] = 500
    verdict = claims.check_classic_complex(frame, claims.toy_frame(study, "quick"))
    assert verdict.verdict == claims.QUALIFIED
    assert verdict.evidence.startswith("larger than the smallest GAN: VAE; smaller: RBM:")


def test_a_gan_that_varies_more_across_seeds_supports_the_instability_claim(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    frame.loc[frame["family"] == "gan", "classes_covered"] = 10  # no collapse
    empty = claims.toy_frame(study, "quick")
    assert claims.check_gan_unstable(frame, empty).verdict == claims.QUALIFIED  # no other family has 2 seeds
    steady = frame[frame["run_id"] == "vae-s0"].assign(run_id="vae-s1", seed=1, fd=20.5)
    frame = pd.concat([frame, steady], ignore_index=True)
    verdict = claims.check_gan_unstable(frame, empty)
    assert verdict.verdict == claims.SUPPORTED  # GAN sd/mean 0.24 (FD 10, 14) against VAE 0.02 (20, 20.5)
    assert "FD spread over seeds (sd/mean): GAN 0.24, VAE 0.02" in verdict.evidence


def test_interpretability_is_declared_unmeasured_never_decided(study: Path) -> None:
    verdict = claims.check_interpretability(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    assert verdict.verdict == claims.NOT_MEASURED and "no measure of interpretability" in verdict.evidence
