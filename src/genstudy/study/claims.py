"""The article's comparative claims, each checked against the study's measurements.

A :class:`Claim` quotes the article (section, Chinese original, English rendering), says
what would test it, and carries a ``check`` that reads the runs' frame
(:func:`genstudy.study.report.runs_frame`) and the 2-D runs' frame (:func:`toy_frame`) and
returns a :class:`Verdict`: ``supported``, ``refuted``, ``qualified`` (true of some
families or conditions, false of others) or ``not measured`` (the runs needed are
missing). The rules are tested on synthetic frames.

Most verdicts are computed from the records each time, so a different profile or more seeds
can change them. Five are fixed by argument, not by measurement, and only their evidence
comes from the records: :func:`check_gan_is_generative` (refuted: a GAN is a generative
model), :func:`check_classic_learn_density` and :func:`check_loss_function` (qualified: what
the families optimise), :func:`check_architecture` (qualified, whenever two GAN architectures
ran) and :func:`check_interpretability` (not measured: the study has no measure of it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from genstudy.metrics.catalog import higher_is_better
from genstudy.runs.record import RUN_RECORD, read_record
from genstudy.study.toy import TOY_DIR

SUPPORTED, REFUTED, QUALIFIED, NOT_MEASURED = "supported", "refuted", "qualified", "not measured"
CLASSIC = ("vae", "rbm", "dbn")


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str


@dataclass(frozen=True)
class Claim:
    """One claim of the article: where (``section``), its words (``quote``, ``english``),
    what tests it (``test``) and the rule that decides (``check``)."""

    key: str
    section: str
    quote: str
    english: str
    test: str
    check: Callable[[pd.DataFrame, pd.DataFrame], Verdict]


TOY_RUN_COLUMNS = ("model", "mixture", "seed")
TOY_METRIC_COLUMNS = ("modes_captured", "n_modes", "high_quality", "kde_ll")


def toy_frame(results_dir: Path | str, profile: str) -> pd.DataFrame:
    """The 2-D chapter's records (``results/<profile>/toy2d/*/record.json``): one row per run
    with ``model, mixture, seed, modes_captured, n_modes, high_quality, kde_ll``."""
    rows = []
    for path in sorted(Path(results_dir).glob(f"{profile}/{TOY_DIR}/*/{RUN_RECORD}")):
        r = read_record(path.parent) or {}
        rows.append({"model": r["model"], "mixture": r["dataset"], "seed": r["seed"],
                     **{k: r["metrics"][k] for k in TOY_METRIC_COLUMNS}})
    return pd.DataFrame(rows, columns=[*TOY_RUN_COLUMNS, *TOY_METRIC_COLUMNS])


# --- helpers over the runs' frame ------------------------------------------------------------

def _ok(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["status"] == "ok") & (frame["family"] != "data")]


def _per_model(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean of ``column`` over seeds per (family, label); NaN rows dropped."""
    ok = _ok(frame)
    return ok.groupby(["family", "label"], sort=False)[column].mean().dropna().reset_index()


def _best(frame: pd.DataFrame, family: str, column: str) -> tuple[str, float] | None:
    """(label, value) of the family's best model on metric ``column`` (mean over seeds; "best"
    in the metric's own direction, :func:`genstudy.metrics.catalog.higher_is_better`), or None."""
    per = _per_model(frame, column)
    per = per[per["family"] == family]
    if per.empty:
        return None
    row = per.loc[per[column].idxmax() if higher_is_better(column) else per[column].idxmin()]
    return str(row["label"]), float(row[column])


def _fmt(best: tuple[str, float] | None, digits: int = 1) -> str:
    return f"{best[0]} {best[1]:.{digits}f}" if best else "—"


def _seconds(best: tuple[str, float] | None) -> str:
    """A model's time with its unit (``dcgan 0.289 s``): the book writes every time so."""
    return f"{best[0]} {best[1]:.3g} s" if best else "—"


def _missing(*families: str) -> Verdict:
    return Verdict(NOT_MEASURED, f"no successful run of {', '.join(families)} in these records")


def _names(families: list[str]) -> str:
    return ", ".join(f.upper() for f in families)


def _tally(holds: list[str], families: list[str], evidence: str, true_of: str, false_of: str) -> Verdict:
    """The claim holds for the families in ``holds`` out of ``families``: supported when it holds
    for all, refuted for none, else qualified, naming both sides (``<true_of> A, B; <false_of> C``)."""
    if len(holds) == len(families):
        return Verdict(SUPPORTED, evidence)
    if not holds:
        return Verdict(REFUTED, evidence)
    return Verdict(QUALIFIED, f"{true_of} {_names(holds)}; {false_of} "
                              f"{_names([f for f in families if f not in holds])}: {evidence}")


# --- the checks -----------------------------------------------------------------------------

def check_gan_is_generative(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    gans = ok[ok["family"] == "gan"]
    if gans.empty:
        return _missing("gan")
    measured = ok.dropna(subset=["fd"])
    return Verdict(REFUTED, f"a GAN's generator defines a distribution p_g over images, like every other family; "
                            f"all {measured['label'].nunique()} models here, GANs included, are scored by the same "
                            f"distances between their samples and the data (e.g. FD {_fmt(_best(frame, 'gan', 'fd'))})")


def _compare_quality(frame: pd.DataFrame, families: tuple[str, ...]) -> Verdict:
    gan = _best(frame, "gan", "fd")
    others = {f: _best(frame, f, "fd") for f in families}
    others = {f: b for f, b in others.items() if b}
    if gan is None or not others:
        return _missing("gan", *families)
    beaten = [f for f, b in others.items() if gan[1] < b[1]]
    recall_gan = _best(frame, "gan", "recall")
    recall_txt = "; best recall: GAN " + _fmt(recall_gan, 3) + ", " + ", ".join(
        f"{f.upper()} {_fmt(_best(frame, f, 'recall'), 3)}" for f in others)
    evidence = (f"best FD (lower is better): GAN {_fmt(gan)}; "
                + ", ".join(f"{f.upper()} {_fmt(b)}" for f, b in others.items()) + recall_txt)
    return _tally(beaten, list(others), evidence, "the best GAN beats", "but not")


def check_gan_better_quality(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    return _compare_quality(frame, CLASSIC)


def _sampling(frame: pd.DataFrame, family: str) -> tuple[str, float] | None:
    return _best(frame, family, "sample_1k_s")


def check_gan_more_efficient(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    gan = _sampling(frame, "gan")
    others = {f: _sampling(frame, f) for f in CLASSIC}
    others = {f: b for f, b in others.items() if b}
    if gan is None or not others:
        return _missing("gan", *CLASSIC)
    faster_than = [f for f, b in others.items() if gan[1] < b[1]]
    evidence = ("fastest sampler per family, time for 1,000 samples: GAN " + _seconds(gan) + "; "
                + ", ".join(f"{f.upper()} {_seconds(b)} ({b[1] / gan[1]:.2g}× the GAN's)" for f, b in others.items()))
    return _tally(faster_than, list(others), evidence, "faster than", "not than")


def check_classic_learn_density(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    own = ok[ok["log_likelihood"].notna()]
    if own.empty:
        return _missing(*CLASSIC)
    estimators = own.groupby("family", sort=False)["log_likelihood_estimator"].first()
    gan_parzen = _best(frame, "gan", "parzen_ll")
    text = "; ".join(f"{f.upper()}: {e}" for f, e in estimators.items())
    return Verdict(QUALIFIED, f"the likelihood families fit p(x) only through bounds or approximations ({text}); "
                              f"the RBM/DBN gradient itself is approximated by contrastive divergence. The GAN learns "
                              f"a distribution too, implicitly: a Parzen window scores its samples like any other's "
                              f"(GAN {_fmt(gan_parzen)} nats)")


def check_classic_sampling_complex(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    sweeps = ok.groupby("family", sort=False)["gibbs_steps"].max().dropna()
    if sweeps.empty or not set(CLASSIC) & set(sweeps.index):
        return _missing(*CLASSIC)
    chains = [f for f in CLASSIC if sweeps.get(f, 0) > 0]
    direct = [f for f in sweeps.index if sweeps[f] == 0]
    evidence = "Gibbs sweeps per sample: " + ", ".join(f"{f.upper()} {int(s)}" for f, s in sweeps.items())
    if chains and any(f in direct for f in CLASSIC):
        one_pass = ", ".join(f.upper() for f in CLASSIC if f in direct)
        return Verdict(QUALIFIED, f"true of {', '.join(f.upper() for f in chains)} (a Markov chain per sample), "
                                  f"false of {one_pass} (one decoder pass, like a GAN's generator). {evidence}")
    return Verdict(SUPPORTED if chains else REFUTED, evidence)


def check_gan_unstable(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    gans = ok[ok["family"] == "gan"].dropna(subset=["classes_covered"])
    parts = []
    collapsed = gans[gans["classes_covered"] <= 2]
    if not gans.empty:
        parts.append("classes covered by the GANs' samples: "
                     + ", ".join(f"{r.label} {int(r.classes_covered)}/10" for r in gans.itertuples()))
    toy_gan = toy[toy["model"] == "gan"]
    toy_vae = toy[toy["model"] == "vae"]
    fewer = []
    for mix in sorted(set(toy_gan["mixture"]) & set(toy_vae["mixture"])):
        g = toy_gan[toy_gan["mixture"] == mix]["modes_captured"].mean()
        v = toy_vae[toy_vae["mixture"] == mix]["modes_captured"].mean()
        n = int(toy_gan[toy_gan["mixture"] == mix]["n_modes"].iloc[0])
        parts.append(f"{mix}: GAN captured {g:.3g}/{n} modes, VAE {v:.3g}/{n}")
        if g < v:
            fewer.append(mix)
    spread = _seed_spread(frame)
    if spread:
        parts.append("FD spread over seeds (sd/mean): " + ", ".join(f"{f.upper()} {v:.2f}" for f, v in spread.items()))
    if not parts:
        return _missing("gan")
    others = [v for f, v in spread.items() if f != "gan"]
    less_stable = "gan" in spread and bool(others) and spread["gan"] > max(others)
    if len(collapsed) or fewer or less_stable:
        return Verdict(SUPPORTED, "; ".join(parts))
    return Verdict(QUALIFIED, "no collapse observed in these runs: " + "; ".join(parts))


def _seed_spread(frame: pd.DataFrame) -> dict[str, float]:
    """Per family, the median over its models of FD's coefficient of variation across seeds
    (models with at least two successful seeds only)."""
    ok = _ok(frame).dropna(subset=["fd"])
    per_model = ok.groupby(["family", "label"])["fd"].agg(["std", "mean", "count"])
    per_model = per_model[per_model["count"] >= 2]
    cv = (per_model["std"] / per_model["mean"]).groupby(level="family").median()
    return {str(f): float(v) for f, v in cv.items()}


def check_classic_inefficient(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    per = ok.groupby("family", sort=False)[["sample_1k_s", "eval_s"]].mean()
    if per.empty or not set(CLASSIC) & set(per.index):
        return _missing(*CLASSIC)
    text = "; ".join(f"{f.upper()}: {row.sample_1k_s:.3g} s per 1k samples, {row.eval_s:.3g} s to evaluate"
                     for f, row in per.iterrows() if pd.notna(row.sample_1k_s))
    measured = [f for f in CLASSIC if f in per.index]
    slow = [f for f in measured if "gan" in per.index and per.loc[f, "sample_1k_s"] > per.loc["gan", "sample_1k_s"]]
    return _tally(slow, measured, text, "slower to sample than the GANs (Gibbs chains; AIS for log Z):", "not")


def check_classic_complex(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    per = ok.groupby("family", sort=False).agg(params=("params", "min"), train_s=("train_s", "median"))
    if "gan" not in per.index or not set(CLASSIC) & set(per.index):
        return _missing("gan", *CLASSIC)
    gan = per.loc["gan"]
    classic = [f for f in CLASSIC if f in per.index]
    bigger = [f for f in classic if per.loc[f, "params"] > gan["params"]]
    text = ("smallest model per family, parameters (median training seconds, same budget rules): "
            + ", ".join(f"{f.upper()} {int(r.params):,} ({r.train_s:.3g} s)" for f, r in per.iterrows()
                        if f in ("gan", *CLASSIC))
            + f"; the largest network of the study is {ok.loc[ok['params'].idxmax(), 'label']} "
              f"({int(ok['params'].max()):,} parameters)")
    return _tally(bigger, classic, text, "larger than the smallest GAN:", "smaller:")


def check_interpretability(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    if ok.empty:
        return _missing("gan", *CLASSIC)
    encoders = sorted({str(f).upper() for f in ok["family"] if f in ("vae", "rbm", "dbn", "autoencoder")})
    return Verdict(NOT_MEASURED, "this study has no measure of interpretability, for any family. What it can say: "
                                 f"{', '.join(encoders) or 'the likelihood families'} map an image to its latent "
                                 "code (an encoder q(z|x) or the posterior p(h|v)); a GAN has no such map, so its "
                                 "latent space can only be probed from the generator's side")


def check_loss_function(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    gans = ok[ok["family"] == "gan"]
    if gans.empty:
        return _missing("gan")
    return Verdict(QUALIFIED, "the formula is the value V(D, G) of a minimax game, maximised by D and minimised by "
                              "G, not one loss both minimise; at the optimum D* = p_data/(p_data+p_g). Every GAN "
                              f"here ({', '.join(sorted(set(gans['label'])))}) trains D on the cross-entropy and G on "
                              "the non-saturating loss -log D(G(z)), as Goodfellow et al. recommend")


def check_vae_vs_gan(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    gan_fd, vae_fd = _best(frame, "gan", "fd"), _best(frame, "vae", "fd")
    gan_s, vae_s = _sampling(frame, "gan"), _sampling(frame, "vae")
    if not (gan_fd and vae_fd and gan_s and vae_s):
        return _missing("gan", "vae")
    vae_ll = _best(frame, "vae", "log_likelihood")
    evidence = (f"best FD: GAN {_fmt(gan_fd)}, VAE {_fmt(vae_fd)}; time for 1k samples: GAN {_seconds(gan_s)}, "
                f"VAE {_seconds(vae_s)}; the VAE also gives a likelihood bound ({_fmt(vae_ll)} nats), the GAN none")
    gan_wins = (gan_fd[1] < vae_fd[1]) + (gan_s[1] < vae_s[1])
    return Verdict({2: SUPPORTED, 1: QUALIFIED, 0: REFUTED}[gan_wins], evidence)


def check_architecture(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    gans = ok[ok["family"] == "gan"].groupby("label", sort=False)[["fd", "classes_covered", "params"]].mean()
    if len(gans) < 2:
        return _missing("two GAN architectures")
    text = "; ".join(f"{label}: FD {r.fd:.1f}, {r.classes_covered:.3g}/10 classes, {int(r.params):,} parameters"
                     for label, r in gans.iterrows())
    best, worst = gans["fd"].idxmin(), gans["fd"].idxmax()
    ratio = gans.loc[worst, "fd"] / gans.loc[best, "fd"]
    return Verdict(QUALIFIED, f"both discriminators are convolutional, yet {worst} ends with {ratio:.2g}x the FD "
                              f"of {best} on the same data and yardstick: the architecture matters within the family, "
                              f"and 'try and compare' needs a metric to compare with. {text}")


CLAIMS: tuple[Claim, ...] = (
    Claim("two-kinds", "§1", "生成对抗网络和生成性模型是两种不同的深度学习方法",
          "GANs and generative models are two different kinds of deep-learning method.",
          "Is a GAN measured as a generative model like the others?", check_gan_is_generative),
    Claim("better", "§1", "通过将生成模型和判别模型相互训练，实现了更高的效果",
          "By training a generator against a discriminator, GANs achieve better results (than VAE, RBM, DBN).",
          "Best FD (and recall) of each family on the same data and yardstick.", check_gan_better_quality),
    Claim("efficient", "§2.3", "生成对抗网络……实现了更高效的生成效果",
          "GANs generate more efficiently.",
          "Seconds per 1,000 samples, fastest model of each family, same device.", check_gan_more_efficient),
    Claim("density", "§2.3", "生成性模型通常需要直接学习数据的概率分布",
          "Generative models usually must learn the data's probability distribution directly.",
          "Which families report a likelihood, and with which estimator.", check_classic_learn_density),
    Claim("complex", "§2.3", "生成过程可能较为复杂",
          "Their generation process may be more complex.",
          "Gibbs sweeps needed per sample.", check_classic_sampling_complex),
    Claim("gan-unstable", "§5.1", "生成对抗网络的挑战包括模型训练难度、模型稳定性",
          "GANs are hard to train and unstable.",
          "Class coverage of the GANs; modes captured on the 2-D mixtures; FD spread over seeds.",
          check_gan_unstable),
    Claim("classic-complex", "§5.2", "生成性模型的挑战包括模型复杂性",
          "Generative models suffer from model complexity.",
          "Parameters and training seconds per family.", check_classic_complex),
    Claim("classic-inefficient", "§5.2", "生成性模型的挑战包括……模型效率",
          "Generative models suffer from low efficiency.",
          "Sampling and evaluation seconds per family.", check_classic_inefficient),
    Claim("interpretability", "§5.1, §5.2", "模型解释性",
          "Both GANs and generative models face a challenge of interpretability.",
          "Nothing in this study measures it; what the families' structure allows.", check_interpretability),
)

FAQ: tuple[Claim, ...] = (
    Claim("faq-difference", "§6 Q1", "生成对抗网络与生成性模型的主要区别是什么？",
          "What is the main difference? — 'GANs generate more efficiently.'",
          "As §2.3: sampling seconds per family.", check_gan_more_efficient),
    Claim("faq-loss", "§6 Q2", "生成对抗网络的损失函数是什么？",
          "What is the GAN's loss? — 'E[log D(x)] + E[log(1 - D(G(z)))].'",
          "What the trained GANs actually optimise.", check_loss_function),
    Claim("faq-vae", "§6 Q3", "变分Autoencoder与生成对抗网络的主要区别是什么？",
          "VAE vs GAN? — 'The VAE learns the distribution; the GAN generates more efficiently.'",
          "Best FD, sampling seconds and likelihood of GAN and VAE.", check_vae_vs_gan),
    Claim("faq-architecture", "§6 Q4", "如何选择生成对抗网络的生成模型和判别模型的结构？",
          "How to choose the architectures? — 'Deep networks; a CNN discriminator; try and compare.'",
          "The article's GAN against DCGAN, same data and budget.", check_architecture),
)


def check_claims(claims: tuple[Claim, ...], frame: pd.DataFrame, toy: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: section, the article's words (Chinese and English), the test, the
    verdict and its evidence, all computed from ``frame`` and ``toy``."""
    rows = []
    for c in claims:
        v = c.check(frame, toy)
        rows.append({"section": c.section, "the article (原文)": c.quote, "in English": c.english,
                     "measured by": c.test, "verdict": v.verdict, "evidence": v.evidence})
    return pd.DataFrame(rows)
