"""The literature's own numbers on MNIST beside ours: the chapter *Against the literature*.

:data:`PUBLISHED` holds one :class:`Published` value per row: the paper (its key in
``book/references.bib``), the number, the metric of our records that answers it, the paper's
protocol and the tolerance within which ours counts as reproducing it (2 nats for a
likelihood, 10 for a Parzen window). :func:`side_by_side` reads the chapter's run records
(:func:`genstudy.runs.literature.train_literature`) into one table: the paper's value, ours as
mean and 95% Student's t interval over seeds, the difference, every protocol difference, and,
where ours falls short by more than the tolerance, its measured cause
(:func:`shortfall_cause`: is the compared quantity's own learning curve still rising when
training stops?). :func:`ablation_table` measures what a change to a row's recipe is worth: the row's
runs against the same recipe without that change (the plan's ablations), seed by seed alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genstudy.config import PARZEN_PROTOCOLS
from genstudy.runs.chapter import CHAIN_STARTS, mixes, starts_gap
from genstudy.runs.evaluate import TEMPERED_FAMILIES
from genstudy.study.compare import FEW_SEEDS, MIN_SEEDS, read_interval, t_interval, with_interval
from genstudy.study.tables import withheld_text
from genstudy.training.tasks import RBM_LR, per_layer

if TYPE_CHECKING:  # annotations only: the chapters that plot never import the plan
    from genstudy.literature_plan import LiteraturePlan, LiteratureRun
    from genstudy.metrics.likelihood import ParzenResult

#: Beside the source of a value not checked against the paper (:attr:`Published.checked`).
UNCHECKED = "value not checked against the paper: no copy offline"
#: The curves the causes read, in words, per row: the compared quantity itself (``ll_probe``,
#: :class:`~genstudy.runs.probe.LikelihoodProbe`), and the Stacked MNIST rows' KL over modes.
CURVE_NAMES = {"rbm": "the AIS log-likelihood", "dbn": "the variational bound", "vae": "the IWAE bound",
               "gan": "the Parzen log-density", "stacked": "the KL over modes"}
#: The same curves as an axis label.
CURVE_AXES = {"ll_probe": "held-out nats ↑", "kl_probe": "KL over modes, nats ↓"}
#: The share of a run, at its end, that the cause reads: still rising over it means too short a budget.
LAST_SHARE = 1 / 3


@dataclass(frozen=True)
class Published:
    """One published number: ``value`` (± ``error`` when the paper gives one) of ``what``, from
    ``cite`` (a key of ``book/references.bib``; ``source``: its authors and year) at ``where`` in the
    paper; our runs of ``row`` answer it with their ``metric`` (no row: the study has no such model),
    ``higher_is_better`` or not. ``protocol``: the paper's setting, aspect by aspect, as the chapter
    compares it with ours; ``tolerance`` in the metric's units (None: the paper gives a single run,
    and no verdict is drawn); ``curve``: the column of our runs' ``history.csv`` that measures the
    same quantity during training (None: none does), whose rise over the last third of training
    tells whether the budget was too short (:func:`shortfall_cause`). ``checked``: whether the value
    was checked against the paper's text (False: cited from the literature, but no copy of the paper
    could be read offline to confirm it; the table says so)."""

    key: str
    what: str
    source: str
    row: str | None
    metric: str
    value: float
    cite: str
    where: str
    tolerance: float | None
    curve: str | None = "ll_probe"
    higher_is_better: bool = True
    error: float | None = None
    protocol: dict[str, str] = field(default_factory=dict)
    checked: bool = True


#: Binarizations: each pixel drawn as Bernoulli(intensity), once for good or afresh for every mini-batch.
_ONCE, _AFRESH = "drawn once", "drawn afresh for every mini-batch"
_SM08, _BURDA, _GAN14 = "Salakhutdinov & Murray (2008)", "Burda et al. (2016)", "Goodfellow et al. (2014)"
_VEEGAN = "Srivastava et al. (2017), repeated by Lin et al. (2018)"
_STACKED = {"data": "three MNIST digits as the channels (1,000 modes)", "counted by": "a pretrained MNIST classifier"}
_ALL = "all 60,000"
_PARZEN = {"pixels": "grey levels", "test images": "10,000", "samples": "10,000", "estimator": "Gaussian Parzen window",
           "σ": f"{PARZEN_PROTOCOLS['goodfellow']} (not trained on)", "training images": "the first 50,000"}
#: Where a paper's training length or schedule could not be read offline (no copy of it here).
_NOT_READ = "longer than ours, with a decaying step (its exact epochs not read offline)"
#: Burda et al.'s schedule and optimiser (their section 5).
_BURDA_SCHEDULE = "step 0.001 · 10^(−i/7) for 3^i epochs, i = 0..7"
PUBLISHED: tuple[Published, ...] = (
    Published("rbm", "RBM, 500 hidden units, CD-25: test log-likelihood (nats)", _SM08, "rbm", "log_likelihood",
              -86.34, "salakhutdinov2008quantitative", "MNIST results", 2.0,
              protocol={"pixels": f"binary, {_ONCE}", "test images": "10,000", "hidden units": "500",
                        "training images": _ALL, "training rule": "CD-25, mini-batches of 100", "budget": _NOT_READ,
                        "estimator": "AIS log Z, 14,500 β, 100 runs"}),
    Published("dbn", "DBN 500-2000: lower bound on the test log-likelihood (nats)", _SM08, "dbn", "log_likelihood",
              -86.22, "salakhutdinov2008quantitative", "MNIST results", 2.0, checked=False,
              protocol={"pixels": f"binary, {_ONCE}", "test images": "10,000", "hidden units": "500, 2000",
                        "training images": _ALL, "budget": _NOT_READ,
                        "training rule": "greedy, the first layer the CD-25 RBM, the top RBM from its transpose",
                        "estimator": "variational bound, top-RBM log Z by AIS, 14,500 β, 100 runs"}),
    Published("vae", "VAE (k = 1), one stochastic layer: test log-likelihood (nats)", _BURDA, "vae",
              "log_likelihood", -86.76, "burda2016iwae", "Table 1", 2.0,
              protocol={"pixels": f"binary, {_AFRESH}", "test images": "10,000",
                        "architecture": "784-200-200-50 (tanh)", "training rule": "Adam, mini-batches of 20",
                        "training images": _ALL, "budget": "3,280 passes over 60,000 images",
                        "schedule": _BURDA_SCHEDULE, "optimiser": "Adam, ε = 0.0001",
                        "estimator": "importance-weighted bound, k = 5,000"}),
    Published("gan_parzen", "adversarial nets: Parzen-window log-density of the test set (nats)", _GAN14, "gan",
              "parzen_ll", 225.0, "goodfellow2014gan", "Table 1", 10.0, error=2.0,
              protocol={**_PARZEN, "architecture": "MLP generator and maxout discriminator"}),
    Published("gsn_parzen", "Deep GSN: Parzen-window log-density (nats)", _GAN14, None, "parzen_ll", 214.0,
              "goodfellow2014gan", "Table 1", 10.0, error=1.1),
    Published("dbn_parzen", "DBN: Parzen-window log-density (nats)", _GAN14, "dbn", "parzen_ll", 138.0,
              "goodfellow2014gan", "Table 1", 10.0, error=2.0, protocol=_PARZEN, curve=None),
    Published("stacked_modes", "DCGAN on Stacked MNIST: modes captured (of 1,000)", _VEEGAN, "stacked",
              "stacked_modes", 99.0, "srivastava2017veegan", "Stacked MNIST table", None, curve="kl_probe",
              protocol=_STACKED, checked=False),
    Published("stacked_kl", "DCGAN on Stacked MNIST: KL(modes ‖ uniform) (nats)", _VEEGAN, "stacked", "stacked_kl",
              3.4, "srivastava2017veegan", "Stacked MNIST table", None, curve="kl_probe", higher_is_better=False,
              protocol=_STACKED, checked=False),
)


def budget(record: dict[str, Any]) -> str:
    """A run's training budget in words: passes over how many images, updates."""
    config, steps = record["config"], record.get("training", {}).get("steps", 0)
    images, epochs = config.get("train_first") or config.get("train_size") or 60_000, config["epochs"]
    layers = config.get("train_options", {}).get("layer_epochs")
    if layers:
        return f"{' + '.join(map(str, layers))} passes over {images:,} images (one count per layer), {steps:,} updates"
    layer = " per layer" if record["family"] == "dbn" else ""
    return f"{epochs} pass{'es' * (epochs != 1)} over {images:,} images{layer}, {steps:,} updates"


def cost(records: Sequence[dict[str, Any]]) -> str:
    """What a row's runs cost, in words: training seconds (the quantity's probes apart), the seconds of
    drawing the samples that are scored and of scoring them, means over ``records`` (each a run record:
    ``timings``' ``train_s`` and ``probe_s``, ``evaluation``'s ``drawing_seconds`` and ``seconds``),
    and where they ran (each record's ``device_name`` and ``machine``, with the count of runs on each).
    A time that only some runs recorded is the mean of those, and the text says of how many (records
    made before ``drawing_seconds`` existed did not time the drawing). Wall times as recorded: a run that
    shared its machine's cores with others took longer than it would alone, so they are costs, not
    timings to compare."""
    n = len(records)
    times = {"training": [r.get("timings", {}).get("train_s") for r in records],
             "the probes'": [r.get("timings", {}).get("probe_s") for r in records],
             "the drawing's": [r.get("evaluation", {}).get("drawing_seconds") for r in records],
             "the scoring's": [r.get("evaluation", {}).get("seconds") for r in records]}
    known = {what: [v for v in values if v is not None] for what, values in times.items()}
    train, probes, drawing, scoring = (f"{np.mean(v):.0f} s" if v else "not recorded"  # the tests mask "N s"
                                       for v in known.values())
    fewer = ", ".join(f"{what} of {len(v)}" for what, v in known.items() if 0 < len(v) < n)
    places = Counter(f"{r.get('device_name') or r.get('device') or 'a device not recorded'} on "
                     f"{r.get('machine') or 'a machine not recorded'}" for r in records)
    where = "; ".join(f"{place} ({k} run{'s' * (k > 1)})" for place, k in places.items())
    return (f"training {train} (probes {probes} more), drawing the scored samples {drawing}, scoring them "
            f"{scoring} (mean of {n} run{'s' * (n > 1)}{'; ' + fewer if fewer else ''}); {where}")


def training_split(config: dict[str, Any]) -> str:
    """Which training images a run saw, in words: ``"all 60,000"``, ``"the first 50,000"`` or a subset."""
    if config.get("train_first"):
        return f"the first {config['train_first']:,}"
    size = config.get("train_size")
    return _ALL if size is None or size >= 60_000 else f"{size:,} (a class-balanced subset)"


def schedule_text(train: dict[str, Any], epochs: int, default_lr: float) -> str:
    """A run's step-size schedule in words (:mod:`genstudy.training.schedules`)."""
    lr, schedule = train.get("lr", default_lr), train.get("lr_schedule", "constant")
    first = _words(lr)
    if schedule == "burda":
        return f"step {first} · 10^(−i/7) in the shares of 3^i epochs, i = 0..7, over {epochs} epochs"
    if schedule == "linear":
        return f"step {first} decayed linearly to a tenth over {epochs} epochs"
    if schedule == "geometric":
        return f"step {first} decayed geometrically to a hundredth over {epochs} epochs"
    return f"constant step {first}"


def optimiser_text(family: str, train: dict[str, Any]) -> str:
    """A run's optimiser and its settings in words."""
    if family == "vae":
        return f"Adam, ε = {train.get('eps', 1e-8):g}"
    final = train.get("final_momentum")
    moment = f"momentum {train.get('momentum', 0.5):g}" + (
        f" then {final:g} after {train.get('momentum_epochs', 5)} epochs" if final is not None else "")
    return f"SGD, {moment}, weight decay {train.get('weight_decay', 1e-4):g}"


def _rule(train: dict[str, Any], k: int) -> str:
    return f"{'PCD' if train.get('persistent') else 'CD'}-{k}"


def our_protocol(record: dict[str, Any], metric: str) -> dict[str, str]:
    """The protocol of one of our runs, aspect by aspect as :attr:`Published.protocol` names them."""
    config, evaluation = record["config"], record.get("evaluation", {})
    settings = evaluation.get("settings", {})
    options, train = config.get("model_options", {}), config.get("train_options", {})
    if metric.startswith("stacked"):
        return {"budget": budget(record), "data": _STACKED["data"], "samples": f"{config.get('samples', 0):,}",
                "counted by": "the study's MNIST classifier (99.2% on the test set)",
                "architecture": f"DCGAN (width {options.get('width', 64)}, 3 channels)"}
    family = record["family"]
    out = {"test images": f"{settings.get('likelihood_size', 0):,}", "budget": budget(record),
           "training images": training_split(config)}
    if family in ("rbm", "dbn", "vae"):
        out["schedule"] = schedule_text(train, config["epochs"], 1e-3 if family == "vae" else RBM_LR)
        out["optimiser"] = optimiser_text(family, train)
    if metric == "parzen_ll":
        parzen = settings.get("parzen", "study")
        held_out = " (not trained on)" if parzen == "goodfellow" and config.get("train_first") else ""
        out.update({"pixels": "grey levels", "samples": f"{evaluation.get('samples', 0):,}",
                    "estimator": "Gaussian Parzen window", "σ": PARZEN_PROTOCOLS[parzen] + held_out})
        if family == "gan":
            out["architecture"] = f"DCGAN (convolutional, width {options.get('width', 64)})"
        return out
    out["pixels"] = f"binary, {_AFRESH} (training), {_ONCE} (test)"
    batch = f"mini-batches of {config['batch_size']}"
    if family == "rbm":
        out["hidden units"] = str(options.get("n_hidden", 500))
        out["training rule"] = f"{_rule(train, train.get('k', 1))}, {batch}"
        out["estimator"] = f"AIS log Z, {settings.get('ais_steps', 0):,} β, {settings.get('ais_chains', 0)} runs"
    elif family == "dbn":
        ks = per_layer(train.get("k", 1), len(options.get("hidden", (0, 0))))
        out["hidden units"] = ", ".join(str(h) for h in options.get("hidden", ()))
        steps = per_layer(train.get("lr", RBM_LR), len(ks))
        rule = ", then ".join(f"{_rule(train, k)} (step {lr:g})" for k, lr in zip(ks, steps, strict=True))
        start = ", the top RBM from the first layer's transpose" if train.get("init_from_below") else ""
        out["training rule"] = f"greedy, {rule}{start}, {batch}"
        out["estimator"] = (f"variational bound, top-RBM log Z by AIS, {settings.get('ais_steps', 0):,} β, "
                            f"{settings.get('ais_chains', 0)} runs")
    elif family == "vae":
        out["architecture"] = "784-200-200-50 (tanh)" if record["model"] == "vae_iwae" else record["model"]
        out["training rule"] = f"Adam, {batch}"
        out["estimator"] = f"importance-weighted bound, k = {settings.get('iwae_k', 0):,}"
    return out


def protocol_differences(published: Published, records: Sequence[dict[str, Any]]) -> list[str]:
    """Each aspect of ``published``'s protocol where our runs differ: ``"aspect: ours (paper)"``."""
    if not records:
        return []
    ours = our_protocol(records[0], published.metric)
    return [f"{aspect}: {ours[aspect]} (paper: {theirs})" for aspect, theirs in published.protocol.items()
            if aspect in ours and ours[aspect] != theirs]


@dataclass(frozen=True)
class Rise:
    """How much a curve rose (in its better direction, its own units) over the last third of one
    run: from ``start`` (the value where the last third begins, linearly interpolated between the
    points around it) to ``end`` (the last point)."""

    start: float
    end: float
    rise: float


def last_third_rise(history: pd.DataFrame, column: str, higher_is_better: bool = True) -> Rise | None:
    """:class:`Rise` of ``history[column]`` over the last :data:`LAST_SHARE` of the run's steps
    (``history.step``; rows without the column skipped), or None with fewer than two points."""
    if column not in history:
        return None
    points = history[["step", column]].dropna()
    if len(points) < 2:
        return None
    steps, values = points["step"].to_numpy(float), points[column].to_numpy(float)
    first, last = steps.min(), steps.max()
    start = float(np.interp(first + (1 - LAST_SHARE) * (last - first), steps, values))
    end = float(values[-1])
    return Rise(start, end, end - start if higher_is_better else start - end)


#: The final evaluation's estimate on the likelihood probe's own held-out images (:mod:`genstudy.runs.evaluate`).
PROBE_SET_METRIC = "log_likelihood_probe_set"


@dataclass(frozen=True)
class ProbeEnd:
    """Where one run's likelihood curve ends (``curve``, its last ``ll_probe``) against the final
    evaluation's estimate of the same quantity on the same held-out images (``final``, stronger AIS or
    k): ``gap`` = curve − final, the probe estimator's error at the end of training (nats; positive:
    the curve reads too high, as an AIS of few β does)."""

    seed: int
    curve: float
    final: float

    @property
    def gap(self) -> float:
        return self.curve - self.final


def probe_ends(records: Sequence[dict[str, Any]]) -> list[ProbeEnd]:
    """:class:`ProbeEnd` of every run in ``records`` (each with its folder in ``dir``) whose history has an
    ``ll_probe`` curve and whose metrics the final estimate on the probe's images (:data:`PROBE_SET_METRIC`)."""
    ends = []
    for r in records:
        final = r.get("metrics", {}).get(PROBE_SET_METRIC)
        path = Path(r.get("dir", "")) / "history.csv"
        if final is None or not path.is_file():
            continue
        history = pd.read_csv(path)
        if "ll_probe" not in history or history["ll_probe"].dropna().empty:
            continue
        ends.append(ProbeEnd(int(r["seed"]), float(history["ll_probe"].dropna().iloc[-1]), float(final)))
    return ends


def probe_agreement(published: Published, records: Sequence[dict[str, Any]]) -> tuple[bool | None, str]:
    """Whether the likelihood curve of ``published``'s runs can be read: at every seed its last point
    agrees with the final estimate on the same images (:func:`probe_ends`) within half the tolerance,
    the bar a rise must clear. Returns (True/False, the gaps in words), or (None, why unchecked)
    where no run has both (a Parzen curve, or runs measured before the check)."""
    if published.curve != "ll_probe" or published.metric != "log_likelihood":
        return None, ""
    ends = probe_ends(records)
    if not ends:
        return None, "the curve's end is not checked against the final estimate (no run measured both)"
    bar = (published.tolerance or 0.0) / 2
    gaps = ", ".join(f"{e.gap:+.2f}" for e in ends)
    worst = max(ends, key=lambda e: abs(e.gap))
    words = (f"the curve ends {gaps} nats from the final estimate on the same images (seed"
             f"{'s' * (len(ends) > 1)} {', '.join(str(e.seed) for e in ends)})")
    return abs(worst.gap) <= bar, words


def shortfall_cause(published: Published, records: Sequence[dict[str, Any]],
                    differences: Sequence[str] = ()) -> str:
    """Why ours falls short of ``published`` by more than its tolerance, read from the compared
    quantity's own learning curve (:attr:`Published.curve`, mean over seeds): still rising over the
    last third of training by more than half the tolerance → the budget is too short; otherwise the
    curve has levelled off, and the cause lies in the protocol's ``differences`` (named; a
    difference's share is measured only where an ablation was run)."""
    if published.curve is None:
        return "cause not measured: no curve of this quantity is logged during training"
    column, bar = published.curve, (published.tolerance or 0.0) / 2
    rises = [r for rec in records
             if (r := last_third_rise(pd.read_csv(Path(rec["dir"]) / "history.csv"), column,
                                      published.higher_is_better))]
    if not rises:
        return f"cause not measured: the runs logged no {column} curve (trained before the curves were)"
    name = CURVE_NAMES.get(published.row or "", column)
    readable, ends = probe_agreement(published, records)
    if readable is False:
        return (f"cause not read: {ends}, more than half the tolerance ({bar:g}): the probe's estimator, not only "
                "the model, moves the curve")
    ends = f"; {ends}" if ends else ""
    rise = float(np.mean([r.rise for r in rises]))
    seeds = f"mean of {len(rises)} seed{'s' * (len(rises) > 1)}"
    if rise > bar:
        return (f"training budget too short: {name} still rose by {rise:.2f} over the last third of training "
                f"({seeds}; rising: more than half the tolerance, {bar:g}{ends})")
    named = "; ".join(differences) if differences else "none named"
    return (f"not the budget: {name} rose by {rise:.2f} over the last third of training ({seeds}; at most half "
            f"the tolerance, {bar:g}{ends}), so more of the same training is not shown to help; the protocol's "
            f"differences remain: {named}")


def first_layer_check(records: Sequence[dict[str, Any]], tolerance: float | None) -> str:
    """How far the DBN's bound stands above (or below) its own first RBM's AIS log-likelihood
    (``first_layer_log_likelihood``), mean over the seeds that have both: a stack whose top layer
    started from the first layer's transpose starts at that likelihood, so a bound more than the
    ``tolerance`` below it means the top layer's training lost what the first had. "" without them."""
    gaps = [r["metrics"]["log_likelihood"] - r["metrics"]["first_layer_log_likelihood"] for r in records
            if r["metrics"].get("log_likelihood") is not None
            and r["metrics"].get("first_layer_log_likelihood") is not None]
    if not gaps:
        return ""
    gap = float(np.mean(gaps))
    seeds = f"mean of {len(gaps)} seed{'s' * (len(gaps) > 1)}"
    if tolerance is not None and gap < -tolerance:
        return (f"the bound falls {-gap:.2f} nats below its first RBM's own log-likelihood ({seeds}): more than "
                f"the tolerance, so the top layer's training lost what the first layer had")
    return f"the bound stands {gap:+.2f} nats from its first RBM's own log-likelihood ({seeds})"


def side_by_side(records: Sequence[dict[str, Any]], published: Sequence[Published] = PUBLISHED) -> pd.DataFrame:
    """One row per published number: the paper's value, ours (mean and 95% Student's t interval over
    seeds, or the mean and the seed count below :data:`~genstudy.study.compare.MIN_SEEDS`), the
    difference ours − paper, whether it is within the tolerance, our budget and what it cost
    (:func:`cost`), the protocol's differences and the measured cause of a shortfall; a source whose
    value was not checked says so (:data:`UNCHECKED`).
    ``records``: the chapter's measured runs, each with its ``row`` and its folder in ``dir``."""
    rows = []
    for p in published:
        runs = [r for r in records if r.get("row") == p.row and r.get("status") == "ok"]
        values = np.array([r["metrics"][p.metric] for r in runs if r["metrics"].get(p.metric) is not None], float)
        withheld = [withheld_text(r) for r in runs
                    if p.metric == "log_likelihood" and r["metrics"].get("log_likelihood_withheld")]
        paper = f"{p.value:g}" + (f" ± {p.error:g}" if p.error is not None else "")
        source = f"{p.source}, {p.where}" + ("" if p.checked else f" ({UNCHECKED})")
        row = {"published": p.what, "source": source, "paper": paper}
        if p.row is None:
            rows.append({**row, "ours": "not in this study", "difference": "", "verdict": "", "our budget": "",
                         "wall time, device": "", "differences": "", "cause": ""})
            continue
        if not len(values):
            reason = f"withheld: {withheld[0].removeprefix('unreliable: ')}" if withheld else "no finished run"
            rows.append({**row, "ours": reason, "difference": "", "verdict": "", "our budget": "",
                         "wall time, device": cost(runs) if runs else "",
                         "differences": "; ".join(protocol_differences(p, runs)), "cause": ""})
            continue
        mean, diff = float(values.mean()), float(values.mean()) - p.value
        if len(values) >= MIN_SEEDS:
            low, high = t_interval(values)
            ours = f"{mean:.2f} [{low:.2f}, {high:.2f}]"
            difference = f"{diff:+.2f} [{low - p.value:+.2f}, {high - p.value:+.2f}]"
        else:
            ours = f"{mean:.2f} ({len(values)} seed{'s' * (len(values) > 1)})"
            difference = f"{diff:+.2f}"
        worse = diff < 0 if p.higher_is_better else diff > 0
        if p.tolerance is None:
            verdict, cause = f"{'worse' if worse else 'better'} than the paper's run (no tolerance: a single run)", ""
        elif abs(diff) <= p.tolerance:
            verdict, cause = f"within ±{p.tolerance:g}", ""
        elif worse:
            verdict, cause = f"worse by more than {p.tolerance:g}", shortfall_cause(
                p, runs, protocol_differences(p, runs))
        else:
            verdict, cause = f"better by more than {p.tolerance:g}", ""
        if withheld:
            verdict += f" ({len(withheld)} seed(s) withheld: {withheld[0].removeprefix('unreliable: ')})"
        if p.row == "dbn" and p.metric == "log_likelihood" and (below := first_layer_check(runs, p.tolerance)):
            verdict += f"; {below}"
        rows.append({**row, "ours": ours, "difference": difference, "verdict": verdict, "our budget": budget(runs[0]),
                     "wall time, device": cost(runs), "differences": "; ".join(protocol_differences(p, runs)),
                     "cause": cause})
    return pd.DataFrame(rows)


#: The data's own row of :func:`parzen_table`.
DATA_ITSELF = "training images (the data itself)"


def parzen_table(records: Sequence[dict[str, Any]], real: ParzenResult) -> pd.DataFrame:
    """The Parzen log-density of every row's samples (Goodfellow et al.'s estimate, nats per test image: mean
    over seeds with its 95% Student's t interval, :func:`~genstudy.study.compare.with_interval`), the σ it
    chose (the seeds' median) and the FD of the same samples, after the data's own (``real``,
    :func:`genstudy.runs.literature.real_parzen`: its mean ± standard error over the test images), rows in
    the records' order. ``records``: the chapter's measured runs with their ``row``; the ablations' and runs
    without a Parzen value are left out."""
    rows = [{"samples": DATA_ITSELF, "seeds": "", "Parzen log-density": f"{real.mean:.2f} ± {real.sem:.2f}",
             "σ": f"{real.sigma:.3f}", "FD": ""}]
    frame = pd.DataFrame([{"row": r["row"], "parzen": r["metrics"]["parzen_ll"], "fd": r["metrics"].get("fd"),
                           "sigma": r["evaluation"].get("parzen_sigma")}
                          for r in records if r.get("status") == "ok" and not r.get("ablates")
                          and r.get("metrics", {}).get("parzen_ll") is not None])
    for row, group in (frame.groupby("row", sort=False) if len(frame) else ()):
        rows.append({"samples": row, "seeds": str(len(group)), "Parzen log-density": with_interval(group["parzen"], 2),
                     "σ": f"{group['sigma'].median():.3f}", "FD": with_interval(group["fd"], 1)})
    return pd.DataFrame(rows)


def curves(records: Sequence[dict[str, Any]], published: Sequence[Published] = PUBLISHED) -> pd.DataFrame:
    """The learning curve each row's cause reads (:attr:`Published.curve`), long form: ``row,
    curve, seed, step, share, value``, ``share`` being the step as a share of the run's last one
    (the last third starts at 2/3). An ablation's runs (records with ``ablates``) follow, under their
    own row name, with the curve of the row they vary."""
    pairs = list(dict.fromkeys((p.row, p.curve) for p in published if p.row is not None and p.curve))
    pairs += list(dict.fromkeys((r["row"], column) for r in records if r.get("ablates")
                                for row, column in pairs if row == r["ablates"]))
    parts = []
    for row, column in pairs:
        for r in records:
            if r.get("row") != row or r.get("status") != "ok":
                continue
            history = pd.read_csv(Path(r["dir"]) / "history.csv")
            if column not in history:
                continue
            points = history[["step", column]].dropna()
            parts.append(pd.DataFrame({"row": row, "curve": column, "seed": r["seed"], "step": points["step"],
                                       "share": points["step"] / max(points["step"].max(), 1),
                                       "value": points[column]}))
    columns = ["row", "curve", "seed", "step", "share", "value"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def ablation_table(plan: LiteraturePlan, records: Sequence[dict[str, Any]],
                   published: Sequence[Published] = PUBLISHED) -> pd.DataFrame:
    """What each of ``plan``'s ablations measured: the row it varies, the change it undoes, the row's
    compared quantity (its first published ``metric``) with the row's recipe and with the ablation's
    (mean and 95% Student's t interval over seeds), and ``recipe − ablation`` (Welch's 95% interval),
    read against half the row's tolerance from the recipe's side: ``better`` (the change helps),
    ``worse``, ``same`` or ``undecided``; ``not enough seeds`` below :data:`MIN_SEEDS`; ``by seed``: both
    values seed by seed (a withheld one says so). ``records``: the
    chapter's measured runs (each with its ``row``). Empty without ablations."""
    rows = []
    for name, ablation in plan.ablations.items():
        p = next(p for p in published if p.row == ablation.row)
        recipe, undone = (_by_seed(records, row, p.metric) for row in (ablation.row, name))
        ours, theirs = (np.array([v for v in values.values() if v is not None], float) for values in (recipe, undone))
        row = {"ablation": name, "varies": ablation.row, "change undone": ablation.change, "measure": p.metric,
               "by seed": "; ".join(f"seed {seed}: {_value_text(recipe, seed)} against {_value_text(undone, seed)}"
                                    for seed in sorted(undone))}
        if not len(ours) or not len(theirs):
            rows.append({**row, "recipe": "—", "ablation's": "—", "recipe − ablation": "no finished run",
                         "reading": ""})
            continue
        diff = float(ours.mean() - theirs.mean())
        enough = min(len(ours), len(theirs)) >= MIN_SEEDS
        if enough:
            low, high = t_interval(ours, theirs)
            sign = 1.0 if p.higher_is_better else -1.0
            gain = sorted((sign * low, sign * high))
            reading = read_interval(gain[0], gain[1], (p.tolerance or 0.0) / 2)
            difference = f"{diff:+.2f} [{low:+.2f}, {high:+.2f}]"
        else:
            reading, difference = FEW_SEEDS, f"{diff:+.2f}"
        rows.append({**row, "recipe": with_interval(pd.Series(ours), 2),
                     "ablation's": with_interval(pd.Series(theirs), 2),
                     "recipe − ablation": difference, "reading": reading})
    return pd.DataFrame(rows)


def _by_seed(records: Sequence[dict[str, Any]], row: str, metric: str) -> dict[int, float | None]:
    """``row``'s finished runs' ``metric`` by seed (None: withheld by its guard)."""
    return {r["seed"]: r["metrics"].get(metric) for r in records if r.get("row") == row and r.get("status") == "ok"}


def _value_text(values: dict[int, float | None], seed: int) -> str:
    """One seed's value of :func:`_by_seed` in words: 2 decimals, ``withheld``, or ``no run``."""
    if seed not in values:
        return "no run"
    value = values[seed]
    return "withheld" if value is None else f"{value:.2f}"


def options_text(options: dict[str, Any]) -> str:
    """Model or training options in words, one per layer where a list gives several:
    ``{"k": [25, 3], "lr": [0.05, 0.005]}`` → ``"k = 25, 3; lr = 0.05, 0.005"``; none → ``"defaults"``."""
    if not options:
        return "defaults"
    return "; ".join(f"{name} = {_words(value)}" for name, value in options.items())


def _words(value: Any) -> str:
    """An option's value as :func:`options_text` writes it: floats by ``:g``, lists comma-separated."""
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def plan_table(plan: LiteraturePlan) -> pd.DataFrame:
    """The chapter's runs as a table: per row, the model, its options, training options, epochs,
    batch size, seeds and how it is measured (the profile whose evaluation settings measure it; the
    Stacked MNIST run: the samples its modes are counted in); the ablations last, each measured as the
    row it varies."""
    seeds = ", ".join(map(str, plan.seeds))

    def described(row: str, run: LiteratureRun, measured: str) -> dict[str, Any]:
        return {"row": row, "model": run.model, "architecture options": options_text(run.model_options),
                "training options": options_text(run.train_options), "epochs": run.epochs, "batch": run.batch_size,
                "seeds": seeds, "measured": measured}

    s = plan.stacked
    stacked = {"row": "stacked", "model": "dcgan", "architecture options": options_text({"width": s.width,
                                                                                         "channels": 3}),
               "training options": f"{s.images:,} Stacked MNIST images", "epochs": s.epochs, "batch": s.batch_size,
               "seeds": seeds, "measured": f"modes in {s.samples:,} samples"}
    rows = [*(described(row, run, f"profile {plan.profile}") for row, run in plan.runs.items()), stacked,
            *(described(name, a.run, f"profile {plan.profile}, against row {a.row}")
              for name, a in plan.ablations.items())]
    return pd.DataFrame(rows).set_index("row")


def mixing_table(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Whether the Gibbs chains behind each RBM and DBN run's samples mix (their folder's ``mixing.csv``,
    :func:`genstudy.runs.literature.mixing`): per run, its sampler (independent Gibbs chains, or parallel
    tempering where its evaluation's settings name it), the sweeps its samples use (a tempered chain's:
    its burn-in), the FD of chains from noise and from training images after them and at the study's
    longest chains, the gap between the two starts, and whether the samples come from chains shown to
    mix (:func:`~genstudy.runs.chapter.mixes`), and the images each start's FD pooled where the study
    pooled each chain's last states; for tempered chains whose study measured it, the least
    share of swaps a pair of neighbouring replicas accepted, over both starts, and that pair's upper β.
    Empty where no such study was written."""
    rows = []
    for r in records:
        path = Path(r.get("dir", "")) / "mixing.csv"
        if r.get("family") not in TEMPERED_FAMILIES or r.get("status") != "ok" or r.get("ablates") or \
                not path.is_file():
            continue
        table = pd.read_csv(path)
        tempering = r.get("evaluation", {}).get("settings", {}).get("tempering")
        used = int(tempering["burn_in"] if tempering else r["config"]["gibbs_steps"])
        longer = int(table["sweeps"].max())
        fd = table.set_index(["start", "sweeps"])["fd"]
        sampler = (f"parallel tempering, {tempering['temperatures']} replicas" if tempering
                   else "independent Gibbs chains")
        row = {"row": r.get("row", r["family"]), "seed": r["seed"], "sampler": sampler, "sweeps used": used,
               "FD from noise": fd[(CHAIN_STARTS[0], used)],
               "FD from training images": fd[(CHAIN_STARTS[1], used)],
               "gap": f"{starts_gap(table, used):.0%}",
               f"gap after {longer:,}": f"{starts_gap(table, longer):.0%}",
               "samples from chains shown to mix": "yes" if mixes(table, used) else "no"}
        if "images" in table:  # a pooled study: each chain's last states together
            row["images per start"] = int(table["images"].iloc[0])
        if tempering and "least_swap_acceptance" in table:
            least = table[table["sweeps"] == used].sort_values("least_swap_acceptance").iloc[0]
            row["least swap acceptance"] = (f"{least['least_swap_acceptance']:.2%} "
                                            f"(β {least['least_swap_beta']:.2f} and the next)")
        rows.append(row)
    return pd.DataFrame(rows)
