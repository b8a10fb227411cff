""""The discriminator becomes ever more accurate" (genstudy.study.claims.discriminator): a trend test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genstudy.study import claims
from study_records import (
    d_curves,
    three_seeds,
)


def test_discriminator_accuracy_is_read_as_a_trend_over_the_whole_curve(tmp_path: Path) -> None:
    frame = three_seeds(tmp_path)
    empty = claims.toy_frame(tmp_path, "quick")
    d_curves(frame, np.linspace(0.6, 0.9, 40))  # rises from start to end
    assert claims.check_discriminator_accuracy(frame, empty).verdict == claims.SUPPORTED
    d_curves(frame, np.linspace(0.9, 0.6, 40))  # falls towards ½ all along
    falling = claims.check_discriminator_accuracy(frame, empty)
    assert falling.verdict == claims.REFUTED and "falls over the whole of training" in falling.evidence
    # falls for three tenths, then rises: the first and last fifths alone (the old rule) would read "supported"
    dip = np.concatenate([np.linspace(0.80, 0.71, 12), np.linspace(0.71, 0.83, 28)])
    d_curves(frame, dip)
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
