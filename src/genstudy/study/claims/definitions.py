"""The claims read from definitions and the article's own words (their basis ``analytic``):
what a GAN is, which families learn a density, how they sample, what is not measured."""

from __future__ import annotations

import pandas as pd

from genstudy.study.claims.evidence import family_mean, family_runs, finished_runs
from genstudy.study.claims.verdicts import (
    CLASSIC,
    NOT_MEASURED,
    QUALIFIED,
    REFUTED,
    SUPPORTED,
    Verdict,
    missing,
)


def check_gan_is_generative(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"Two different kinds of method": refuted when the GAN family's runs are measured as generative
    models, by the yardsticks every other family is measured by; the article's own next sentence is
    part of the evidence."""
    ok = finished_runs(frame)
    if not (ok["family"] == "gan").any():
        return missing("gan")
    measured = ok.dropna(subset=["fd"])
    return Verdict(REFUTED, f"a GAN's generator defines a distribution p_g over images, like every other family; "
                            f"all {measured['label'].nunique()} models here, GANs included, are scored by the same "
                            f"distances between their samples and the data (GAN family FD "
                            f"{family_mean(frame, 'gan', 'fd'):.1f}). The article contradicts itself here: the same "
                            "paragraph calls a GAN \"一种新兴的生成模型\" (a new kind of generative model)")


def check_self_contradiction(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"A GAN is a new kind of generative model": supported when GAN runs draw samples from a learned
    distribution that the generative yardsticks score (the claim is the article's own, and true)."""
    ok = finished_runs(frame)
    gans = ok[(ok["family"] == "gan")].dropna(subset=["fd"])
    if gans.empty:
        return missing("gan")
    return Verdict(SUPPORTED, f"the {gans['label'].nunique()} GAN models here sample from a learned distribution "
                              f"p_g and are scored by the generative yardsticks like the VAE, RBM and DBN (GAN family "
                              f"FD {family_mean(frame, 'gan', 'fd'):.1f}), as Goodfellow et al. (2014) say of their "
                              "own 'generative model' G; this sentence of the article is right, and it contradicts "
                              "the one before it (\"两种不同的深度学习方法\", refuted above)")


def check_classic_learn_density(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = finished_runs(frame)
    own = ok[ok["log_likelihood_estimator"].fillna("") != ""]
    if own.empty:
        return missing(*CLASSIC)
    estimators = own.groupby("family", sort=False)["log_likelihood_estimator"].first()
    text = "; ".join(f"{f.upper()}: {e}" for f, e in estimators.items())
    return Verdict(QUALIFIED, f"the likelihood families fit p(x) only through bounds or approximations ({text}); "
                              f"the RBM/DBN gradient itself is approximated by contrastive divergence. The GAN learns "
                              f"a distribution too, implicitly: a Parzen window scores its samples like any other's "
                              f"(GAN family {family_mean(frame, 'gan', 'parzen_ll'):.1f} nats)")


def check_classic_sampling_complex(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = finished_runs(frame)
    sweeps = ok.groupby("family", sort=False)["gibbs_steps"].max().dropna()
    if sweeps.empty or not set(CLASSIC) & set(sweeps.index):
        return missing(*CLASSIC)
    chains = [f for f in CLASSIC if sweeps.get(f, 0) > 0]
    direct = [f for f in sweeps.index if sweeps[f] == 0]
    evidence = "Gibbs sweeps per sample: " + ", ".join(f"{f.upper()} {int(s)}" for f, s in sweeps.items())
    if chains and any(f in direct for f in CLASSIC):
        one_pass = ", ".join(f.upper() for f in CLASSIC if f in direct)
        return Verdict(QUALIFIED, f"true of {', '.join(f.upper() for f in chains)} (a Markov chain per sample), "
                                  f"false of {one_pass} (one decoder pass, like a GAN's generator). {evidence}")
    return Verdict(SUPPORTED if chains else REFUTED, evidence)


def check_classic_complex(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    runs = family_runs(frame)
    per = runs.groupby("family", sort=False).agg(params=("params", "median"), train_s=("train_s", "median"))
    if per.empty:
        return missing("gan", *CLASSIC)
    return Verdict(NOT_MEASURED, "'model complexity' has no agreed measure, and parameter counts or training "
                                 "seconds follow the budgets this study chose, not the families; for context, the "
                                 "median parameters (training seconds) per family: "
                                 + ", ".join(f"{f.upper()} {int(r.params):,} ({r.train_s:.3g} s)"
                                             for f, r in per.iterrows()))


def check_interpretability(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = finished_runs(frame)
    if ok.empty:
        return missing("gan", *CLASSIC)
    encoders = sorted({str(f).upper() for f in ok["family"] if f in ("vae", "rbm", "dbn", "autoencoder")})
    return Verdict(NOT_MEASURED, "this study has no measure of interpretability, for any family. What it can say: "
                                 f"{', '.join(encoders) or 'the likelihood families'} map an image to its latent "
                                 "code (an encoder q(z|x) or the posterior p(h|v)); a GAN has no such map, so its "
                                 "latent space can only be probed from the generator's side")


def check_loss_function(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = finished_runs(frame)
    gans = ok[ok["family"] == "gan"]
    if gans.empty:
        return missing("gan")
    return Verdict(QUALIFIED, "the formula is the value V(D, G) of a minimax game, maximised by D and minimised by "
                              "G, not one loss both minimise; at the optimum D* = p_data/(p_data+p_g). Every GAN "
                              f"here ({', '.join(sorted(set(gans['label'])))}) trains D on the cross-entropy and G on "
                              "the non-saturating loss -log D(G(z)), as Goodfellow et al. recommend")


def check_architecture(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = finished_runs(frame)
    gans = ok[ok["family"] == "gan"].groupby("label", sort=False)[["fd", "classes_covered", "params"]].mean()
    if len(gans) < 2:
        return missing("two GAN architectures")
    text = "; ".join(f"{label}: FD {r.fd:.1f}, {r.classes_covered:.3g}/10 classes, {int(r.params):,} parameters"
                     for label, r in gans.iterrows())
    best, worst = gans["fd"].idxmin(), gans["fd"].idxmax()
    ratio = gans.loc[worst, "fd"] / gans.loc[best, "fd"]
    return Verdict(QUALIFIED, f"both discriminators are convolutional, yet {worst} ends with {ratio:.2g}x the FD "
                              f"of {best} on the same data and yardstick: the architecture matters within the family, "
                              f"and 'try and compare' needs a metric to compare with. {text}")
