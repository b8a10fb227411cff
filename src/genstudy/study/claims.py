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
between runs on one device and one machine (:func:`one_device`); sampling seconds come from the
chapter *The cost of sampling*, which times every run's architecture again on one machine, where
it has (:func:`sampling_runs`). "Better" is read twice: at
the end of each run's training, and on the quality curves logged during training at one
matched budget of training seconds (:func:`genstudy.study.report.at_budget`); the two must
agree for "supported" or "refuted", and the numbers read at the budget carry a tilde (they
rest on measured seconds). "More efficient" is read twice too: seconds per 1,000 samples, and
the training seconds each run took to reach one probe FD that every compared run reached
(:func:`genstudy.study.report.time_to_quality`). The rules are tested on synthetic frames.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from genstudy.metrics.catalog import info
from genstudy.runs.record import RUN_RECORD, read_record
from genstudy.runs.timing import COMPARED_FAMILIES
from genstudy.study import compare as cmp
from genstudy.study import report
from genstudy.study.toy import TOY_DIR

SUPPORTED, REFUTED, QUALIFIED, NOT_MEASURED = "supported", "refuted", "qualified", "not measured"
NOT_ENOUGH_SEEDS = cmp.FEW_SEEDS
MEASURED, ANALYTIC = "measured", "analytic"
CLASSIC = ("vae", "rbm", "dbn")
#: The yardsticks of sample quality that must agree for a "supported" or "refuted". A family's precision
#: above the real data's own is a collapse signal, not a win: that comparison is flagged and left out of the
#: verdict (:func:`family_comparisons`).
QUALITY = ("fd", "kid", "precision", "recall", "coverage")


@dataclass(frozen=True)
class Verdict:
    """A claim's ``verdict``, the ``evidence`` it rests on (every number, in words), and its
    ``headline``: the deciding numbers in a few words, with their intervals where there are
    any ("" when the verdict rests on no measured number)."""

    verdict: str
    evidence: str
    headline: str = ""


@dataclass(frozen=True)
class Claim:
    """One claim of the article: where (``section``), its words (``quote``, ``english``),
    what tests it (``test``), the rule that decides (``check``) and its ``basis``
    (``measured`` or ``analytic``)."""

    key: str
    section: str
    quote: str
    english: str
    test: str
    check: Callable[[pd.DataFrame, pd.DataFrame], Verdict]
    basis: str = MEASURED


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


def real_precision(frame: pd.DataFrame) -> float:
    """The real data's own precision (its training images scored against its test images, the
    baseline run of family ``data``); NaN without a baseline."""
    data = frame[(frame["family"] == "data") & (frame["status"] == "ok")]["precision"].dropna()
    return float(data.mean()) if len(data) else float("nan")


def precision_note(frame: pd.DataFrame, runs: pd.DataFrame) -> str:
    """Which families' precision lies above the real data's own (a collapse signal), in words; ""
    where none does or there is no baseline."""
    real = real_precision(frame)
    if not np.isfinite(real):
        return "precision read against an ideal of 1 (no real-data baseline among the records)"
    above = runs.groupby("family", sort=False)["precision"].mean()
    above = above[above > real]
    return "" if above.empty else (
        f"precision above the real images' own {real:.3f} (a collapse signal: a comparison with it is left out): "
        + ", ".join(f"{f.upper()} {v:.3f}" for f, v in above.items()))


def family_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """The successful runs that represent their family: PyTorch runs of the study's own models
    (the article's GANs and the TensorFlow runs test the article's code, not a family)."""
    ok = _ok(frame)
    return ok[(ok["framework"] == "pytorch") & ~ok["model"].isin(report.ARTICLE_MODELS)]


def per_seed(runs: pd.DataFrame, family: str, column: str) -> pd.Series:
    """One value per seed for ``family``: the mean of ``column`` over the family's models."""
    rows = runs[runs["family"] == family]
    return rows.groupby("seed")[column].mean().dropna()


def one_device(runs: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The runs on the device and machine most of them ran on, and a note naming the device (and,
    where runs were left out, how many and the machine kept).

    Runs match when their ``device`` and their ``machine`` (the record's CPU in words) are equal;
    a record that names no machine (made before machines were recorded) matches only others that
    name none, and the note warns when such runs were made by more than one commit: by different
    sessions, so possibly on different machines; it then gives what the runs themselves measure of
    those machines' speeds (:func:`speeds_across_commits`). ``cpu (2 threads)`` alone does not tell machines
    apart, and this project's have trained one model in 109 s and in 287 s under that label."""
    if runs.empty:
        return runs, ""
    devices = runs["device"].fillna("").astype(str)
    machines = runs["machine"].fillna("").astype(str) if "machine" in runs else pd.Series("", index=runs.index)
    keys = pd.Series(list(zip(devices, machines, strict=True)), index=runs.index)
    device, machine = main = keys.value_counts().idxmax()
    kept = keys.map(main.__eq__).astype(bool)
    left = int((~kept).sum())
    note = f"timings on {device or 'an unnamed device'} only" + (
        f" ({left} runs on other devices or machines left out; the machine kept: {machine or 'not recorded'})"
        if left else "")
    commits = sorted({report.short_commit(c) for c in runs.loc[kept, "commit"]}) if "commit" in runs else []
    if not machine and len(commits) > 1:
        note += (f"; their machine was not recorded and they were made by {len(commits)} commits "
                 f"({', '.join(commits)}), so possibly on different machines; {speeds_across_commits(runs[kept])}")
    return runs[kept], note


def sampling_runs(runs: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The runs whose sampling seconds compare, with ``sample_1k_s`` the seconds to compare, and a
    note that says where they were measured.

    Where the chapter *The cost of sampling* timed the runs' architectures (``timed_1k_s`` of
    :func:`genstudy.study.report.runs_frame`: every model in one process, on one device and
    machine), those timings: of the runs it timed, the note naming that machine and how many runs
    of the compared families (:data:`~genstudy.runs.timing.COMPARED_FAMILIES`) it did not time
    (left out). Otherwise the records' own seconds, measured after each run's
    training, of the one device and machine most runs ran on (:func:`one_device`)."""
    if "timed_1k_s" not in runs or runs["timed_1k_s"].isna().all():
        return one_device(runs)
    timed = runs.dropna(subset=["timed_1k_s"])
    machines = sorted(set(timed["timed_on"]))
    left = int((runs["timed_1k_s"].isna() & runs["family"].isin(COMPARED_FAMILIES)).sum())
    note = (f"1,000 samples of each run's architecture timed again, every model in one process on "
            f"{' and '.join(machines)} (the chapter The cost of sampling)"
            + (f"; {left} runs it did not time left out" if left else ""))
    return timed.assign(sample_1k_s=timed["timed_1k_s"]), note


def speeds_across_commits(runs: pd.DataFrame) -> str:
    """What ``runs`` (of one device, made by more than one commit) measure of their machines'
    speeds: each model trained under more than one commit, with its training seconds under each
    (one value, or the range over its seeds) and the ratio of the slowest commit's median to the
    fastest's; the same configuration apart from the seed, so a ratio near its seeds' own spread
    says the sessions' machines trained *that model* at one speed. It says nothing of the others,
    since a machine's speed differs by model (a 2-core AMD EPYC trains the full profile's RBM as
    fast as the machines of the published runs, DCGAN 2.6 times slower), and the text says so. It
    ends with the relative band within which timings count as no different. Models are named as in
    the records."""
    timed = runs.dropna(subset=["train_s"]).assign(short=runs["commit"].map(report.short_commit))
    parts = []
    for model, rows in timed.groupby("model", sort=False):
        by_commit = rows.groupby("short", sort=True)["train_s"]
        if by_commit.ngroups < 2:
            continue
        seconds = " and ".join(f"{_seconds_range(values)} under {commit}" for commit, values in by_commit)
        medians = by_commit.median()
        parts.append(f"{model} took {seconds} (slowest to fastest median {medians.max() / medians.min():.2f})")
    if not parts:
        return "no model was trained under more than one of them, so their speeds cannot be compared"
    return ("; ".join(parts) + f", against timings' no-difference band of ±{info('time_to_quality_s').band:.0%} "
            f"(of {'this model' if len(parts) == 1 else 'these models'} only: a machine's speed differs by model)")


def _seconds_range(values: pd.Series) -> str:
    """``57.1 s`` for one value, ``51.4–53.7 s`` for several."""
    low, high = values.min(), values.max()
    return f"{low:.3g} s" if len(values) == 1 or f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g}–{high:.3g} s"


def family_comparisons(frame: pd.DataFrame, a: str, others: tuple[str, ...], metrics: tuple[str, ...],
                       runs: pd.DataFrame | None = None) -> dict[str, list[cmp.Comparison]]:
    """``a`` against each family of ``others`` present, on each metric: family → comparisons. A precision
    comparison in which either family's mean precision lies above the real data's own
    (:func:`real_precision`) is :data:`~genstudy.study.compare.FLAGGED`: a collapse signal, which
    :func:`_agreement` leaves out."""
    runs = family_runs(frame) if runs is None else runs
    real = real_precision(frame)
    out = {}
    for other in others:
        if (runs["family"] == other).any():
            compared = (cmp.compare(per_seed(runs, a, m), per_seed(runs, other, m), m, (a, other)) for m in metrics)
            out[other] = [replace(c, outcome=cmp.FLAGGED) if c.metric == "precision" and c.outcome != cmp.FEW_SEEDS
                          and max(c.mean_a, c.mean_b) > real else c for c in compared]
    return out


def _agreement(comparisons: list[cmp.Comparison]) -> str:
    """One pair's verdict from its metrics' outcomes: supported when every metric says A is
    better, refuted when none does and none is undecided, else qualified; not enough seeds
    when a group is short of seeds."""
    outcomes = {c.outcome for c in comparisons} - {cmp.FLAGGED} or {cmp.UNDECIDED}
    if cmp.FEW_SEEDS in outcomes:
        return NOT_ENOUGH_SEEDS
    if outcomes == {cmp.BETTER}:
        return SUPPORTED
    if outcomes <= {cmp.WORSE, cmp.SAME}:
        return REFUTED
    return QUALIFIED


def _combine(verdicts: Iterable[str]) -> str:
    """Several verdicts (of pairs, or of one pair read two ways) as one: a reading not measured
    is left out (the others decide; all not measured → not measured); then all alike → that
    verdict; any short of seeds → not enough seeds; otherwise qualified."""
    values = set(verdicts)
    values = values - {NOT_MEASURED} or values
    if NOT_ENOUGH_SEEDS in values:
        return NOT_ENOUGH_SEEDS
    return values.pop() if len(values) == 1 else QUALIFIED


def _pair_text(a: str, other: str, comparisons: list[cmp.Comparison], verdict: str) -> str:
    return f"{a.upper()} vs {other.upper()} ({verdict}): " + "; ".join(c.text() for c in comparisons)


def _headline(comparisons: dict[str, list[cmp.Comparison]]) -> str:
    """The first metric of each pair in a few words, against the other family's mean over its models:
    ``vs VAE (family mean): FD gain -52.3 [-80.1, -20.4], worse``."""
    parts = []
    for other, cs in comparisons.items():
        c = cs[0]
        title = info(c.metric).title.split(" (")[0].rstrip(" ↑↓")
        parts.append(f"vs {other.upper()}: {cmp.FEW_SEEDS} ({c.n_a} and {c.n_b})" if c.outcome == cmp.FEW_SEEDS
                     else f"vs {other.upper()} (family mean): {title} gain {c.number(c.gain)} [{c.number(c.low)}, "
                          f"{c.number(c.high)}], {c.outcome}")
    return "; ".join(parts)


def _compared(frame: pd.DataFrame, a: str, others: tuple[str, ...], metrics: tuple[str, ...],
              runs: pd.DataFrame | None = None, note: str = "", timed: str = "") -> Verdict:
    """The verdict "``a`` is better than each of ``others`` on every one of ``metrics``"; its
    headline is each pair's first metric with its interval. ``runs`` defaults to
    :func:`family_runs`; ``timed`` is the note of :func:`one_device` when ``runs`` are the runs
    of one device and machine, which the verdict then names. Not measured when ``a``, or every one
    of ``others``, has no run among ``runs``; the verdict names those (a family of ``others`` with no
    run is otherwise left out of the comparison)."""
    runs = family_runs(frame) if runs is None else runs
    comparisons = family_comparisons(frame, a, others, metrics, runs)
    present = set(runs["family"])
    if not comparisons or a not in present:
        return _missing(*([a] if a not in present else []), *([] if comparisons else others), timed=timed)
    pairs = {o: _agreement(cs) for o, cs in comparisons.items()}
    evidence = " | ".join(_pair_text(a, o, cs, pairs[o]) for o, cs in comparisons.items())
    if "precision" in metrics and (flag := precision_note(frame, runs)):
        note = f"{note}. {flag}" if note else flag
    return Verdict(_combine(pairs.values()), (note + ". " if note else "") + evidence, _headline(comparisons))


def _missing(*families: str, timed: str = "") -> Verdict:
    """Not measured: no successful run of ``families`` in these records or, given ``timed`` (the
    note of :func:`one_device`), among the runs of the one device and machine whose timings are
    compared; the headline says which families, in a few words."""
    names = ", ".join(families)
    if timed:
        return Verdict(NOT_MEASURED, f"no successful run of {names} among the runs timed on one device and machine "
                                     f"({timed})", f"not measured: no run of {names} on the machine timed")
    return Verdict(NOT_MEASURED, f"no successful run of {names} in these records")


def _mean(frame: pd.DataFrame, family: str, column: str) -> float:
    return float(per_seed(family_runs(frame), family, column).mean())


# --- the checks -----------------------------------------------------------------------------

def check_gan_is_generative(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"Two different kinds of method": refuted when the GAN family's runs are measured as generative
    models, by the yardsticks every other family is measured by; the article's own next sentence is
    part of the evidence."""
    ok = _ok(frame)
    if not (ok["family"] == "gan").any():
        return _missing("gan")
    measured = ok.dropna(subset=["fd"])
    return Verdict(REFUTED, f"a GAN's generator defines a distribution p_g over images, like every other family; "
                            f"all {measured['label'].nunique()} models here, GANs included, are scored by the same "
                            f"distances between their samples and the data (GAN family FD "
                            f"{_mean(frame, 'gan', 'fd'):.1f}). The article contradicts itself here: the same "
                            "paragraph calls a GAN \"一种新兴的生成模型\" (a new kind of generative model)")


def check_self_contradiction(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"A GAN is a new kind of generative model": supported when GAN runs draw samples from a learned
    distribution that the generative yardsticks score (the claim is the article's own, and true)."""
    ok = _ok(frame)
    gans = ok[(ok["family"] == "gan")].dropna(subset=["fd"])
    if gans.empty:
        return _missing("gan")
    return Verdict(SUPPORTED, f"the {gans['label'].nunique()} GAN models here sample from a learned distribution "
                              f"p_g and are scored by the generative yardsticks like the VAE, RBM and DBN (GAN family "
                              f"FD {_mean(frame, 'gan', 'fd'):.1f}), as Goodfellow et al. (2014) say of their own "
                              "'generative model' G; this sentence of the article is right, and it contradicts "
                              "the one before it (\"两种不同的深度学习方法\", refuted above)")


#: A decimal number in a verdict's text (for :func:`_timed`; counts of seeds are integers and stay as they are).
_NUMBER = re.compile(r"(?<![\w.~])-?\d+\.\d+(?:e[-+]?\d+)?(?![\w.])")


def _timed(text: str) -> str:
    """``text`` with a tilde before every decimal number: numbers read at a budget of measured seconds,
    which move a little between executions (the book's notation; nbval masks them)."""
    return _NUMBER.sub(lambda m: "~" + m.group(), text)


def timed_curves(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The quality curves (:func:`genstudy.study.report.quality_curves`) of the family runs of one device
    and machine (:func:`one_device`), and its note: the one reading of training seconds that the
    matched budget and the time to a common quality rest on, in the comparison chapter and the claims."""
    runs, note = one_device(family_runs(frame))
    return report.quality_curves(runs), note


def _on_curves(frame: pd.DataFrame, runs: pd.DataFrame, a: str, others: tuple[str, ...], metric: str,
               reading: Callable[[pd.DataFrame], tuple[pd.Series, float]],
               timed: str = "") -> tuple[Verdict, float] | None:
    """``a`` against ``others`` on ``metric``: one value per run that ``reading`` takes from the
    quality curves of ``runs``, the family runs of one device and machine (:func:`one_device`,
    whose note is ``timed``): a Series indexed by ``(label, seed)``, and the budget or level it read
    them at, returned beside the verdict; None when no run logged quality probes."""
    curves = report.quality_curves(runs)
    if curves.empty:
        return None
    values, where = reading(curves)
    read = [values.get((label, seed), np.nan) for label, seed in zip(runs["label"], runs["seed"], strict=True)]
    return _compared(frame, a, others, (metric,), runs.assign(**{metric: read}), timed=timed), where


def _at_matched_compute(frame: pd.DataFrame, runs: pd.DataFrame, a: str, others: tuple[str, ...],
                        timed: str = "") -> tuple[Verdict, float] | None:
    """``a`` against ``others`` on the probe FD every run had at one matched training budget
    (:func:`genstudy.study.report.at_budget`), read on ``runs`` (one device's, :func:`one_device`,
    whose note is ``timed``)."""
    return _on_curves(frame, runs, a, others, "fd", report.at_budget, timed)


def check_gan_better_quality(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    at_end = _compared(frame, "gan", CLASSIC, QUALITY)
    timed, note = one_device(family_runs(frame))
    matched = _at_matched_compute(frame, timed, "gan", CLASSIC, note)
    if matched is None or at_end.verdict == NOT_MEASURED:
        return at_end
    at_budget, budget = matched
    if at_budget.verdict == NOT_MEASURED:  # the budget read from the other families alone means nothing here
        return Verdict(at_end.verdict, f"at the end of training: {at_end.evidence} | at a matched budget of training "
                                       f"seconds: {at_budget.evidence}",
                       f"{at_end.headline}; at a matched training budget: {at_budget.headline}")
    verdict = _combine((at_end.verdict, at_budget.verdict))
    when = f"at a matched budget of {budget:.3g} s of training (probe FD)"
    return Verdict(verdict, f"at the end of training: {at_end.evidence} | {when}, {note}: "
                            f"{_timed(at_budget.evidence)}",
                   f"{at_end.headline}; {when}: {_timed(at_budget.headline)}")


def _time_to_quality(frame: pd.DataFrame, runs: pd.DataFrame, a: str, others: tuple[str, ...],
                     timed: str = "") -> tuple[Verdict, float] | None:
    """``a`` against ``others`` on the training seconds each run took to reach one probe FD every
    compared run reached (:func:`genstudy.study.report.time_to_quality`), read on ``runs`` (one
    device's, :func:`one_device`, whose note is ``timed``)."""
    return _on_curves(frame, runs, a, others, "time_to_quality_s", report.time_to_quality, timed)


def check_gan_more_efficient(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    family = family_runs(frame)
    sampled, sampled_note = sampling_runs(family)
    sampling = _compared(frame, "gan", CLASSIC, ("sample_1k_s",), sampled, sampled_note + "; time for 1,000 "
                         "samples, median of warmed-up repeats", timed=sampled_note)
    runs, note = one_device(family)
    learning = _time_to_quality(frame, runs, "gan", CLASSIC, note)
    if learning is None or sampling.verdict == NOT_MEASURED:
        return sampling
    verdict, target = learning
    if verdict.verdict == NOT_MEASURED:  # the level read from the other families alone means nothing here
        return Verdict(sampling.verdict, f"sampling: {sampling.evidence} | learning, training seconds to a probe FD "
                                         f"every compared run reached: {verdict.evidence}",
                       f"{sampling.headline}; learning: {verdict.headline}")
    when = f"training seconds to a probe FD of {target:.1f}, which every compared run reached"
    return Verdict(_combine((sampling.verdict, verdict.verdict)),
                   f"sampling: {sampling.evidence} | learning, {when}: {_timed(verdict.evidence)}",
                   f"{sampling.headline}; learning: {_timed(verdict.headline)}")


def check_classic_learn_density(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    ok = _ok(frame)
    own = ok[ok["log_likelihood_estimator"].fillna("") != ""]
    if own.empty:
        return _missing(*CLASSIC)
    estimators = own.groupby("family", sort=False)["log_likelihood_estimator"].first()
    text = "; ".join(f"{f.upper()}: {e}" for f, e in estimators.items())
    return Verdict(QUALIFIED, f"the likelihood families fit p(x) only through bounds or approximations ({text}); "
                              f"the RBM/DBN gradient itself is approximated by contrastive divergence. The GAN learns "
                              f"a distribution too, implicitly: a Parzen window scores its samples like any other's "
                              f"(GAN family {_mean(frame, 'gan', 'parzen_ll'):.1f} nats)")


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


def discriminator_accuracy(history: pd.DataFrame) -> pd.Series:
    """The discriminator's balanced accuracy at threshold ½ as logged, approximated from its mean
    outputs: ``(D(x) + 1 − D(G(z))) / 2``; ½ at the game's equilibrium D = ½, 1 when D wins."""
    return (history["d_real"] + 1.0 - history["d_fake"]) / 2.0


#: Logged rows a GAN history needs before its first and last fifths can be compared.
MIN_HISTORY_ROWS = 10


def discriminator_readings(history: pd.DataFrame) -> pd.Series:
    """:func:`discriminator_accuracy` of the rows that logged both of D's outputs, in training
    order (a quality probe's row, such as the one at step 0, logs none); empty when the history
    has no such columns."""
    if not {"d_real", "d_fake"} <= set(history.columns):
        return pd.Series(dtype=float)
    return discriminator_accuracy(history.dropna(subset=["d_real", "d_fake"])).reset_index(drop=True)


#: The discriminator's curve is read in this many consecutive, equal parts of training (tenths).
TREND_PARTS = 10
#: A trend is read from at least this many parts, by Mann–Kendall's one-sided test at this level.
TREND_MIN_PARTS, TREND_ALPHA = 4, 0.05


def part_means(readings: pd.Series, parts: int = TREND_PARTS) -> np.ndarray | None:
    """The means of ``readings`` (in training order) over ``parts`` consecutive parts of as equal
    length as can be; None for fewer than :data:`MIN_HISTORY_ROWS` readings."""
    acc = readings.to_numpy(dtype=float)
    if len(acc) < max(MIN_HISTORY_ROWS, parts):
        return None
    return np.array([chunk.mean() for chunk in np.array_split(acc, parts)])


def trend_from(means: np.ndarray, direction: str = "greater", alpha: float = TREND_ALPHA,
               min_parts: int = TREND_MIN_PARTS) -> int | None:
    """The part (0-based) from which ``means`` trend in ``direction`` to the end (``greater``: rise,
    ``less``: fall): the curve's extreme (its lowest part for a rise, its highest for a fall), when the
    stretch from there to the end has ``min_parts`` parts or more and Kendall's tau of it against its
    order is significant one-sided at ``alpha`` (the Mann–Kendall trend test). None otherwise: a curve
    whose extreme comes too late, or whose stretch after it shows no such trend."""
    start = int(np.argmin(means)) if direction == "greater" else int(np.argmax(means))
    tail = means[start:]
    if len(tail) < min_parts or np.ptp(tail) == 0:
        return None
    result = stats.kendalltau(np.arange(len(tail)), tail, alternative=direction)
    return start if result.pvalue < alpha else None


def check_discriminator_accuracy(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"D becomes ever more accurate": a trend over the whole of training, not two ends. Each GAN run's
    accuracy (:func:`discriminator_readings`) is read in tenths of training; Mann–Kendall's test says
    from which tenth on it rises (:func:`trend_from`). Supported when it rises from the first tenth on
    every seed; refuted when it falls over the whole of training on every seed and rises on none;
    qualified otherwise (it rises only from a later tenth, or the seeds disagree), saying from where."""
    runs = family_runs(frame)
    gans = runs[runs["family"] == "gan"]
    if gans.empty:
        return _missing("gan")
    curves: dict[int, np.ndarray] = {}
    for r in gans.itertuples():
        path = Path(str(r.dir)) / "history.csv"
        if path.is_file() and (means := part_means(discriminator_readings(pd.read_csv(path)))) is not None:
            curves[int(r.seed)] = means
    if not curves:
        return Verdict(NOT_MEASURED, f"no GAN run logged {MIN_HISTORY_ROWS} or more discriminator readings")
    rises = {seed: trend_from(m) for seed, m in curves.items()}
    falls = {seed: trend_from(m, "less") for seed, m in curves.items()}
    theory = ("at the game's equilibrium D = ½ everywhere (p_g = p_data), so a generator that learns makes D "
              "less accurate, not more")
    start = {seed: "rises from the first tenth" if i == 0 else f"rises from tenth {i + 1}" if i is not None
             else "falls over the whole of training" if falls[seed] == 0 else "no trend" for seed, i in rises.items()}
    text = ("D's accuracy (D(x) + 1 − D(G(z)))/2 by tenth of training, read from its lowest tenth to the end "
            f"(Mann–Kendall's one-sided test at {TREND_ALPHA}, {TREND_MIN_PARTS} tenths or more): "
            + "; ".join(f"seed {seed}: " + " ".join(f"{v:.2f}" for v in m) + f", {start[seed]}"
                        for seed, m in curves.items()) + f" (½ = equilibrium); {theory}")
    mean_curve = np.mean(list(curves.values()), axis=0)
    headline = ("D's accuracy by tenth " + " → ".join(f"{v:.2f}" for v in mean_curve[[0, 1, 4, -1]]) + "; "
                + ", ".join(start[seed] for seed in curves) + " (seeds)")
    if len(curves) < cmp.MIN_SEEDS:
        return Verdict(NOT_ENOUGH_SEEDS, text, f"{len(curves)} seeds")
    if all(i == 0 for i in rises.values()):
        return Verdict(SUPPORTED, text, headline)
    if all(i is None for i in rises.values()) and all(f == 0 for f in falls.values()):
        return Verdict(REFUTED, text, headline)
    return Verdict(QUALIFIED, text, headline)


def _seed_cv(frame: pd.DataFrame) -> dict[str, float]:
    """Per family, FD's coefficient of variation over seeds (families with >= 3 seeds)."""
    runs = family_runs(frame)
    out = {}
    for family in runs["family"].unique():
        values = per_seed(runs, family, "fd")
        if len(values) >= cmp.MIN_SEEDS:
            out[str(family)] = float(values.std(ddof=1) / values.mean())
    return out


#: The article's GAN collapses when it covers fewer than this share of the data's classes on every seed.
COLLAPSED_CLASSES = 0.5


def check_gan_unstable(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"Hard to train and unstable", read from four kinds of evidence: GAN runs that failed; the GAN
    family's FD spread over seeds against the other families'; mode collapse on the 2-D mixtures
    (the GAN captures fewer modes than the VAE on a mixture, on average over seeds); the article's
    own GAN covering fewer than half of the classes on every seed. Supported when a GAN run failed or
    two of the other three signal it; refuted when none does and the GAN's spread is at most the
    others' median; qualified otherwise."""
    runs = family_runs(frame)
    gans = runs[runs["family"] == "gan"]
    if gans.empty:
        return _missing("gan")
    parts, signals = [], []
    covered = gans.dropna(subset=["classes_covered"])
    failed = frame[(frame["family"] == "gan") & (frame["status"] != "ok") & ~frame["model"].isin(report.ARTICLE_MODELS)]
    parts.append(f"GAN family runs: {len(gans)} finished, {len(failed)} failed; classes covered per run: "
                 + ", ".join(f"{int(v)}/10" for v in covered["classes_covered"]))
    toy_gan, toy_vae = toy[toy["model"] == "gan"], toy[toy["model"] == "vae"]
    modes = []
    for mix in sorted(set(toy_gan["mixture"]) & set(toy_vae["mixture"])):
        g = toy_gan[toy_gan["mixture"] == mix]["modes_captured"]
        v = toy_vae[toy_vae["mixture"] == mix]["modes_captured"]
        n = int(toy_gan[toy_gan["mixture"] == mix]["n_modes"].iloc[0])
        parts.append(f"{mix}: GAN captured {g.mean():.3g}/{n} modes over {len(g)} seeds "
                     f"(range {g.min():.0f}–{g.max():.0f}), VAE {v.mean():.3g}/{n}")
        modes.append(f"{mix} GAN {g.mean():.3g}/{n}, VAE {v.mean():.3g}/{n}")
        if g.mean() < v.mean() and g.mean() < n:
            signals.append(f"mode collapse on {mix}")
    article = _ok(frame)
    article = article[(article["model"] == "article_gan") & (article["framework"] == "pytorch")]["classes_covered"]
    if len(article.dropna()):
        parts.append("the article's GAN covers " + ", ".join(f"{int(c)}/10" for c in article.dropna())
                     + " classes (per seed)")
        if (article.dropna() < COLLAPSED_CLASSES * 10).all():
            signals.append("the article's GAN collapses on every seed")
    cv = _seed_cv(frame)
    if "gan" not in cv:
        return Verdict(NOT_ENOUGH_SEEDS, "; ".join(parts))
    others = {f: v for f, v in cv.items() if f != "gan"}
    parts.append("FD spread over seeds (sd/mean): " + ", ".join(f"{f.upper()} {v:.2f}" for f, v in cv.items()))
    if not others:
        return Verdict(NOT_MEASURED, "no other family with enough seeds to compare: " + "; ".join(parts))
    if cv["gan"] > 2 * max(others.values()):
        signals.append("the GAN's FD spread over seeds is over twice every other family's")
    rule = (" (rule: supported when a GAN run failed, or when two of these signal it: an FD spread over seeds over "
            "twice every other family's, mode collapse on a 2-D mixture, the article's GAN covering fewer than "
            f"{COLLAPSED_CLASSES:.0%} of the classes on every seed; refuted when none does and the GAN's spread is at "
            "most the others' median)")
    headline = (f"{len(failed)} GAN runs failed; FD sd/mean over seeds GAN {cv['gan']:.2f}, others "
                f"{min(others.values()):.2f}–{max(others.values()):.2f}" + ("; 2-D modes " + ", ".join(modes)
                                                                           if modes else "")
                + (f"; the article's GAN {article.dropna().mean():.2g}/10 classes" if len(article.dropna()) else ""))
    evidence = "; ".join(parts) + (". Signals: " + "; ".join(signals) if signals else ". No signal") + rule
    if len(failed) or len(signals) >= 2:
        return Verdict(SUPPORTED, evidence, headline)
    if not signals and cv["gan"] <= float(np.median(list(others.values()))):
        return Verdict(REFUTED, evidence, headline)
    return Verdict(QUALIFIED, evidence, headline)


def check_classic_inefficient(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """Each classic family's sampling time against the GAN family's: the claim holds of a family
    whose samples take longer (the GAN is "better", i.e. faster, in the comparison)."""
    return check_gan_more_efficient(frame, toy)


def check_classic_complex(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    runs = family_runs(frame)
    per = runs.groupby("family", sort=False).agg(params=("params", "median"), train_s=("train_s", "median"))
    if per.empty:
        return _missing("gan", *CLASSIC)
    return Verdict(NOT_MEASURED, "'model complexity' has no agreed measure, and parameter counts or training "
                                 "seconds follow the budgets this study chose, not the families; for context, the "
                                 "median parameters (training seconds) per family: "
                                 + ", ".join(f"{f.upper()} {int(r.params):,} ({r.train_s:.3g} s)"
                                             for f, r in per.iterrows()))


#: A family memorises when its samples' median nearest-training distance is below this share
#: of held-out test images' (the NN-distance ratio), or more than this many samples are copies.
MEMORISATION_RATIO, COPIES_LIMIT = 0.8, 0.05
#: A ratio above this says the samples lie off the data's manifold (farther from every training image than
#: fresh data is): poor samples, which say nothing of how the model generalises.
OFF_MANIFOLD_RATIO = 1.2
#: A train − test log-likelihood gap (binarized nats) whose whole 95% interval lies above this is a
#: generalisation gap.
GAP_BAND_NATS = 1.0


def binarized(runs: pd.DataFrame) -> pd.Series:
    """Which runs' likelihood is in nats per binarized image (the VAEs', RBM's, DBN's), not a continuous
    density on grey levels (the VAE on DCGAN's networks): True/False per row."""
    return ~runs["log_likelihood_estimator"].fillna("").str.contains(report.CONTINUOUS)


def check_generalisation(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    """"Generalisation is a challenge": per family, from the train − test log-likelihood gap in one unit
    (binarized nats; a continuous density is left out), whose 95% interval over seeds must lie above
    :data:`GAP_BAND_NATS`, and from memorisation (copies, or samples nearer the training images than
    fresh data is). Samples off the data's manifold are named, and count for nothing here. Supported
    when it holds of every family with evidence, refuted of none, qualified otherwise."""
    runs = family_runs(frame).dropna(subset=["nn_ratio"])
    if runs.empty:
        return _missing("any family with the memorisation measures")
    per = runs.groupby("family", sort=False).agg(ratio=("nn_ratio", "mean"), copies=("copies", "mean"),
                                                 seeds=("seed", "nunique"))
    lik = runs[binarized(runs)].dropna(subset=["log_likelihood", "log_likelihood_train"])
    gaps = {}
    for family, rows in lik.assign(gap=lik["log_likelihood_train"] - lik["log_likelihood"]).groupby("family",
                                                                                                    sort=False):
        values = rows.groupby("seed")["gap"].mean()
        if len(values) >= cmp.MIN_SEEDS:
            gaps[str(family)] = (float(values.mean()), *cmp.t_interval(values.to_numpy()))
    memorise = [f for f, r in per.iterrows() if r.ratio < MEMORISATION_RATIO or r.copies > COPIES_LIMIT]
    gapped = [f for f, (_, low, _) in gaps.items() if low > GAP_BAND_NATS]
    off = [f"{f.upper()} {r.ratio:.2f}" for f, r in per.iterrows() if r.ratio > OFF_MANIFOLD_RATIO]
    gap_text = ", ".join(f"{f.upper()} {m:.1f} [{lo:.1f}, {hi:.1f}]" for f, (m, lo, hi) in gaps.items())
    text = ("memorisation: nearest-training-image distance of samples / of held-out test images (1 = like fresh "
            "data, 0 = copies) and share of samples closer to a training image than 99% of test images: "
            + ", ".join(f"{f.upper()} {r.ratio:.2f}, {r.copies:.3f}" for f, r in per.iterrows())
            + (f"; generalisation gap, train − test log-likelihood in nats per binarized image (mean [95% "
               f"interval] over seeds; the continuous density of the VAE on DCGAN's networks left out): {gap_text}"
               if gaps else "; no family has a likelihood gap in binarized nats on enough seeds")
            + (f"; samples off the data's manifold (ratio above {OFF_MANIFOLD_RATIO}), which say nothing of "
               f"generalisation: {', '.join(off)}" if off else "")
            + f" (rule: the claim holds of a family whose gap's interval lies above {GAP_BAND_NATS:g} nat or which "
              f"memorises: ratio below {MEMORISATION_RATIO} or copies above {COPIES_LIMIT}; a family without a "
              "likelihood is read by memorisation alone)")
    headline = ("train − test gap (binarized nats) " + gap_text + "; " if gaps else "") + "NN-distance ratio " + \
        ", ".join(f"{f.upper()} {r.ratio:.2f}" for f, r in per.iterrows())
    if per["seeds"].min() < cmp.MIN_SEEDS:
        return Verdict(NOT_ENOUGH_SEEDS, text, headline)
    holds = [f for f in per.index if f in memorise or f in gapped]
    return _tally(holds, list(per.index), text, "a challenge for", "not for", headline)


def _names(families: list[str]) -> str:
    return ", ".join(f.upper() for f in families)


def _tally(holds: list[str], families: list[str], evidence: str, true_of: str, false_of: str,
           headline: str = "") -> Verdict:
    """Supported when the claim holds for all ``families``, refuted for none, else qualified."""
    if len(holds) == len(families):
        return Verdict(SUPPORTED, evidence, headline)
    if not holds:
        return Verdict(REFUTED, evidence, headline)
    return Verdict(QUALIFIED, f"{true_of} {_names(holds)}; {false_of} "
                              f"{_names([f for f in families if f not in holds])}: {evidence}", headline)


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
    quality = _compared(frame, "gan", ("vae",), QUALITY)
    if quality.verdict == NOT_MEASURED:
        return _missing("gan", "vae")
    runs, note = sampling_runs(family_runs(frame))
    speed = _compared(frame, "gan", ("vae",), ("sample_1k_s",), runs, timed=note)
    verdict = _combine((quality.verdict, speed.verdict))
    return Verdict(verdict, f"quality: {quality.evidence} | speed: {speed.evidence}; the VAE also gives a "
                            f"likelihood bound, the GAN none", f"{quality.headline}; speed: {speed.headline}")


def article_runs(frame: pd.DataFrame, label: str = "article") -> pd.DataFrame:
    """The runs that stand for a family (:func:`family_runs`) and, beside them, the article's
    GAN (its PyTorch port) as one more family called ``label``; a fresh index."""
    ok = _ok(frame)
    article = ok[(ok["model"] == "article_gan") & (ok["framework"] == "pytorch")].assign(family=label)
    return pd.concat([family_runs(frame), article], ignore_index=True)


def check_article_gan(frame: pd.DataFrame, toy: pd.DataFrame) -> Verdict:
    runs = article_runs(frame)
    if not (runs["family"] == "article").any() or not (runs["family"] == "gan").any():
        return _missing("the article's GAN and DCGAN")
    verdict = _compared(frame, "article", ("gan",), QUALITY, runs)
    classes = runs[runs["family"] == "article"]["classes_covered"]
    return Verdict(verdict.verdict, "classes covered by the article's GAN per seed: "
                                    + ", ".join(f"{int(c)}/10" for c in classes.dropna())
                                    + " | " + verdict.evidence.replace("ARTICLE", "the article's GAN"),
                   verdict.headline.replace("vs GAN (family mean)", "vs the GAN family"))


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
