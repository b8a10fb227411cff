"""The claims about sample quality: the GAN family against each classic family on the five
yardsticks, at the end of training and at a matched training budget; the VAE against the GAN;
the article's GAN against the GAN family."""

from __future__ import annotations

import pandas as pd

from genstudy.study.claims.evidence import (
    article_runs,
    at_matched_compute,
    compared,
    family_runs,
    sampling_runs,
    tilde,
    training_runs,
)
from genstudy.study.claims.verdicts import CLASSIC, NOT_MEASURED, QUALITY, Verdict, combine, missing


def check_gan_better_quality(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    at_end = compared(frame, "gan", CLASSIC, QUALITY)
    timed, note = training_runs(family_runs(frame))
    matched = at_matched_compute(frame, timed, "gan", CLASSIC, note)
    if matched is None or at_end.verdict == NOT_MEASURED:
        return at_end
    at_budget, budget = matched
    if at_budget.verdict == NOT_MEASURED:  # the budget read from the other families alone means nothing here
        return Verdict(at_end.verdict, f"at the end of training: {at_end.evidence} | at a matched budget of training "
                                       f"seconds: {at_budget.evidence}",
                       f"{at_end.headline}; at a matched training budget: {at_budget.headline}")
    verdict = combine((at_end.verdict, at_budget.verdict))
    when = f"at a matched budget of {budget:.3g} s of training (probe FD)"
    return Verdict(verdict, f"at the end of training: {at_end.evidence} | {when}, {note}: "
                            f"{tilde(at_budget.evidence)}",
                   f"{at_end.headline}; {when}: {tilde(at_budget.headline)}")


def check_vae_vs_gan(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    quality = compared(frame, "gan", ("vae",), QUALITY)
    if quality.verdict == NOT_MEASURED:
        return missing("gan", "vae")
    runs, note = sampling_runs(family_runs(frame))
    speed = compared(frame, "gan", ("vae",), ("sample_1k_s",), runs, timed=note)
    verdict = combine((quality.verdict, speed.verdict))
    return Verdict(verdict, f"quality: {quality.evidence} | speed: {speed.evidence}; the VAE also gives a "
                            f"likelihood bound, the GAN none", f"{quality.headline}; speed: {speed.headline}")


def check_article_gan(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    runs = article_runs(frame)
    if not (runs["family"] == "article").any() or not (runs["family"] == "gan").any():
        return missing("the article's GAN and DCGAN")
    verdict = compared(frame, "article", ("gan",), QUALITY, runs)
    classes = runs[runs["family"] == "article"]["classes_covered"]
    return Verdict(verdict.verdict, "classes covered by the article's GAN per seed: "
                                    + ", ".join(f"{int(c)}/10" for c in classes.dropna())
                                    + " | " + verdict.evidence.replace("ARTICLE", "the article's GAN"),
                   verdict.headline.replace("vs GAN (family mean)", "vs the GAN family"))
