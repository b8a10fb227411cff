"""The runs of the chapter *Against the literature*: the papers' models on MNIST, every seed,
trained and measured with the study's one yardstick.

Each run of a :class:`~genstudy.literature_plan.LiteraturePlan` is an ordinary training run
(:func:`~genstudy.runs.train.train_run`) named ``<book profile>-<row>-mnist-seed<seed>`` under
``results/literature/<plan profile>/``, apart from the book's profiles so that the family
comparisons never read them. In the full version a finished run with the same configuration is
reused (from its record alone while its measures are current: a published run's large weights
are not committed) and an interrupted one resumes from its checkpoint, so the chapter's two
hours on a CPU can be spread over several sittings; a reduced version (smoke, quick) retrains every run, as a
model chapter does, so that its page always shows the runs it made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from genstudy.config import PARZEN_HELD_OUT_FROM, RunParams, get_profile, resolve_device
from genstudy.data import balanced_subset, load_images, to_tensor
from genstudy.errors import ParameterError
from genstudy.literature_plan import literature_plan
from genstudy.metrics.likelihood import ParzenResult, parzen_log_likelihood
from genstudy.paths import literature_dir
from genstudy.runs.chapter import MixingPlan, chain_length_study, mixing_summary, tempered_plan
from genstudy.runs.evaluate import (
    BASELINE_SEED,
    TEMPERED_FAMILIES,
    evaluate_run,
    is_current,
    load_model,
    own_training_images,
    reference,
)
from genstudy.runs.train import TrainedRun, train_run

#: The literature's dataset: MNIST, binarized where a family's likelihood needs binary pixels.
DATASET = "mnist"


def run_name(book_profile: str, row: str, seed: int) -> str:
    """The folder name of one run of the chapter in a book of ``book_profile``."""
    return f"{book_profile}-{row}-{DATASET}-seed{seed}"


def train_literature(book_profile: str, *, results: Path | None = None, device: str = "auto",
                     data_dir: str | None = None, reuse: bool | None = None,
                     log: Callable[[str], None] = print, rows: Sequence[str] | None = None,
                     seeds: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Train and measure every run of the chapter's plan for a book of ``book_profile``
    (:func:`~genstudy.literature_plan.literature_plan`): each row's model for each seed, on MNIST.

    Returns the run records (measured: ``metrics`` and ``evaluation`` filled, unless the run
    failed), each with its ``row`` and its folder ``dir``, rows in the plan's order, seeds
    ascending. ``results`` defaults to the project's ``results/``. Sampling is not timed (the
    chapter compares no speeds). ``reuse`` (default: for the full version only) keeps finished runs
    and resumes interrupted ones; otherwise every run is trained afresh. ``rows`` and ``seeds``
    restrict the plan (e.g. to spread the full version's hours over processes or sittings); a row
    or seed the plan lacks is a :class:`~genstudy.errors.ParameterError`. The plan's ablations follow
    its rows, each a row of its own name (``rows`` names them too) whose records also name the row
    they vary (``ablates``); they are measured like their row, but get no mixing study (their
    samples score nothing the chapter compares).
    """
    plan = literature_plan(book_profile)
    runs = {**{row: (run, None) for row, run in plan.runs.items()},
            **{name: (ablation.run, ablation.row) for name, ablation in plan.ablations.items()}}
    for name, given, known in (("rows", rows, tuple(runs)), ("seeds", seeds, plan.seeds)):
        if given is not None and not set(given) <= set(known):
            raise ParameterError(name, list(given), known)
    reuse = plan.reuses_runs if reuse is None else reuse
    out = literature_dir(results)
    records = []
    for row, (run, ablates) in runs.items():
        if rows is not None and row not in rows:
            continue
        for seed in plan.seeds:
            if seeds is not None and seed not in seeds:
                continue
            params = RunParams(model=run.model, dataset=DATASET, profile=plan.profile, seed=seed, epochs=run.epochs,
                               batch_size=run.batch_size, device=device, data_dir=data_dir,
                               model_options=dict(run.model_options), train_options=dict(run.train_options),
                               train_first=run.train_first)
            name = run_name(book_profile, row, seed)
            options = {"name": name, "force": not reuse, "log": log, "sampling_repeats": 0,
                       "probe_quantity": "likelihood"}
            trained = train_run(params, out, need_model=False, **options)
            if trained.model is None and not is_current(trained.record):  # its weights are needed to measure it
                trained = train_run(params, out, **options)
            record = trained.record
            if record.get("status") == "ok":
                record = evaluate_run(trained.directory, data_dir=data_dir, device=device, force=not reuse, log=log)
                if record.get("family") in TEMPERED_FAMILIES and plan.reduced is None and ablates is None:
                    mixing(trained, record, data_dir=data_dir, force=not reuse, log=log)  # minutes: full only
            records.append({**record, "row": row, "dir": str(trained.directory),
                            **({"ablates": ablates} if ablates else {})})
    return records


def real_parzen(book_profile: str, data_dir: str | None = None) -> ParzenResult:
    """The Parzen estimate of a generator that draws the data itself: as many MNIST training images as a
    run's evaluation draws samples (the plan's profile's ``eval_samples``), class-balanced (seed
    ``BASELINE_SEED``), from the first 50,000 (those the GAN trains on, Goodfellow et al.'s split), scored
    exactly as a run's samples are (:func:`~genstudy.metrics.likelihood.parzen_log_likelihood`: σ chosen on
    the reference's validation images, the mean log-density of its test images, in nats per image). What the
    estimator reads off the data, beside what it reads off the models."""
    plan = literature_plan(book_profile)
    ref = reference(DATASET, plan.profile, data_dir)
    train = load_images(DATASET, data_dir).train
    labels = train.labels[:PARZEN_HELD_OUT_FROM]
    pick = balanced_subset(labels, min(get_profile(plan.profile).eval_samples, len(labels)), BASELINE_SEED)
    return parzen_log_likelihood(to_tensor(train.images[pick]), ref.validation, ref.likelihood_test,
                                 ref.parzen_sigmas)


#: The file of a Gibbs-sampled run's mixing study, beside its record.
MIXING_FILE = "mixing.csv"
#: Chains per start, and the lengths measured: the sweeps the run's samples use and this many times more.
MIXING_CHAINS, MIXING_LONGER = 500, 5
def mixing_plan(record: dict[str, Any]) -> MixingPlan:
    """The mixing study of the run of ``record``. Its samples' sampler decides: independent Gibbs chains of
    the record's ``gibbs_steps`` sweeps, measured there and at :data:`MIXING_LONGER` times as many, with
    :data:`MIXING_CHAINS` chains; or, where its profile samples by parallel tempering
    (:class:`~genstudy.config.Tempering`), the evaluation's tempered chains
    (:func:`~genstudy.runs.chapter.tempered_plan`)."""
    tempering = get_profile(record["profile"]).tempering
    if tempering is None:
        sweeps = int(record["config"]["gibbs_steps"])
        return MixingPlan((sweeps, MIXING_LONGER * sweeps), MIXING_CHAINS, 1)
    return tempered_plan(tempering)


def mixing(trained: TrainedRun, record: dict[str, Any], *, data_dir: str | None = None, force: bool = False,
           log: Callable[[str], None] = print) -> Path | None:
    """Write the mixing study of a Gibbs-sampled run (:func:`~genstudy.runs.chapter.chain_length_study`
    as :func:`mixing_plan` says: chains from noise and from the run's own training images) to its folder's
    :data:`MIXING_FILE`, with the run's ``created`` time and the replicas in every row, once: a study is
    made again (unless the weights are not at hand) when it names another training of the run or another
    sampler, so a retrained run never shows its predecessor's chains. Returns the file, or None where the
    run's weights are not at hand and no study is there (a published run whose weights were not committed:
    its committed study is read as it is)."""
    path = trained.directory / MIXING_FILE
    plan = mixing_plan(record)
    if path.is_file() and not force and _studies(pd.read_csv(path), record, plan):
        return path
    model = trained.model
    if model is None and (trained.directory / "model.pt").is_file():
        model = load_model(trained.directory, record, resolve_device("auto"), data_dir)
    if model is None:
        return path if path.is_file() else None
    train = own_training_images(record, data_dir)
    assert train is not None
    table = chain_length_study(model, reference(record["dataset"], record["profile"], data_dir), train,
                               plan.lengths, plan.chains, seed=int(record["seed"]) + 3,
                               temperatures=plan.temperatures, pool=plan.pool, thinning=plan.thinning)
    table.assign(run_created=record.get("created"), temperatures=plan.temperatures).to_csv(path, index=False)
    log(f"[genstudy] {record['run_id']}: mixing: {mixing_summary(table)}")
    return path


def _studies(table: pd.DataFrame, record: dict[str, Any], plan: MixingPlan) -> bool:
    """Whether the mixing study ``table`` is of the run of ``record`` as it now is: made after the training
    that made ``record`` (its ``run_created``) and as ``plan`` says: with the sampler of its evaluation
    (its ``temperatures``; a tempered one with its swaps' acceptance) and the images it pools."""
    pooled = set(table["images"]) == {plan.chains * plan.pool} if "images" in table else plan.pool == 1
    return ("run_created" in table and "temperatures" in table and set(table["run_created"]) == {record.get("created")}
            and set(table["temperatures"]) == {plan.temperatures} and pooled
            and (plan.temperatures == 1 or "least_swap_acceptance" in table))
