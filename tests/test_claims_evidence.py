"""The runs a claim reads (genstudy.study.claims.evidence): one device's timings, precision capped at the data's own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genstudy.machine import describe_cpu
from genstudy.study import claims, report
from study_records import (
    GOOD,
    three_seeds,
    write_run,
)


def test_timings_of_another_device_are_left_out(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    gpu = frame[frame["family"] == "rbm"].assign(device="cuda (H100)", sample_1k_s=0.001, run_id="x")
    verdict = claims.check_gan_more_efficient(pd.concat([frame, gpu], ignore_index=True),
                                              claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED
    assert f"(3 runs on other devices or machines left out; the machine kept: {describe_cpu()})" in verdict.evidence


@pytest.mark.parametrize("machine", ["Intel(R) Xeon(R) Platinum 8481C; AVX-512; kernels capped at avx2", ""])
def test_timings_of_another_machine_under_the_same_device_name_are_left_out(tmp_path: Path, machine: str) -> None:
    frame = three_seeds(tmp_path)
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


def test_precision_above_the_real_datas_own_is_a_collapse_signal_not_a_win(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    toy = claims.toy_frame(tmp_path, "quick")
    frame.loc[frame["family"] == "rbm", "precision"] = 0.99  # collapsed onto the densest region
    without_real = claims.check_gan_better_quality(frame, toy)  # no baseline: the RBM's 0.99 wins on precision
    assert "GAN vs RBM (qualified)" in without_real.evidence and "precision 0.800 vs 0.990" in without_real.evidence
    write_run(tmp_path, "real", "real", "data", 0, metrics={**GOOD, "precision": 0.85})
    with_real = report.runs_frame(tmp_path, "quick")
    with_real.loc[with_real["family"] == "rbm", "precision"] = 0.99
    verdict = claims.check_gan_better_quality(with_real, toy)
    assert "precision above the real images' own 0.850 (a collapse signal: a comparison with it is left out): " \
           "RBM 0.990" in verdict.evidence
    assert "GAN vs RBM (supported)" in verdict.evidence and "(band ±0.020): collapse signal" in verdict.evidence
    assert verdict.verdict == claims.SUPPORTED  # the other four yardsticks decide
