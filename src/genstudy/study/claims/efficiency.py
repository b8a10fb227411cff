"""The claims about efficiency: seconds per 1,000 samples, and training seconds to one
probe FD every compared run reached, each on one machine."""

from __future__ import annotations

import pandas as pd

from genstudy.study.claims.evidence import (
    compared,
    family_runs,
    sampling_runs,
    tilde,
    to_common_quality,
    training_runs,
)
from genstudy.study.claims.verdicts import CLASSIC, NOT_MEASURED, Verdict, combine


def check_gan_more_efficient(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    family = family_runs(frame)
    sampled, sampled_note = sampling_runs(family)
    sampling = compared(frame, "gan", CLASSIC, ("sample_1k_s",), sampled, sampled_note + "; time for 1,000 "
                         "samples, median of warmed-up repeats", timed=sampled_note)
    runs, note = training_runs(family)
    learning = to_common_quality(frame, runs, "gan", CLASSIC, note)
    if learning is None or sampling.verdict == NOT_MEASURED:
        return sampling
    verdict, target = learning
    if verdict.verdict == NOT_MEASURED:  # the level read from the other families alone means nothing here
        return Verdict(sampling.verdict, f"sampling: {sampling.evidence} | learning, training seconds to a probe FD "
                                         f"every compared run reached: {verdict.evidence}",
                       f"{sampling.headline}; learning: {verdict.headline}")
    when = f"training seconds to a probe FD of {target:.1f}, which every compared run reached"
    return Verdict(combine((sampling.verdict, verdict.verdict)),
                   f"sampling: {sampling.evidence} | learning, {when}, {note}: {tilde(verdict.evidence)}",
                   f"{sampling.headline}; learning: {tilde(verdict.headline)}")


def check_classic_inefficient(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """Each classic family's sampling time against the GAN family's: the claim holds of a family
    whose samples take longer (the GAN is "better", i.e. faster, in the comparison)."""
    return check_gan_more_efficient(frame, toy)
