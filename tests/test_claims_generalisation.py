""""Generalisation is a challenge" (genstudy.study.claims.generalisation): one unit, copying apart."""

from __future__ import annotations

from pathlib import Path

from genstudy.study import claims
from study_records import (
    three_seeds,
)


def test_generalisation_reads_the_gap_in_one_unit_and_copying_and_names_samples_off_the_manifold(
        tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
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
