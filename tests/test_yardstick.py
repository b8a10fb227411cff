"""The yardstick's own checks (genstudy.study.yardstick): probes with known answers, and the
agreement of two embeddings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genstudy.runs.evaluate import Reference, reference
from genstudy.study import yardstick


@pytest.fixture(scope="module")
def ref(fashion_dir: Path) -> Reference:
    return reference("fashion_mnist", "smoke")


def test_within_class_collapse_scores_clearly_worse_than_real_data(ref: Reference) -> None:
    table = yardstick.collapse_probe(ref)
    real, collapsed = table.loc["real data"], table.loc["2 images per class"]
    assert collapsed["classes_covered"] == real["classes_covered"] == 10  # class counts cannot see it...
    assert collapsed["fd"] > 5 * real["fd"]  # ...FD, recall and coverage do
    assert collapsed["recall"] < real["recall"] - 0.5 and collapsed["coverage"] < real["coverage"] - 0.5


def test_training_images_returned_as_samples_are_flagged_and_fresh_ones_not(ref: Reference) -> None:
    table = yardstick.memorisation_probe(ref)
    assert table.loc["training images", "NN-distance ratio"] < 1e-6 and table.loc["training images", "copies"] == 1
    assert 0.8 < table.loc["held-out images", "NN-distance ratio"] < 1.25
    assert table.loc["held-out images", "copies"] < 0.05


def test_embedding_agreement_is_kendalls_tau_of_the_two_fds() -> None:
    frame = pd.DataFrame({"label": ["a", "b", "c", "d", "a"], "family": ["gan"] * 5, "status": ["ok"] * 5,
                          "fd": [1.0, 2.0, 3.0, 4.0, 1.0], "fd_second": [10.0, 30.0, 20.0, 40.0, 10.0]})
    tau, table = yardstick.embedding_agreement(frame)
    assert tau == pytest.approx(4 / 6)  # one discordant pair (b, c) of six
    assert list(table["rank, 2nd embedding"]) == [1, 3, 2, 4]
    assert yardstick.embedding_agreement(frame.iloc[:2])[0] is None  # too few models to rank
