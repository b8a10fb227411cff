"""The article's comparative claims, each checked against the study's measurements.

A :class:`Claim` quotes the article (section, Chinese original, English rendering), says
what would test it, whether its verdict is ``measured`` from the records or ``analytic``
(decided by argument or by the article's own text; only its evidence comes from the records),
and carries a ``check`` that reads the runs' frame (:func:`genstudy.study.report.runs_frame`)
and the 2-D runs' frame (:func:`toy_frame`) and returns a :class:`Verdict`: ``supported``,
``refuted``, ``qualified`` (true of some families or conditions, false of others, or the
yardsticks disagree), ``not measured`` (the runs needed are missing) or ``not enough seeds``.

Measured comparative verdicts follow :mod:`genstudy.study.compare`: families, not hand-picked
rows, are compared (a family's value for a seed is the mean over its own models; the
article's GANs are the article's code and get their own row), with at least
:data:`~genstudy.study.compare.MIN_SEEDS` seeds, a 95% t interval and a no-difference
band. "Supported" or "refuted" needs every quality yardstick (:data:`QUALITY`) to agree;
otherwise the verdict is "qualified" and the disagreement is shown. Timings are compared only
on one device and one machine: sampling seconds and training seconds come from the chapter *The
cost of sampling and training*, which times every run's architecture again on one machine, where it
has (:func:`sampling_runs`; :func:`training_runs`: a run's training seconds are its optimizer steps
times its architecture's seconds per step there); otherwise from the runs of the one device and
machine most runs ran on (:func:`one_device`). "Better" is read twice: at
the end of each run's training, and on the quality curves logged during training at one
matched budget of training seconds (:func:`genstudy.study.report.at_budget`); the two must
agree for "supported" or "refuted", and the numbers read at the budget carry a tilde (they
rest on measured seconds). "More efficient" is read twice too: seconds per 1,000 samples, and
the training seconds each run took to reach one probe FD that every compared run reached
(:func:`genstudy.study.report.time_to_quality`). The rules are tested on synthetic frames.
"""

from __future__ import annotations

import pandas as pd

from genstudy.metrics.catalog import info
from genstudy.study import compare as cmp
from genstudy.study.claims.definitions import (
    check_architecture,
    check_classic_complex,
    check_classic_learn_density,
    check_classic_sampling_complex,
    check_gan_is_generative,
    check_interpretability,
    check_loss_function,
    check_self_contradiction,
)
from genstudy.study.claims.discriminator import (
    MIN_HISTORY_ROWS,
    TREND_ALPHA,
    TREND_MIN_PARTS,
    TREND_PARTS,
    check_discriminator_accuracy,
    discriminator_accuracy,
    discriminator_readings,
    part_means,
    trend_from,
)
from genstudy.study.claims.efficiency import (
    check_classic_inefficient,
    check_gan_more_efficient,
)
from genstudy.study.claims.evidence import (
    TOY_METRIC_COLUMNS,
    TOY_RUN_COLUMNS,
    article_runs,
    at_matched_compute,
    compared,
    family_comparisons,
    family_mean,
    family_runs,
    finished_runs,
    on_curves,
    one_device,
    per_seed,
    precision_note,
    real_precision,
    sampling_runs,
    speeds_across_commits,
    tilde,
    timed_curves,
    to_common_quality,
    toy_frame,
    training_curves,
    training_runs,
)
from genstudy.study.claims.generalisation import (
    COPIES_LIMIT,
    GAP_BAND_NATS,
    MEMORISATION_RATIO,
    OFF_MANIFOLD_RATIO,
    binarized,
    check_generalisation,
)
from genstudy.study.claims.quality import (
    check_article_gan,
    check_gan_better_quality,
    check_vae_vs_gan,
)
from genstudy.study.claims.stability import (
    COLLAPSED_CLASSES,
    check_gan_unstable,
    seed_cv,
)
from genstudy.study.claims.verdicts import (
    ANALYTIC,
    CLASSIC,
    MEASURED,
    NOT_ENOUGH_SEEDS,
    NOT_MEASURED,
    QUALIFIED,
    QUALITY,
    REFUTED,
    SUPPORTED,
    Claim,
    Verdict,
    agreement,
    combine,
    headline_of,
    missing,
    names,
    pair_text,
    tally,
)

CLAIMS: tuple[Claim, ...] = (
    Claim("two-kinds", "§1", "生成对抗网络和生成性模型是两种不同的深度学习方法",
          "GANs and generative models are two different kinds of deep-learning method.",
          "Is a GAN measured as a generative model like the others?", check_gan_is_generative, ANALYTIC),
    Claim("self-contradiction", "§1", "生成对抗网络则是一种新兴的生成模型",
          "(Same paragraph:) a GAN is a new kind of generative model.",
          "The article's own words against its 'two different kinds'.", check_self_contradiction, ANALYTIC),
    Claim("better", "§1", "通过将生成模型和判别模型相互训练，实现了更高的效果",
          "By training a generator against a discriminator, GANs achieve better results (than VAE, RBM, DBN).",
          "GAN family against each classic family on FD, KID, precision, recall and coverage: 95% t intervals over "
          "seeds, no-difference bands; all five must agree (a precision above the real data's own is left out).",
          check_gan_better_quality),
    Claim("efficient", "§2.3", "生成对抗网络……实现了更高效的生成效果",
          "GANs generate more efficiently (高效 read as 'efficient': less compute per sample, and to learn).",
          "Seconds per 1,000 samples per family, one device, median of warmed-up repeats; and training "
          "seconds to one probe FD every compared run reached (the quality curves); both must agree.",
          check_gan_more_efficient),
    Claim("effective", "§2.3", "生成对抗网络……实现了更高效的生成效果",
          "GANs generate more effectively (高效 read as 'effective': better samples).",
          "As 'better': the five quality yardsticks, family against family.", check_gan_better_quality),
    Claim("density", "§2.3", "生成性模型通常需要直接学习数据的概率分布",
          "Generative models usually must learn the data's probability distribution directly.",
          "Which families report a likelihood, and with which estimator.", check_classic_learn_density, ANALYTIC),
    Claim("complex", "§2.3", "生成过程可能较为复杂",
          "Their generation process may be more complex.",
          "Gibbs sweeps needed per sample.", check_classic_sampling_complex, ANALYTIC),
    Claim("d-accurate", "§2.1, §3.1.3", "判别模型逐渐更准确地区分真实样本与生成样本",
          "The discriminator becomes ever more accurate at telling real from generated samples.",
          "The logged D(x) and D(G(z)) of the GAN family's runs: accuracy in the last fifth of training "
          "against the first.", check_discriminator_accuracy),
    Claim("gan-unstable", "§5.1", "生成对抗网络的挑战包括模型训练难度、模型稳定性",
          "GANs are hard to train and unstable.",
          "Failed runs and FD spread over seeds of the GAN family against the others; modes captured on the "
          "2-D mixtures.", check_gan_unstable),
    Claim("classic-complex", "§5.2", "生成性模型的挑战包括模型复杂性",
          "Generative models suffer from model complexity.",
          "No measure of 'complexity' is agreed; parameters and training seconds as context.", check_classic_complex),
    Claim("classic-inefficient", "§5.2", "生成性模型的挑战包括……模型效率",
          "Generative models suffer from low efficiency.",
          "Sampling seconds, and training seconds to a common probe FD, of each classic family against "
          "the GAN family's, one device.",
          check_classic_inefficient),
    Claim("generalisation", "§5.2", "研究模型的泛化能力",
          "Generalisation is a challenge for generative models.",
          "Nearest-training-image distances of samples against held-out images; the train–test likelihood gap.",
          check_generalisation),
    Claim("interpretability", "§5.1, §5.2", "模型解释性",
          "Both GANs and generative models face a challenge of interpretability.",
          "Nothing in this study measures it; what the families' structure allows.", check_interpretability,
          ANALYTIC),
    Claim("article-gan", "§3.1.3 (code)", "生成器……判别器……（文中的 TensorFlow 代码）",
          "The article's own GAN code, fixed minimally, as a GAN to learn from.",
          "The article's GAN (PyTorch port) against the GAN family, same five yardsticks and seeds.",
          check_article_gan),
)

FAQ: tuple[Claim, ...] = (
    Claim("faq-difference", "§6 Q1", "生成对抗网络与生成性模型的主要区别是什么？",
          "What is the main difference? — 'GANs generate more efficiently.'",
          "As §2.3: sampling seconds per family.", check_gan_more_efficient),
    Claim("faq-loss", "§6 Q2", "生成对抗网络的损失函数是什么？",
          "What is the GAN's loss? — 'E[log D(x)] + E[log(1 - D(G(z)))].'",
          "What the trained GANs actually optimise.", check_loss_function, ANALYTIC),
    Claim("faq-vae", "§6 Q3", "变分Autoencoder与生成对抗网络的主要区别是什么？",
          "VAE vs GAN? — 'The VAE learns the distribution; the GAN generates more efficiently.'",
          "GAN family against VAE family: the five quality yardsticks and sampling seconds.", check_vae_vs_gan),
    Claim("faq-architecture", "§6 Q4", "如何选择生成对抗网络的生成模型和判别模型的结构？",
          "How to choose the architectures? — 'Deep networks; a CNN discriminator; try and compare.'",
          "The article's GAN against DCGAN, same data and budget.", check_architecture, ANALYTIC),
)


def check_claims(claims: tuple[Claim, ...], frame: pd.DataFrame, toy: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: section, the article's words (Chinese and English), the test, its
    basis (measured or analytic), the verdict and its evidence, all computed from ``frame``
    and ``toy``."""
    rows = []
    for c in claims:
        v = c.check(frame, toy)
        rows.append({"section": c.section, "the article (原文)": c.quote, "in English": c.english,
                     "measured by": c.test, "basis": c.basis, "verdict": v.verdict, "evidence": v.evidence})
    return pd.DataFrame(rows)


def comparison_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every family comparison behind the verdicts: the GAN family against each classic family
    on the quality yardsticks and (one device) the sampling seconds, and the article's GAN
    against the GAN family. Columns: A, B, metric, A's and B's means, seeds, gain of A with its
    interval, band, outcome; numbers written in the metric's digits, times with their unit. A
    family with no run in a comparison (say, none on the one machine whose timings are compared)
    reads "not measured", with no mean, interval or band."""
    runs = family_runs(frame)
    timed, _ = sampling_runs(runs)
    groups = [family_comparisons(frame, "gan", CLASSIC, QUALITY, runs),
              family_comparisons(frame, "gan", CLASSIC, ("sample_1k_s",), timed),
              family_comparisons(frame, "article", ("gan",), QUALITY, article_runs(frame))]
    rows = []
    for group in groups:
        for comparisons in group.values():
            for c in comparisons:
                few = c.outcome == cmp.FEW_SEEDS
                rows.append({"A": c.a, "B": c.b, "metric": info(c.metric).title,
                             "A mean": c.number(c.mean_a) if c.n_a else "",
                             "B mean": c.number(c.mean_b) if c.n_b else "",
                             "seeds": f"{c.n_a}, {c.n_b}",
                             "gain of A [95% interval]": "" if few else
                             f"{c.number(c.gain)} [{c.number(c.low)}, {c.number(c.high)}]",
                             "band ±": "" if few else c.number(c.band),
                             "outcome": c.outcome if c.n_a and c.n_b else NOT_MEASURED})
    return pd.DataFrame(rows, columns=["A", "B", "metric", "A mean", "B mean", "seeds", "gain of A [95% interval]",
                                       "band ±", "outcome"])


__all__ = [
    "ANALYTIC",
    "CLAIMS",
    "CLASSIC",
    "COLLAPSED_CLASSES",
    "COPIES_LIMIT",
    "FAQ",
    "GAP_BAND_NATS",
    "MEASURED",
    "MEMORISATION_RATIO",
    "MIN_HISTORY_ROWS",
    "NOT_ENOUGH_SEEDS",
    "NOT_MEASURED",
    "OFF_MANIFOLD_RATIO",
    "QUALIFIED",
    "QUALITY",
    "REFUTED",
    "SUPPORTED",
    "TOY_METRIC_COLUMNS",
    "TOY_RUN_COLUMNS",
    "TREND_ALPHA",
    "TREND_MIN_PARTS",
    "TREND_PARTS",
    "Claim",
    "Verdict",
    "agreement",
    "article_runs",
    "at_matched_compute",
    "binarized",
    "check_architecture",
    "check_article_gan",
    "check_claims",
    "check_classic_complex",
    "check_classic_inefficient",
    "check_classic_learn_density",
    "check_classic_sampling_complex",
    "check_discriminator_accuracy",
    "check_gan_better_quality",
    "check_gan_is_generative",
    "check_gan_more_efficient",
    "check_gan_unstable",
    "check_generalisation",
    "check_interpretability",
    "check_loss_function",
    "check_self_contradiction",
    "check_vae_vs_gan",
    "combine",
    "compared",
    "comparison_table",
    "discriminator_accuracy",
    "discriminator_readings",
    "family_comparisons",
    "family_mean",
    "family_runs",
    "finished_runs",
    "headline_of",
    "missing",
    "names",
    "on_curves",
    "one_device",
    "pair_text",
    "part_means",
    "per_seed",
    "precision_note",
    "real_precision",
    "sampling_runs",
    "seed_cv",
    "speeds_across_commits",
    "tally",
    "tilde",
    "timed_curves",
    "to_common_quality",
    "toy_frame",
    "training_curves",
    "training_runs",
    "trend_from",
]
