"""How a claim's comparisons become one verdict (genstudy.study.claims.verdicts), and the claims' table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genstudy.study import claims, report
from genstudy.study import compare as cmp
from study_records import (
    GOOD,
    three_seeds,
    verdicts,
)


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
    v = verdicts(report.runs_frame(study, "quick"))
    assert v["better"] == v["efficient"] == v["effective"] == v["faq-vae"] == claims.NOT_ENOUGH_SEEDS
    assert v["gan-unstable"] == claims.NOT_ENOUGH_SEEDS
    assert v["complex"] == claims.QUALIFIED  # analytic: Gibbs for the RBM, not for the VAE


def test_families_with_three_seeds_get_verdicts_with_intervals(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    v = verdicts(frame)
    assert v["better"] == v["effective"] == claims.SUPPORTED  # every yardstick, against VAE and RBM
    assert v["efficient"] == claims.QUALIFIED  # faster than the RBM, slower than the VAE
    assert v["article-gan"] == claims.REFUTED  # the article's GAN is worse than DCGAN on every yardstick
    evidence = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick")).evidence
    assert "GAN vs VAE (supported): fd 10.5 vs 30.5, gain 20.0 [" in evidence and "(band ±3.1): better" in evidence
    table = claims.comparison_table(frame)
    assert set(table["outcome"]) <= {cmp.BETTER, cmp.WORSE, cmp.SAME, cmp.UNDECIDED}
    assert len(table) == 2 * 5 + 2 + 5  # GAN vs VAE, RBM on 5 yardsticks; 2 timings; the article's GAN on 5


def test_yardsticks_that_disagree_make_the_verdict_qualified_and_say_so(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path, rbm_recall=0.9)
    verdict = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED
    assert "GAN vs RBM (qualified)" in verdict.evidence and "recall 0.600 vs 0.900" in verdict.evidence
    assert "worse" in verdict.evidence and "GAN vs VAE (supported)" in verdict.evidence


def test_equal_families_refute_better(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    for key, value in GOOD.items():
        frame.loc[frame["family"].isin(["gan", "vae", "rbm"]), key] = value
    assert claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick")).verdict == claims.REFUTED


def test_check_claims_has_one_row_per_claim_with_its_basis(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
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


def test_claims_without_the_runs_they_need_are_not_measured(study: Path) -> None:
    frame = report.runs_frame(study, "quick")
    v = verdicts(frame[frame["family"] != "gan"])
    assert v["better"] == v["efficient"] == v["faq-loss"] == claims.NOT_MEASURED
