"""The comparison's tables (genstudy.study.report) and the findings page, on synthetic run
records whose right answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from genstudy.machine import describe_cpu
from genstudy.runs.record import git_commit
from genstudy.study import claims, findings, report
from genstudy.study import compare as cmp
from study_records import (
    POOR,
    three_seeds,
    write_remedies,
    write_run,
    write_timings,
)


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


def test_a_grey_level_density_stands_in_bits_per_dimension_in_its_own_column_never_beside_binarized_nats(
        study: Path) -> None:
    for seed, bits in enumerate((1.25, 1.75)):
        write_run(study, f"vae-dcgan-s{seed}", "vae_dcgan", "vae", seed, metrics={
            "fd": 40.0, "bits_per_dim": bits, "log_likelihood_estimator": "IWAE bound, k=1000, on dequantized "
                                                                         "8-bit levels"})
    frame = report.runs_frame(study, "quick")
    table = report.likelihood_table(frame)
    assert table.loc["vae_dcgan", report.BITS_COLUMN] == "1.500 ± 0.354"
    row = table.loc["vae_dcgan"]
    assert row[report.BINARIZED_COLUMN] == row["train − test, binarized nats"] == ""
    assert table.loc["vae_mlp", report.BITS_COLUMN] == "" and table.loc["vae_mlp", report.BINARIZED_COLUMN] == "-250.0"
    assert report.metric_summary(frame).loc["vae_dcgan", "bits/dim ↓"] == "1.500 ± 0.354"


def test_an_older_records_continuous_density_is_shown_in_no_column_and_says_why(study: Path) -> None:
    write_run(study, "vae-dcgan-s0", "vae_dcgan", "vae", 0, metrics={
        "fd": 40.0, "log_likelihood": 917.5, "log_likelihood_train": 966.5,
        "log_likelihood_estimator": "IWAE bound, k=1000 (continuous [0,1])"})
    frame = report.runs_frame(study, "quick")
    assert frame.set_index("model").loc["vae_dcgan", ["log_likelihood", "log_likelihood_train"]].isna().all()
    table = report.likelihood_table(frame)
    assert table.loc["vae_dcgan", report.BITS_COLUMN] == report.NOT_DEQUANTIZED
    assert "917" not in table.loc["vae_dcgan"].to_string() and report.metric_summary(frame).loc[
        "vae_dcgan", "log-likelihood"] == ""


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


def test_findings_give_each_claim_its_verdict_deciding_interval_and_evidence_link(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
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
    assert efficient["evidence"] == '<a href="09_sampling_cost.html">The cost of sampling and training</a>'


def test_with_one_seed_the_findings_say_so_instead_of_an_interval(study: Path) -> None:
    glance = findings.claims_at_a_glance(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    row = glance[glance["claim"].str.startswith("By training")].iloc[0]
    assert row["deciding numbers [95% interval]"] == "vs VAE: not enough seeds (2 and 1); " \
                                                     "vs RBM: not enough seeds (2 and 1)"


def test_family_headline_shows_each_familys_best_model_with_intervals_and_samples(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    for seed in range(3):  # a second, worse GAN: the family's headline keeps DCGAN
        write_run(tmp_path, f"wgan-s{seed}", "wgan", "gan", seed, metrics={**POOR, "fd": 40.0})
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
    assert table.loc["gan", "train s"] == "10 s" and table.loc["gan", "timed"] == "each on its run's own machine"
    title, samples = next(iter(grids.items()))
    assert title == "GAN: dcgan\nFD 10 · 0.55 s per 1k"
    first_dcgan = frame.index[(frame["model"] == "dcgan") & (frame["seed"] == 0)][0]
    np.testing.assert_array_equal(samples, np.full((4, 2, 2), first_dcgan / len(frame), dtype=np.float32))
    write_timings(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05}, step_s={"dcgan": 1.5})  # 2 steps of 1.5 s
    timed, _ = findings.family_headline(report.runs_frame(tmp_path, "quick"))
    assert timed.loc["gan", "train s"] == "3 s" and timed.loc["gan", "timed"] == "both on one machine"
    assert timed.loc["gan", "1k samples s"] == "0.21 s" and timed.loc["vae", "train s"] == "10 s"
    assert timed.loc["vae", "timed"] == "sampling on one machine, training on its own"


def test_matched_pair_sets_the_two_models_side_by_side_and_compares_them(tmp_path: Path) -> None:
    for seed, (gan_fd, vae_fd) in enumerate([(100.0, 200.0), (110.0, 190.0), (90.0, 210.0)]):
        write_run(tmp_path, f"dcgan-s{seed}", "dcgan", "gan", seed, params=500,
               metrics={"fd": gan_fd, "precision": 0.5, "recall": 0.1 + seed / 100, "coverage": 0.3})
        write_run(tmp_path, f"vae_dcgan-s{seed}", "vae_dcgan", "vae", seed, params=600,
               metrics={"fd": vae_fd, "precision": 0.5, "recall": 0.1 + seed / 100, "coverage": 0.3})
    write_run(tmp_path, "vae-s0", "vae_mlp", "vae", 0, metrics={"fd": 5.0})
    table, comparisons = report.matched_pair(report.runs_frame(tmp_path, "quick"))
    assert list(table.index) == ["dcgan", "vae_dcgan"], "only the pair, in its order"
    low, high = cmp.t_interval(np.array([100.0, 110.0, 90.0]))
    assert table.loc["dcgan", "FD ↓"] == f"100.0 [{low:.1f}, {high:.1f}]"
    assert (table.loc["vae_dcgan", "seeds"], table.loc["vae_dcgan", "parameters"]) == (3, 600)
    assert comparisons.loc["FD ↓", "outcome"] == cmp.BETTER  # 100 against 200, band ±20
    assert comparisons.loc["FD ↓", "gain of dcgan [95%]"].startswith("100.0 [")
    assert comparisons.loc["precision ↑", "outcome"] == cmp.SAME


def test_matched_pair_with_one_seed_shows_the_values_and_no_outcome(study: Path) -> None:
    write_run(study, "vae_dcgan-s0", "vae_dcgan", "vae", 0, metrics={"fd": 40.0})
    table, comparisons = report.matched_pair(report.runs_frame(study, "quick"))
    assert table.loc["vae_dcgan", "FD ↓"] == "40.0 (1 seed)"
    assert comparisons.loc["FD ↓", "outcome"] == cmp.FEW_SEEDS
    assert comparisons.loc["FD ↓", "gain of dcgan [95%]"] == "—"


def test_the_runs_frame_takes_a_timing_only_for_the_runs_architecture(tmp_path: Path) -> None:
    three_seeds(tmp_path)
    write_timings(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05, "rbm": 20.0}, options={"vae_mlp": {"hidden": 64}})
    frame = report.runs_frame(tmp_path, "quick").set_index("run_id")
    assert frame.loc["dcgan-s1", "timed_1k_s"] == pytest.approx(0.21) and frame.loc["rbm-s2", "timed_1k_s"] == 20.02
    assert frame.loc["dcgan-s1", "timed_on"] == f"cpu ({torch.get_num_threads()} threads); {describe_cpu()}"
    assert frame.loc["vae-s0", ["timed_1k_s", "timed_on"]].isna().iloc[0], "another architecture than the run's"
    assert frame.loc["article-s0", "timed_on"] == "" and np.isnan(frame.loc["article-s0", "timed_1k_s"])
    assert frame.loc["dcgan-s0", "sample_1k_s"] == 0.5, "the record's own seconds are kept as they were"


def test_the_remedy_search_is_shown_per_remedy_over_seeds_and_read_as_measured(tmp_path: Path) -> None:
    from genstudy.study.remedies import remedies_table, remedies_verdict

    rows = [{"variant": v, "seed": s, "change": f"change {v}", "layers": layers, "FD": fd + s, "classes": c + s % 2,
             "precision": 1.0, "recall": 0.0, "spread": 0.01}
            for v, layers, fd, c in (("base", "article_gan", 1000.0, 1), ("ttur", "article_gan", 900.0, 3),
                                     ("he", "article_gan", 950.0, 5), ("bn", "article_gan_bn", 700.0, 8))
            for s in (0, 1, 2)]
    write_remedies(tmp_path, rows, {"steps": 624, "batch": 64, "seeds": [0, 1, 2], "train_size": 10000,
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
    write_remedies(tmp_path, partial, {"steps": 624, "batch": 64, "seeds": [0, 1, 2], "train_size": 10000,
                                  "complete": False})
    assert "seeds 0, 1 of 0, 1, 2, on a CPU" in remedies_table(tmp_path)[1]
    assert remedies_table(tmp_path, book_steps=468)[1].startswith("624 steps (the book's run here: 468) of batch 64")


def test_a_search_stored_before_seeds_reads_as_one_seed_and_a_missing_one_says_how_to_run_it(tmp_path: Path) -> None:
    from genstudy.study.remedies import remedies_table, remedies_verdict

    table, reason = remedies_table(tmp_path)
    assert table.empty and "python bench/article_gan_remedies.py" in reason
    assert remedies_verdict(table) == "the search has not been run"
    write_remedies(tmp_path, [{"variant": "base", "change": "-", "layers": "article_gan", "FD": 1200.0, "classes": 2,
                          "precision": 1.0, "recall": 0.0, "spread": 0.02}],
              {"steps": 300, "batch": 64, "seed": 0, "train_size": 10000})
    table, caption = remedies_table(tmp_path)
    assert table.loc["base", "FD ↓"] == "1200 (1 seed)" and "seeds 0," in caption
    assert remedies_verdict(table).endswith("none, of 0")


def test_a_withheld_likelihood_shows_its_reasons_and_the_one_sided_reading_every_seed_holds(study: Path) -> None:
    for seed, (value, other) in enumerate([(-252.0, 693.0), (-255.0, 710.0)]):
        run_id = f"rbm-w{seed}"
        write_run(study, run_id, "rbm", "rbm", seed + 1, metrics={"log_likelihood_withheld": "paths differ",
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
