"""The comparison's tables (genstudy.study.report) and the claims' verdicts (genstudy.study.claims),
on synthetic run records whose right answers are known."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from genstudy.machine import describe_cpu
from genstudy.metrics.catalog import info
from genstudy.runs import timing
from genstudy.runs.record import git_commit, new_record, write_record
from genstudy.study import claims, findings, report
from genstudy.study import compare as cmp

CLASSES = ["a", "b"]


def _write(root: Path, run_id: str, model: str, family: str, seed: int = 0, framework: str = "pytorch",
           status: str = "ok", metrics: dict[str, Any] | None = None, sample_1k_s: float = 1.0,
           gibbs: int = 0, counts: tuple[int, int] = (50, 50), params: int = 1000) -> None:
    record = new_record(
        rid=run_id, status=status, message="" if status == "ok" else "diverged at step 7", model=model,
        family=family, framework=framework, dataset="fashion_mnist", profile="quick", seed=seed, device="cpu",
        device_name="cpu (2 threads)", params_count=params, config={"model_options": {}},
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
    assert table.loc["vae_mlp", report.BINARIZED_COLUMN] == "-250.0"
    assert table.loc["vae_mlp", "estimator"] == "IWAE bound, k=100"
    assert table.loc["dcgan", report.BINARIZED_COLUMN] == ""
    assert table.loc["dcgan", "estimator"].startswith("none")


def test_a_continuous_density_stands_in_its_own_column_never_beside_binarized_nats(study: Path) -> None:
    _write(study, "vae-dcgan-s0", "vae_dcgan", "vae", 0, metrics={
        "fd": 40.0, "log_likelihood": 917.5, "log_likelihood_train": 966.5,
        "log_likelihood_estimator": "IWAE bound, k=1000 (continuous [0,1])"})
    table = report.likelihood_table(report.runs_frame(study, "quick"))
    assert table.loc["vae_dcgan", report.CONTINUOUS_COLUMN] == "917.5"
    row = table.loc["vae_dcgan"]
    assert row[report.BINARIZED_COLUMN] == row["train − test, binarized nats"] == ""
    assert table.loc["vae_mlp", report.CONTINUOUS_COLUMN] == ""


def test_class_shares_average_seeds_and_sum_to_one(study: Path) -> None:
    shares = report.class_shares(report.runs_frame(study, "quick"))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares.loc["dcgan", "a"] == pytest.approx(0.75)  # (100% + 50%) / 2


def test_framework_pairs_only_for_models_trained_in_both(study: Path) -> None:
    pairs = report.framework_pairs(report.runs_frame(study, "quick"))
    assert set(pairs.index.get_level_values("model")) == {"autoencoder"}
    assert pairs.loc[("autoencoder", "FD ↓"), "tensorflow"] == 54.0


def test_provenance_says_profile_seeds_device_and_run_count(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    commit = report.short_commit(git_commit())
    line = report.provenance(frame, "quick")
    assert line == f"profile quick · fashion_mnist · seeds 0, 1, 2 · cpu (2 threads) · 7 runs · commit {commit}"
    frame.loc[0, "commit"] = "0123456789abcdef+dirty"
    assert report.provenance(frame, "quick").endswith(f" · 7 runs · commits 0123456+dirty, {commit}")
    assert report.short_commit(None) == "unknown"


# --- the claims ---------------------------------------------------------------------------------

GOOD = {"fd": 10.0, "kid": 1.0, "precision": 0.80, "recall": 0.60, "coverage": 0.70, "classes_covered": 10,
        "nn_ratio": 1.0, "copies": 0.01}
POOR = {"fd": 30.0, "kid": 3.0, "precision": 0.50, "recall": 0.40, "coverage": 0.40, "classes_covered": 10,
        "nn_ratio": 1.1, "copies": 0.0}


def _three_seeds(root: Path, rbm_recall: float = 0.40) -> pd.DataFrame:
    """GAN family (DCGAN), VAE and RBM with 3 seeds each, plus the article's GAN: the GAN is better
    on every yardstick against the VAE; against the RBM too, unless ``rbm_recall`` is high."""
    for seed, jitter in enumerate((0.0, 0.5, 1.0)):
        _write(root, f"dcgan-s{seed}", "dcgan", "gan", seed, sample_1k_s=0.5 + jitter / 10,
               metrics={**GOOD, "fd": GOOD["fd"] + jitter})
        _write(root, f"vae-s{seed}", "vae_mlp", "vae", seed, sample_1k_s=0.1,
               metrics={**POOR, "fd": POOR["fd"] + jitter, "log_likelihood": -250.0 - jitter,
                        "log_likelihood_train": -249.0 - jitter, "log_likelihood_estimator": "IWAE bound"})
        _write(root, f"rbm-s{seed}", "rbm", "rbm", seed, sample_1k_s=30.0 + jitter, gibbs=1000,
               metrics={**POOR, "recall": rbm_recall, "fd": POOR["fd"] + 2 * jitter})
        _write(root, f"article-s{seed}", "article_gan", "gan", seed, metrics={**POOR, "fd": 900.0 + jitter,
                                                                            "classes_covered": 1})
    return report.runs_frame(root, "quick")


def _verdicts(frame: pd.DataFrame, toy: pd.DataFrame | None = None) -> dict[str, str]:
    toy = toy if toy is not None else claims.toy_frame(Path("/nonexistent"), "quick")
    return {c.key: c.check(frame, toy).verdict for c in claims.CLAIMS + claims.FAQ}


def test_band_reading_on_known_cases() -> None:
    assert cmp.read_interval(0.2, 0.5, 0.1) == cmp.BETTER
    assert cmp.read_interval(-0.5, -0.2, 0.1) == cmp.WORSE
    assert cmp.read_interval(-0.05, 0.08, 0.1) == cmp.SAME
    assert cmp.read_interval(-0.05, 0.3, 0.1) == cmp.UNDECIDED


def test_compare_uses_the_metric_direction_and_band_and_needs_three_seeds() -> None:
    low_fd, high_fd = pd.Series([10.0, 10.5, 11.0]), pd.Series([30.0, 30.5, 31.0])
    c = cmp.compare(low_fd, high_fd, "fd", ("gan", "vae"))
    assert c.outcome == cmp.BETTER and c.gain == pytest.approx(20.0) and c.band == pytest.approx(3.05)
    assert cmp.compare(high_fd, low_fd, "fd").outcome == cmp.WORSE
    tight = pd.Series([10.0, 10.1, 10.2])
    assert cmp.compare(tight, tight * 1.01, "fd").outcome == cmp.SAME  # within 10%
    assert cmp.compare(low_fd, low_fd * 1.01, "fd").outcome == cmp.UNDECIDED  # 3 spread seeds: the interval is wide
    recall = cmp.compare(pd.Series([0.6, 0.6, 0.6]), pd.Series([0.4, 0.4, 0.4]), "recall")
    assert recall.outcome == cmp.BETTER and recall.band == 0.02  # higher is better, an absolute band
    few = cmp.compare(low_fd[:2], high_fd, "fd")
    assert few.outcome == cmp.FEW_SEEDS and few.text() == "fd: not enough seeds (2 and 3; needs 3)"


def test_with_one_seed_no_comparative_verdict_is_given(study: Path) -> None:
    v = _verdicts(report.runs_frame(study, "quick"))
    assert v["better"] == v["efficient"] == v["effective"] == v["faq-vae"] == claims.NOT_ENOUGH_SEEDS
    assert v["gan-unstable"] == claims.NOT_ENOUGH_SEEDS
    assert v["complex"] == claims.QUALIFIED  # analytic: Gibbs for the RBM, not for the VAE


def test_families_with_three_seeds_get_verdicts_with_intervals(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    v = _verdicts(frame)
    assert v["better"] == v["effective"] == claims.SUPPORTED  # every yardstick, against VAE and RBM
    assert v["efficient"] == claims.QUALIFIED  # faster than the RBM, slower than the VAE
    assert v["article-gan"] == claims.REFUTED  # the article's GAN is worse than DCGAN on every yardstick
    evidence = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick")).evidence
    assert "GAN vs VAE (supported): fd 10.5 vs 30.5, gain 20.0 [" in evidence and "(band ±3.1): better" in evidence
    table = claims.comparison_table(frame)
    assert set(table["outcome"]) <= {cmp.BETTER, cmp.WORSE, cmp.SAME, cmp.UNDECIDED}
    assert len(table) == 2 * 5 + 2 + 5  # GAN vs VAE, RBM on 5 yardsticks; 2 timings; the article's GAN on 5


def test_yardsticks_that_disagree_make_the_verdict_qualified_and_say_so(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path, rbm_recall=0.9)
    verdict = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED
    assert "GAN vs RBM (qualified)" in verdict.evidence and "recall 0.600 vs 0.900" in verdict.evidence
    assert "worse" in verdict.evidence and "GAN vs VAE (supported)" in verdict.evidence


def test_equal_families_refute_better(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    for key, value in GOOD.items():
        frame.loc[frame["family"].isin(["gan", "vae", "rbm"]), key] = value
    assert claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick")).verdict == claims.REFUTED


def test_timings_of_another_device_are_left_out(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    gpu = frame[frame["family"] == "rbm"].assign(device="cuda (H100)", sample_1k_s=0.001, run_id="x")
    verdict = claims.check_gan_more_efficient(pd.concat([frame, gpu], ignore_index=True),
                                              claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED
    assert f"(3 runs on other devices or machines left out; the machine kept: {describe_cpu()})" in verdict.evidence


@pytest.mark.parametrize("machine", ["Intel(R) Xeon(R) Platinum 8481C; AVX-512; kernels capped at avx2", ""])
def test_timings_of_another_machine_under_the_same_device_name_are_left_out(tmp_path: Path, machine: str) -> None:
    frame = _three_seeds(tmp_path)
    assert set(frame["machine"]) == {describe_cpu()}
    other = frame[frame["family"] == "rbm"].assign(machine=machine, sample_1k_s=0.001, run_id="x")
    mixed = pd.concat([frame, other], ignore_index=True)
    kept, note = claims.one_device(mixed)
    assert len(kept) == len(frame) and set(kept["machine"]) == {describe_cpu()}
    assert note == (f"timings on cpu (2 threads) only (3 runs on other devices or machines left out; "
                    f"the machine kept: {describe_cpu()})")
    assert claims.one_device(frame)[1] == "timings on cpu (2 threads) only"
    old = frame.assign(machine="")  # records made before machines were recorded compare among themselves
    kept_old, note_old = claims.one_device(old)
    assert len(kept_old) == len(old) and note_old == "timings on cpu (2 threads) only"
    two_sessions = old.assign(commit=["a" * 40 if i % 2 else "b" * 39 + "c+dirty" for i in range(len(old))])
    kept_two, note_two = claims.one_device(two_sessions)
    assert len(kept_two) == len(old)
    assert note_two == ("timings on cpu (2 threads) only; their machine was not recorded and they were made by 2 "
                        "commits (aaaaaaa, bbbbbbb+dirty), so possibly on different machines; "
                        + claims.speeds_across_commits(two_sessions))
    recorded = frame.assign(commit=two_sessions["commit"])  # a recorded machine needs no commit to tell it
    assert claims.one_device(recorded)[1] == "timings on cpu (2 threads) only"


def test_speeds_across_commits_compare_one_model_trained_under_each() -> None:
    a, b = "a" * 40, "b" * 39 + "c+dirty"
    runs = pd.DataFrame({"model": ["rbm", "rbm", "rbm", "dbn", "dbn", "vae_mlp"],
                         "commit": [a, b, b, b, b, a],
                         "train_s": [57.1, 53.7, 51.4, 42.0, np.nan, 9.0]})
    assert claims.speeds_across_commits(runs) == (
        "rbm took 57.1 s under aaaaaaa and 51.4–53.7 s under bbbbbbb+dirty (slowest to fastest median 1.09), "
        "against timings' no-difference band of ±10% (of this model only: a machine's speed differs by model)")
    two = runs.assign(model=["rbm", "rbm", "rbm", "dbn", "dbn", "dbn"], train_s=[57.1, 53.7, 51.4, 42.0, 42.0, 84.0])
    assert claims.speeds_across_commits(two) == (
        "rbm took 57.1 s under aaaaaaa and 51.4–53.7 s under bbbbbbb+dirty (slowest to fastest median 1.09); "
        "dbn took 84 s under aaaaaaa and 42 s under bbbbbbb+dirty (slowest to fastest median 2.00), "
        "against timings' no-difference band of ±10% (of these models only: a machine's speed differs by model)")
    apart = runs.assign(model=["rbm", "dbn", "dbn", "dbn", "dbn", "vae_mlp"])
    assert claims.speeds_across_commits(apart) == (
        "no model was trained under more than one of them, so their speeds cannot be compared")


def _d_curves(frame: pd.DataFrame, accuracy: np.ndarray) -> None:
    """Every DCGAN run's history logs D's outputs whose accuracy follows ``accuracy``."""
    for r in frame[frame["model"] == "dcgan"].itertuples():
        pd.DataFrame({"step": np.arange(len(accuracy)), "d_real": accuracy, "d_fake": 1 - accuracy}).to_csv(
            Path(r.dir) / "history.csv", index=False)


def test_discriminator_accuracy_is_read_as_a_trend_over_the_whole_curve(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    empty = claims.toy_frame(tmp_path, "quick")
    _d_curves(frame, np.linspace(0.6, 0.9, 40))  # rises from start to end
    assert claims.check_discriminator_accuracy(frame, empty).verdict == claims.SUPPORTED
    _d_curves(frame, np.linspace(0.9, 0.6, 40))  # falls towards ½ all along
    falling = claims.check_discriminator_accuracy(frame, empty)
    assert falling.verdict == claims.REFUTED and "falls over the whole of training" in falling.evidence
    # falls for three tenths, then rises: the first and last fifths alone (the old rule) would read "supported"
    dip = np.concatenate([np.linspace(0.80, 0.71, 12), np.linspace(0.71, 0.83, 28)])
    _d_curves(frame, dip)
    read = claims.check_discriminator_accuracy(frame, empty)
    assert read.verdict == claims.QUALIFIED and "rises from tenth 4" in read.headline
    assert "0.80 → 0.77 → 0.73 → 0.82" not in read.headline and read.headline.startswith("D's accuracy by tenth 0.79")


def test_the_trend_reader_on_exact_values() -> None:
    assert claims.trend_from(np.arange(10.0)) == 0
    assert claims.trend_from(np.arange(10.0)[::-1]) is None
    assert claims.trend_from(np.arange(10.0)[::-1], "less") == 0
    assert claims.trend_from(np.array([5, 4, 3, 2, 1, 2, 3, 4, 5, 6.0])) == 4  # from the trough on
    assert claims.trend_from(np.ones(10)) is None  # flat: no trend either way
    assert claims.trend_from(np.array([1, 2, 3.0])) is None  # too short to read
    means = claims.part_means(pd.Series(np.arange(20.0)))
    assert means is not None and list(means) == [0.5 + 2 * i for i in range(10)]
    assert claims.part_means(pd.Series(np.arange(9.0))) is None
    short = pd.DataFrame({"d_real": [0.9] * 5, "d_fake": [0.1] * 5})
    assert claims.discriminator_accuracy(short).iloc[0] == pytest.approx(0.9)
    probed = pd.DataFrame({"d_real": [np.nan, 0.9, 0.8], "d_fake": [np.nan, 0.1, 0.2], "fd_probe": [500.0, np.nan, 1]})
    assert list(claims.discriminator_readings(probed)) == pytest.approx([0.9, 0.8])  # a probe's row logs no D


def test_instability_counts_failures_spread_and_mode_collapse(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    empty = claims.toy_frame(tmp_path, "quick")
    # the article's GAN covers 1/10 classes on every seed: one signal, so qualified
    one = claims.check_gan_unstable(frame, empty)
    assert one.verdict == claims.QUALIFIED and "the article's GAN collapses on every seed" in one.evidence
    frame.loc[frame["model"] == "dcgan", "fd"] = 10.0
    frame.loc[frame["model"] == "article_gan", "classes_covered"] = 10
    steady = claims.check_gan_unstable(frame, empty)
    assert steady.verdict == claims.REFUTED and "FD spread over seeds (sd/mean): GAN 0.00, VAE 0.02, RBM 0.03" \
        in steady.evidence
    toy = pd.DataFrame({"model": ["gan"] * 3 + ["vae"] * 3, "mixture": ["grid25"] * 6, "seed": [0, 1, 2] * 2,
                        "modes_captured": [8, 9, 7, 25, 25, 25], "n_modes": [25] * 6,
                        "high_quality": [0.9] * 6, "kde_ll": [0.0] * 6})
    frame.loc[frame["model"] == "article_gan", "classes_covered"] = 2
    collapsed = claims.check_gan_unstable(frame, toy)  # two signals: 2-D collapse and the article's GAN
    assert collapsed.verdict == claims.SUPPORTED and "mode collapse on grid25" in collapsed.evidence
    assert "2-D modes grid25 GAN 8/25, VAE 25/25" in collapsed.headline
    _write(tmp_path, "dcgan-s3", "dcgan", "gan", 3, status="diverged")
    assert claims.check_gan_unstable(report.runs_frame(tmp_path, "quick"), empty).verdict == claims.SUPPORTED


def test_generalisation_reads_the_gap_in_one_unit_and_copying_and_names_samples_off_the_manifold(
        tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    empty = claims.toy_frame(tmp_path, "quick")
    fresh = claims.check_generalisation(frame, empty)  # VAE gap 1.0 nat exactly: not above the band
    assert fresh.verdict == claims.REFUTED and "VAE 1.0 [1.0, 1.0]" in fresh.evidence
    frame.loc[frame["family"] == "vae", "log_likelihood_train"] += 5.0  # a 6-nat gap
    gapped = claims.check_generalisation(frame, empty)
    assert gapped.verdict == claims.QUALIFIED and gapped.evidence.startswith("a challenge for VAE; not for GAN, RBM")
    continuous = frame.assign(log_likelihood_estimator=frame["log_likelihood_estimator"].replace(
        "IWAE bound", "IWAE bound (continuous [0,1])"))
    assert claims.check_generalisation(continuous, empty).verdict == claims.REFUTED  # not in binarized nats
    frame.loc[frame["family"] == "rbm", ["nn_ratio", "copies"]] = (0.1, 0.9)
    frame.loc[frame["family"] == "gan", "nn_ratio"] = 1.5
    copied = claims.check_generalisation(frame, empty)
    assert copied.evidence.startswith("a challenge for VAE, RBM; not for GAN")
    assert "samples off the data's manifold (ratio above 1.2), which say nothing of generalisation: GAN 1.50" \
        in copied.evidence


def test_precision_above_the_real_datas_own_is_a_collapse_signal_not_a_win(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    toy = claims.toy_frame(tmp_path, "quick")
    frame.loc[frame["family"] == "rbm", "precision"] = 0.99  # collapsed onto the densest region
    without_real = claims.check_gan_better_quality(frame, toy)  # no baseline: the RBM's 0.99 wins on precision
    assert "GAN vs RBM (qualified)" in without_real.evidence and "precision 0.800 vs 0.990" in without_real.evidence
    _write(tmp_path, "real", "real", "data", 0, metrics={**GOOD, "precision": 0.85})
    with_real = report.runs_frame(tmp_path, "quick")
    with_real.loc[with_real["family"] == "rbm", "precision"] = 0.99
    verdict = claims.check_gan_better_quality(with_real, toy)
    assert "precision above the real images' own 0.850 (a collapse signal: a comparison with it is left out): " \
           "RBM 0.990" in verdict.evidence
    assert "GAN vs RBM (supported)" in verdict.evidence and "(band ±0.020): collapse signal" in verdict.evidence
    assert verdict.verdict == claims.SUPPORTED  # the other four yardsticks decide


def test_check_claims_has_one_row_per_claim_with_its_basis(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    table = claims.check_claims(claims.CLAIMS, frame, claims.toy_frame(tmp_path, "quick"))
    assert len(table) == len(claims.CLAIMS) and set(table["basis"]) == {claims.MEASURED, claims.ANALYTIC}
    analytic = table[table["basis"] == claims.ANALYTIC]
    assert {"§1"} <= set(analytic["section"]) and (table["verdict"] != "").all()
    quote = table["the article (原文)"]
    assert table.loc[quote.str.contains("一种新兴的生成模型"), "verdict"].item() == claims.SUPPORTED
    assert table.loc[quote.str.contains("两种不同"), "verdict"].item() == claims.REFUTED
    assert "contradicts itself" in table.loc[quote.str.contains("两种不同"), "evidence"].item()
    assert len(table[table["in English"].str.contains("高效 read as")]) == 2  # both readings of 高效
    faq = claims.check_claims(claims.FAQ, frame, claims.toy_frame(tmp_path, "quick"))
    assert list(faq["section"]) == ["§6 Q1", "§6 Q2", "§6 Q3", "§6 Q4"]  # every question of the FAQ


def test_complexity_is_declared_unmeasured(study: Path) -> None:
    verdict = claims.check_classic_complex(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    assert verdict.verdict == claims.NOT_MEASURED and "no agreed measure" in verdict.evidence


def test_interpretability_is_declared_unmeasured_never_decided(study: Path) -> None:
    verdict = claims.check_interpretability(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    assert verdict.verdict == claims.NOT_MEASURED and "no measure of interpretability" in verdict.evidence


def test_claims_without_the_runs_they_need_are_not_measured(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    v = _verdicts(frame[frame["family"] != "gan"])
    assert v["better"] == v["efficient"] == v["faq-loss"] == claims.NOT_MEASURED


# --- the findings page ----------------------------------------------------------------------------

def test_findings_give_each_claim_its_verdict_deciding_interval_and_evidence_link(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    glance = findings.claims_at_a_glance(frame, claims.toy_frame(tmp_path, "quick"))
    assert len(glance) == len(claims.CLAIMS)
    better = glance.set_index("section").loc["§1"].iloc[2]  # two-kinds, self-contradiction, better
    assert better["verdict"] == claims.SUPPORTED
    assert better["deciding numbers [95% interval]"].startswith("vs VAE (family mean): FD gain 20.0 [")
    assert "], better; vs RBM (family mean): FD gain 20.5 [" in better["deciding numbers [95% interval]"]
    assert better["evidence"] == '<a href="91_claims.html">The article&#x27;s claims, checked</a>'
    analytic = glance[glance["basis"] == claims.ANALYTIC]
    assert (analytic["deciding numbers [95% interval]"] == "—").all()
    efficient = glance[glance["claim"].str.contains("efficiently")].iloc[0]
    assert efficient["evidence"] == '<a href="09_sampling_cost.html">The cost of sampling</a>'


def test_with_one_seed_the_findings_say_so_instead_of_an_interval(study: Path) -> None:
    glance = findings.claims_at_a_glance(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    row = glance[glance["claim"].str.startswith("By training")].iloc[0]
    assert row["deciding numbers [95% interval]"] == "vs VAE: not enough seeds (2 and 1); " \
                                                     "vs RBM: not enough seeds (2 and 1)"


def test_family_headline_shows_each_familys_best_model_with_intervals_and_samples(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    for seed in range(3):  # a second, worse GAN: the family's headline keeps DCGAN
        _write(tmp_path, f"wgan-s{seed}", "wgan", "gan", seed, metrics={**POOR, "fd": 40.0})
    frame = report.runs_frame(tmp_path, "quick")
    for i, d in enumerate(frame["dir"]):
        np.save(Path(d) / "samples.npy", np.full((4, 2, 2), i / len(frame), dtype=np.float32))
    table, grids = findings.family_headline(frame)
    assert list(table.index) == ["gan", "vae", "rbm", findings.ARTICLE]
    assert table.loc["gan", "model"] == "dcgan" and table.loc["gan", "seeds"] == 3
    low, high = cmp.t_interval(np.array([10.0, 10.5, 11.0]))
    assert table.loc["gan", "FD ↓"] == f"10.5 [{low:.1f}, {high:.1f}]"
    assert table.loc["rbm", "1k samples s"] == "30.5 s" and table.loc["gan", "device"] == "cpu (2 threads)"
    assert table.loc[findings.ARTICLE, "FD ↓"] == "900.5 [899.3, 901.7]"  # Student t, 2 degrees of freedom
    title, samples = next(iter(grids.items()))
    assert title == "GAN: dcgan\nFD 10 · 0.55 s per 1k"
    first_dcgan = frame.index[(frame["model"] == "dcgan") & (frame["seed"] == 0)][0]
    np.testing.assert_array_equal(samples, np.full((4, 2, 2), first_dcgan / len(frame), dtype=np.float32))


def test_matched_pair_sets_the_two_models_side_by_side_and_compares_them(tmp_path: Path) -> None:
    for seed, (gan_fd, vae_fd) in enumerate([(100.0, 200.0), (110.0, 190.0), (90.0, 210.0)]):
        _write(tmp_path, f"dcgan-s{seed}", "dcgan", "gan", seed, params=500,
               metrics={"fd": gan_fd, "precision": 0.5, "recall": 0.1 + seed / 100, "coverage": 0.3})
        _write(tmp_path, f"vae_dcgan-s{seed}", "vae_dcgan", "vae", seed, params=600,
               metrics={"fd": vae_fd, "precision": 0.5, "recall": 0.1 + seed / 100, "coverage": 0.3})
    _write(tmp_path, "vae-s0", "vae_mlp", "vae", 0, metrics={"fd": 5.0})
    table, comparisons = report.matched_pair(report.runs_frame(tmp_path, "quick"))
    assert list(table.index) == ["dcgan", "vae_dcgan"], "only the pair, in its order"
    low, high = cmp.t_interval(np.array([100.0, 110.0, 90.0]))
    assert table.loc["dcgan", "FD ↓"] == f"100.0 [{low:.1f}, {high:.1f}]"
    assert (table.loc["vae_dcgan", "seeds"], table.loc["vae_dcgan", "parameters"]) == (3, 600)
    assert comparisons.loc["FD ↓", "outcome"] == cmp.BETTER  # 100 against 200, band ±20
    assert comparisons.loc["FD ↓", "gain of dcgan [95%]"].startswith("100.0 [")
    assert comparisons.loc["precision ↑", "outcome"] == cmp.SAME


def test_matched_pair_with_one_seed_shows_the_values_and_no_outcome(study: Path) -> None:
    _write(study, "vae_dcgan-s0", "vae_dcgan", "vae", 0, metrics={"fd": 40.0})
    table, comparisons = report.matched_pair(report.runs_frame(study, "quick"))
    assert table.loc["vae_dcgan", "FD ↓"] == "40.0 (1 seed)"
    assert comparisons.loc["FD ↓", "outcome"] == cmp.FEW_SEEDS
    assert comparisons.loc["FD ↓", "gain of dcgan [95%]"] == "—"


def _curve(directory: str, seconds: list[float], fds: list[float]) -> None:
    pd.DataFrame({"step": range(len(seconds)), "images_seen": [64.0 * i for i in range(len(seconds))],
                  "train_s": seconds, "fd_probe": fds}).to_csv(Path(directory) / "history.csv", index=False)


def _three_seeds_with_curves(root: Path) -> pd.DataFrame:
    """:func:`_three_seeds` with quality curves: the GAN best at its end but trained 5 times longer
    than the VAE (10 s against 2 s), the RBM for 4 s."""
    frame = _three_seeds(root)
    for r in frame[frame["family"] != "data"].itertuples():
        if r.model == "dcgan":
            _curve(r.dir, [0.0, 2.0, 10.0], [500.0, 300.0 + r.seed, 10.0])
        elif r.model == "vae_mlp":
            _curve(r.dir, [0.0, 1.0, 2.0], [500.0, 100.0, 30.0 + r.seed])
        else:
            _curve(r.dir, [0.0, 4.0], [500.0, 40.0 + r.seed])
    return frame


def test_better_reads_the_curves_at_a_matched_budget_too(tmp_path: Path) -> None:
    frame = _three_seeds_with_curves(tmp_path)
    verdict = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED, "supported at the end, worse at the matched budget"
    end, matched = verdict.evidence.split(" | at a matched budget of 2 s of training (probe FD), timings on cpu "
                                          "(2 threads) only: ")
    assert end.startswith("at the end of training: precision read against an ideal of 1 (no real-data baseline "
                          "among the records). GAN vs VAE (supported)")
    assert "GAN vs VAE (refuted): fd ~301.0 vs ~31.0" in matched  # the GAN's probe FD at 2 s, the VAE's at its end
    assert "worse" in matched and "GAN vs RBM" in matched
    assert "at a matched budget of 2 s" in verdict.headline
    other = frame.assign(machine=["another CPU" if f == "rbm" else m for f, m in zip(frame["family"], frame["machine"],
                                                                                    strict=True)])
    left = claims.check_gan_better_quality(other, claims.toy_frame(tmp_path, "quick")).evidence
    assert f"(probe FD), timings on cpu (2 threads) only (3 runs on other devices or machines left out; the machine " \
           f"kept: {describe_cpu()}): " in left and "GAN vs RBM" not in left.split("(probe FD), timings on")[1]


def test_efficient_reads_the_time_each_family_took_to_a_common_quality(tmp_path: Path) -> None:
    frame = _three_seeds_with_curves(tmp_path)
    verdict = claims.check_gan_more_efficient(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED, "sampling: faster than the RBM only; learning: slower than both"
    sampling, learning = verdict.evidence.split(" | learning, training seconds to a probe FD of 42.0, which every "
                                                "compared run reached: ")
    assert "GAN vs VAE (refuted)" in sampling and "GAN vs RBM (supported)" in sampling
    # seed s of the GAN reaches 42 at 2 + 8 (258 + s) / (290 + s) s, the VAE's at 1 + 58 / (70 - s) s: means 9.12, 1.84
    assert "GAN vs VAE (refuted): time_to_quality_s ~9.12 s vs ~1.84 s" in learning
    assert "GAN vs RBM (refuted)" in learning and "learning: vs VAE" in verdict.headline


def test_a_gan_trained_on_another_machine_leaves_only_the_timed_readings_unmeasured_and_says_why(
        tmp_path: Path) -> None:
    frame = _three_seeds_with_curves(tmp_path)
    elsewhere = frame.assign(machine=["another CPU" if f == "gan" else m
                                      for f, m in zip(frame["family"], frame["machine"], strict=True)])
    toy = claims.toy_frame(tmp_path, "quick")
    kept = f"the machine kept: {describe_cpu()}"
    better = claims.check_gan_better_quality(elsewhere, toy)
    assert better.verdict == claims.SUPPORTED, "the end-of-training reading decides; the budget one is not measured"
    assert better.evidence.split(" | at a matched budget of training seconds: ")[1].startswith(
        "no successful run of gan among the runs timed on one device and machine (timings on cpu (2 threads) only "
        "(3 runs on other devices or machines left out; " + kept)
    assert better.headline.endswith("better; at a matched training budget: not measured: no run of gan on the "
                                    "machine timed") and " s of training" not in better.headline
    efficient = claims.check_gan_more_efficient(elsewhere, toy)
    assert efficient.verdict == claims.NOT_MEASURED and "no successful run of gan among" in efficient.evidence
    assert "vae" not in efficient.evidence.split("(")[0], "only the family without runs is named"
    vae = claims.check_vae_vs_gan(elsewhere, toy)
    assert vae.verdict == claims.SUPPORTED and "speed: no successful run of gan among" in vae.evidence
    assert vae.headline.endswith("better; speed: not measured: no run of gan on the machine timed")
    table = claims.comparison_table(elsewhere)
    timings = table[table["metric"] == info("sample_1k_s").title]
    assert list(timings["outcome"]) == [claims.NOT_MEASURED] * 2 and list(timings["seeds"]) == ["0, 3"] * 2
    assert list(timings["A mean"]) == ["", ""] and timings["B mean"].str.endswith(" s").all()
    assert claims.check_gan_more_efficient(frame, toy).verdict == claims.QUALIFIED  # one machine: measured


def _timed(root: Path, seconds: dict[str, float], options: dict[str, Any] | None = None) -> None:
    """A timing table of the chapter The cost of sampling for the profile quick: each model of
    ``seconds`` (of :func:`_three_seeds`) timed at that many seconds for seeds 0-2, with the records'
    architecture (no options; the RBM's 1,000 Gibbs sweeps) unless ``options`` say otherwise."""
    families = {"dcgan": "gan", "vae_mlp": "vae", "rbm": "rbm"}
    rows = [{"model": m, "family": families[m], "seed": seed, "sample_1k_s": s + seed / 100, "low_s": s,
             "high_s": s, "repeats": 1, "gibbs_steps": 1000 if m == "rbm" else 0, "params": 1000,
             "model_options": (options or {}).get(m, {})} for seed in range(3) for m, s in seconds.items()]
    timing.write_timing(pd.DataFrame(rows, columns=list(timing.COLUMNS)), root, "quick", "fashion_mnist", "cpu")


def test_the_runs_frame_takes_a_timing_only_for_the_runs_architecture(tmp_path: Path) -> None:
    _three_seeds(tmp_path)
    _timed(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05, "rbm": 20.0}, options={"vae_mlp": {"hidden": 64}})
    frame = report.runs_frame(tmp_path, "quick").set_index("run_id")
    assert frame.loc["dcgan-s1", "timed_1k_s"] == pytest.approx(0.21) and frame.loc["rbm-s2", "timed_1k_s"] == 20.02
    assert frame.loc["dcgan-s1", "timed_on"] == f"cpu ({torch.get_num_threads()} threads); {describe_cpu()}"
    assert frame.loc["vae-s0", ["timed_1k_s", "timed_on"]].isna().iloc[0], "another architecture than the run's"
    assert frame.loc["article-s0", "timed_on"] == "" and np.isnan(frame.loc["article-s0", "timed_1k_s"])
    assert frame.loc["dcgan-s0", "sample_1k_s"] == 0.5, "the record's own seconds are kept as they were"


def test_sampling_is_compared_on_the_timing_chapters_seconds_when_the_runs_were_trained_on_two_machines(
        tmp_path: Path) -> None:
    _three_seeds_with_curves(tmp_path)
    _timed(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05, "rbm": 20.0})
    frame = report.runs_frame(tmp_path, "quick")
    elsewhere = frame.assign(machine=["another CPU" if f == "gan" else m
                                      for f, m in zip(frame["family"], frame["machine"], strict=True)])
    toy = claims.toy_frame(tmp_path, "quick")
    efficient = claims.check_gan_more_efficient(elsewhere, toy)
    assert efficient.verdict == claims.QUALIFIED, "slower than the VAE, faster than the RBM; learning not measured"
    sampling, learning = efficient.evidence.split(" | learning, ")
    assert sampling.startswith("sampling: 1,000 samples of each run's architecture timed again, every model in one "
                               f"process on cpu ({torch.get_num_threads()} threads); {describe_cpu()} (the chapter "
                               "The cost of sampling); time for 1,000 samples")
    assert "GAN vs VAE (refuted): sample_1k_s 0.21 s vs 0.06 s" in sampling and "GAN vs RBM (supported)" in sampling
    assert learning.startswith("training seconds to a probe FD every compared run reached: no successful run of gan "
                               "among the runs timed on one device and machine")
    assert efficient.headline.endswith("; learning: not measured: no run of gan on the machine timed")
    vae = claims.check_vae_vs_gan(elsewhere, toy)
    assert vae.verdict == claims.QUALIFIED and "speed: 1,000 samples" not in vae.evidence  # better, but slower
    assert "speed: GAN vs VAE (refuted): sample_1k_s 0.21 s vs 0.06 s" in vae.evidence
    table = claims.comparison_table(elsewhere)
    timings = table[table["metric"] == info("sample_1k_s").title]
    assert list(timings["seeds"]) == ["3, 3"] * 2 and list(timings["A mean"]) == ["0.21 s"] * 2
    assert list(timings["outcome"]) == [cmp.WORSE, cmp.BETTER]
    _timed(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05})  # the RBM not timed: its runs are left out, and said so
    partial = claims.check_gan_more_efficient(report.runs_frame(tmp_path, "quick"), toy)
    sampled = partial.evidence.split(" | learning, ")[0]
    assert "; 3 runs it did not time left out;" in sampled and "GAN vs RBM" not in sampled


def test_without_logged_curves_better_is_read_at_the_end_only(tmp_path: Path) -> None:
    frame = _three_seeds(tmp_path)
    verdict = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.SUPPORTED and "matched budget" not in verdict.evidence


def _remedies(root: Path, rows: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    import json

    from genstudy.study.remedies import RESULT

    (root / RESULT).parent.mkdir(parents=True)
    (root / RESULT).write_text(json.dumps({"settings": settings, "rows": rows, "created": "2026-11-26T05:00:00",
                                           "host": {"cpu": "a CPU", "cores": 2, "gpu": None}}))


def test_the_remedy_search_is_shown_per_remedy_over_seeds_and_read_as_measured(tmp_path: Path) -> None:
    from genstudy.study.remedies import remedies_table, remedies_verdict

    rows = [{"variant": v, "seed": s, "change": f"change {v}", "layers": layers, "FD": fd + s, "classes": c + s % 2,
             "precision": 1.0, "recall": 0.0, "spread": 0.01}
            for v, layers, fd, c in (("base", "article_gan", 1000.0, 1), ("ttur", "article_gan", 900.0, 3),
                                     ("he", "article_gan", 950.0, 5), ("bn", "article_gan_bn", 700.0, 8))
            for s in (0, 1, 2)]
    _remedies(tmp_path, rows, {"steps": 624, "batch": 64, "seeds": [0, 1, 2], "train_size": 10000,
                               "complete": False})
    table, caption = remedies_table(tmp_path)
    assert list(table.index) == ["base", "ttur", "he", "bn"]
    low, high = cmp.t_interval(np.array([1000.0, 1001.0, 1002.0]))
    assert table.loc["base", "FD ↓"] == f"1001 [{low:.0f}, {high:.0f}]"
    assert table.loc["ttur", "classes"] == "3.3 (3–4)" and table.loc["base", "seeds"] == 3
    assert caption == ("624 steps of batch 64 on 10,000 images, seeds 0, 1, 2, on a CPU (2 cores), 2026-11-26 "
                       "(interrupted: not every run is in)")
    assert remedies_verdict(table) == ("remedies that keep the article's layers and cover at least 5 of 10 classes "
                                       "on average: he: 5.3 (5–6), of 2 (the most: he, 5.3 (5–6); no remedy: "
                                       "1.3 (1–2)); batch normalisation in the generator: 8.3 (8–9)")
    table = table.drop(index="he")
    assert remedies_verdict(table).startswith("remedies that keep the article's layers and cover at least 5 of 10 "
                                              "classes on average: none, of 1 (the most: ttur, 3.3 (3–4)")
    partial = [r for r in rows if r["seed"] < 2]
    (tmp_path / "bench").rename(tmp_path / "old")
    _remedies(tmp_path, partial, {"steps": 624, "batch": 64, "seeds": [0, 1, 2], "train_size": 10000,
                                  "complete": False})
    assert "seeds 0, 1 of 0, 1, 2, on a CPU" in remedies_table(tmp_path)[1]
    assert remedies_table(tmp_path, book_steps=468)[1].startswith("624 steps (the book's run here: 468) of batch 64")


def test_a_search_stored_before_seeds_reads_as_one_seed_and_a_missing_one_says_how_to_run_it(tmp_path: Path) -> None:
    from genstudy.study.remedies import remedies_table, remedies_verdict

    table, reason = remedies_table(tmp_path)
    assert table.empty and "python bench/article_gan_remedies.py" in reason
    assert remedies_verdict(table) == "the search has not been run"
    _remedies(tmp_path, [{"variant": "base", "change": "-", "layers": "article_gan", "FD": 1200.0, "classes": 2,
                          "precision": 1.0, "recall": 0.0, "spread": 0.02}],
              {"steps": 300, "batch": 64, "seed": 0, "train_size": 10000})
    table, caption = remedies_table(tmp_path)
    assert table.loc["base", "FD ↓"] == "1200 (1 seed)" and "seeds 0," in caption
    assert remedies_verdict(table).endswith("none, of 0")


def test_a_withheld_likelihood_shows_its_reasons_and_the_one_sided_reading_every_seed_holds(study: Path) -> None:
    for seed, (value, other) in enumerate([(-252.0, 693.0), (-255.0, 710.0)]):
        run_id = f"rbm-w{seed}"
        _write(study, run_id, "rbm", "rbm", seed + 1, metrics={"log_likelihood_withheld": "paths differ",
                                                               "log_likelihood_estimator": "AIS"})
        path = study / "quick" / run_id / "record.json"
        record = json.loads(path.read_text())
        record["evaluation"].update({"ais": {"log_z": 702.0}, "likelihood_guard": {
            "value": value, "passed": False, "log_z_other_side": other, "log_z_floor": 632.0}})
        path.write_text(json.dumps(record))
    table = report.likelihood_table(report.runs_frame(study, "quick"))
    # seed 0's -270 passed, so two of three seeds withheld: the model reads unreliable, bounded by the
    # readings of the withheld seeds only where every seed has one; here one passed, so none is claimed
    assert table.loc["rbm", report.BINARIZED_COLUMN] == "unreliable: paths differ"
    (study / "quick" / "rbm-s0" / "record.json").unlink()
    table = report.likelihood_table(report.runs_frame(study, "quick"))
    assert table.loc["rbm", report.BINARIZED_COLUMN] == (
        "unreliable: paths differ; every seed at most -252.0 in expectation (AIS's log Z is a stochastic lower "
        "bound), and at most -182.0 for certain (log Z's hard floor)")  # seed 2: -255 - 8 = -263, -185
