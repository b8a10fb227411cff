""""GANs achieve better results" (genstudy.study.claims.quality): at the end and at a matched budget."""

from __future__ import annotations

from pathlib import Path

from genstudy.machine import describe_cpu
from genstudy.study import claims
from study_records import (
    three_seeds,
    three_seeds_with_curves,
)


def test_better_reads_the_curves_at_a_matched_budget_too(tmp_path: Path) -> None:
    frame = three_seeds_with_curves(tmp_path)
    verdict = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.QUALIFIED, "supported at the end, worse at the matched budget"
    end, matched = verdict.evidence.split(" | at a matched budget of 2 s of training (probe FD), timings on cpu "
                                          "(2 threads) only: ")
    assert end.startswith("at the end of training: precision compared without the real data's own (no real-data "
                          "baseline among the records): a collapse signal, precision above it, cannot be told apart "
                          "from a win. GAN vs VAE (supported)")
    assert "GAN vs VAE (refuted): fd ~301.0 vs ~31.0" in matched  # the GAN's probe FD at 2 s, the VAE's at its end
    assert "worse" in matched and "GAN vs RBM" in matched
    assert "at a matched budget of 2 s" in verdict.headline
    other = frame.assign(machine=["another CPU" if f == "rbm" else m for f, m in zip(frame["family"], frame["machine"],
                                                                                    strict=True)])
    left = claims.check_gan_better_quality(other, claims.toy_frame(tmp_path, "quick")).evidence
    assert f"(probe FD), timings on cpu (2 threads) only (3 runs on other devices or machines left out; the machine " \
           f"kept: {describe_cpu()}): " in left and "GAN vs RBM" not in left.split("(probe FD), timings on")[1]


def test_without_logged_curves_better_is_read_at_the_end_only(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    verdict = claims.check_gan_better_quality(frame, claims.toy_frame(tmp_path, "quick"))
    assert verdict.verdict == claims.SUPPORTED and "matched budget" not in verdict.evidence
