""""GANs generate more efficiently" (genstudy.study.claims.efficiency): sampling and learning, one machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from genstudy.machine import describe_cpu
from genstudy.metrics.catalog import info
from genstudy.study import claims, report
from genstudy.study import compare as cmp
from study_records import (
    three_seeds_with_curves,
    write_timings,
)


def test_efficient_reads_the_time_each_family_took_to_a_common_quality(tmp_path: Path) -> None:
    frame = three_seeds_with_curves(tmp_path)
    verdict = claims.check_gan_more_efficient(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED, "sampling: faster than the RBM only; learning: slower than both"
    sampling, learning = verdict.evidence.split(" | learning, training seconds to a probe FD of 42.0, which every "
                                                "compared run reached, timings on cpu (2 threads) only: ")
    assert "GAN vs VAE (refuted)" in sampling and "GAN vs RBM (supported)" in sampling
    # seed s of the GAN reaches 42 at 2 + 8 (258 + s) / (290 + s) s, the VAE's at 1 + 58 / (70 - s) s: means 9.12, 1.84
    assert "GAN vs VAE (refuted): time_to_quality_s ~9.12 s vs ~1.84 s" in learning
    assert "GAN vs RBM (refuted)" in learning and "learning: vs VAE" in verdict.headline


def test_a_gan_trained_on_another_machine_leaves_only_the_timed_readings_unmeasured_and_says_why(
        tmp_path: Path) -> None:
    frame = three_seeds_with_curves(tmp_path)
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


def test_sampling_is_compared_on_the_timing_chapters_seconds_when_the_runs_were_trained_on_two_machines(
        tmp_path: Path) -> None:
    three_seeds_with_curves(tmp_path)
    write_timings(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05, "rbm": 20.0})
    frame = report.runs_frame(tmp_path, "quick")
    elsewhere = frame.assign(machine=["another CPU" if f == "gan" else m
                                      for f, m in zip(frame["family"], frame["machine"], strict=True)])
    toy = claims.toy_frame(tmp_path, "quick")
    efficient = claims.check_gan_more_efficient(elsewhere, toy)
    assert efficient.verdict == claims.QUALIFIED, "slower than the VAE, faster than the RBM; learning not measured"
    sampling, learning = efficient.evidence.split(" | learning, ")
    assert sampling.startswith("sampling: 1,000 samples of each run's architecture timed again, every model in one "
                               f"process on cpu ({torch.get_num_threads()} threads); {describe_cpu()} (the chapter "
                               "The cost of sampling and training); time for 1,000 samples")
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
    write_timings(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05})  # the RBM not timed: its runs are left out, and said so
    partial = claims.check_gan_more_efficient(report.runs_frame(tmp_path, "quick"), toy)
    sampled = partial.evidence.split(" | learning, ")[0]
    assert "; 3 runs it did not time left out;" in sampled and "GAN vs RBM" not in sampled


def test_learning_is_read_on_the_timing_chapters_step_clock_wherever_the_runs_were_trained(tmp_path: Path) -> None:
    three_seeds_with_curves(tmp_path)  # on their records' clock the GAN is slower to the common FD than both
    write_timings(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05, "rbm": 20.0}, step_s={"dcgan": 1.0, "vae_mlp": 0.5,
                                                                                  "rbm": 4.0})
    frame = report.runs_frame(tmp_path, "quick")
    elsewhere = frame.assign(machine=["another CPU" if f == "gan" else m
                                      for f, m in zip(frame["family"], frame["machine"], strict=True)])
    toy = claims.toy_frame(tmp_path, "quick")
    efficient = claims.check_gan_more_efficient(elsewhere, toy)
    learning = efficient.evidence.split(" | learning, training seconds to a probe FD of 42.0, which every compared "
                                        "run reached, ")[1]
    # one step an epoch: the GAN's seed s reaches 42 after 1 + (258 + s) / (290 + s) steps of 1 s, the VAE's after
    # 1 + 58 / (70 - s) steps of 0.5 s, the RBM's after (458) / (460 - s) steps of 4 s
    gan = np.mean([1 + (258 + s) / (290 + s) for s in range(3)])
    vae = np.mean([0.5 * (1 + 58 / (70 - s)) for s in range(3)])
    rbm = np.mean([4 * 458 / (460 - s) for s in range(3)])
    assert learning.startswith("training seconds are each run's optimizer steps times its architecture's seconds per "
                               f"step, every model's step timed in one process on cpu ({torch.get_num_threads()} "
                               f"threads); {describe_cpu()} (the chapter The cost of sampling and training), not the "
                               "seconds of the machines that trained the runs: ")
    assert f"GAN vs VAE (refuted): time_to_quality_s ~{gan:.3g} s vs ~{vae:.3g} s" in learning
    assert f"GAN vs RBM (supported): time_to_quality_s ~{gan:.3g} s vs ~{rbm:.3g} s" in learning
    assert efficient.verdict == claims.QUALIFIED and "not measured" not in efficient.headline
    better = claims.check_gan_better_quality(elsewhere, toy)  # the matched budget on the same clock: the VAE's 1 s
    assert "at a matched budget of 1 s of training (probe FD), training seconds are each run's" in better.evidence
    curves, note = claims.timed_curves(elsewhere)
    assert note.startswith("training seconds are each run's optimizer steps") and len(curves) == 3 * (3 + 3 + 2)
    assert sorted(curves["train_s"].unique()) == [0.0, 0.5, 1.0, 2.0, 4.0]
    write_timings(tmp_path, {"dcgan": 0.2, "vae_mlp": 0.05, "rbm": 20.0}, step_s={"dcgan": 1.0, "vae_mlp": 0.5})
    partial, note = claims.training_runs(claims.family_runs(report.runs_frame(tmp_path, "quick")))
    assert set(partial["family"]) == {"gan", "vae"} and note.endswith("; 3 runs it did not time left out")
