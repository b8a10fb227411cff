""""GANs are hard to train and unstable" (genstudy.study.claims.stability): every kind of evidence counted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genstudy.study import claims, report
from study_records import (
    three_seeds,
    write_run,
)


def test_instability_counts_failures_spread_and_mode_collapse(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
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
    write_run(tmp_path, "dcgan-s3", "dcgan", "gan", 3, status="diverged")
    assert claims.check_gan_unstable(report.runs_frame(tmp_path, "quick"), empty).verdict == claims.SUPPORTED
