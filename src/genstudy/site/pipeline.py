"""The study as a grid: plan the notebook executions, run them (cached, on an engine), build the book.

``notebooks/NN_name.ipynb`` are the parameterized sources (a cell tagged ``parameters``,
defaults = the ``smoke`` profile, committed with their smoke outputs for nbval). Each says
in its metadata (``genstudy.kind``) what it is, which decides how the plan repeats it:

=============  ===========================================  ========================
kind           what it does                                 one execution per
=============  ===========================================  ========================
``data``       describes a dataset, its real-data baseline  dataset
``training``   trains and measures models (``models``)      dataset × seed
``timing``     times every compared model on one machine    dataset
``toy``        the 2-D mixtures (CPU, no image dataset)     seed
``report``     reads every record (comparison, claims)      dataset, after the rest
``page``       anything else (no metadata)                  build
=============  ===========================================  ========================

A ``timing`` execution runs after the rest of its stage, alone (:func:`waves`), so that no
training of the same build slows the models it times.

:func:`plan` turns a profile and optional overrides (models, seeds, datasets, device) into
that list; :func:`run_grid` executes what the cache (:mod:`genstudy.site.cache`) cannot reuse,
on an engine (:mod:`genstudy.site.engines`: in this process, or Dask); :func:`make_book` then
publishes the chapters (:mod:`genstudy.site.publish`) and builds the HTML with warnings as errors.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from genstudy.config import check_device, get_profile
from genstudy.data import IMAGE_DATASETS
from genstudy.errors import GenstudyError, ParameterError
from genstudy.models.registry import ALIASES, MODELS, check_dataset
from genstudy.paths import NOTEBOOK_DIR
from genstudy.runs import executions
from genstudy.runs.record import git_commit, now, read_record, run_dir, run_id
from genstudy.site import cache
from genstudy.site.engines import PARTIAL, Engine, InProcessEngine, Job, default_threads
from genstudy.site.execution import Chapter, Execution, Outcome
from genstudy.site.execution import chapters as notebook_chapters
from genstudy.site.progress import BuildProgress, Planned
from genstudy.site.publish import EXECUTED_DIR, build_html, publish, relative

BY_DATASET, BY_SEED = ("data", "training", "timing", "report"), ("training", "toy")
#: The kinds whose executions ask the engine for a GPU when the build names a CUDA device.
ON_GPU = ("training", "timing")
#: The kinds whose executions run after the rest of their stage, one at a time, with nothing else of
#: the build beside them (they time models: a training beside them would slow what they measure).
ALONE = ("timing",)
#: Why a later stage's run executes when a run it reads will execute in this build.
UPSTREAM_RUNS = "upstream will run"
#: The stored benchmark results under a project root that chapters read (the article's GAN remedies).
BENCH_RESULTS = Path("bench") / "results"


def copy_sources(root: Path, dest: Path) -> Path:
    """Copy the book's sources of the project at ``root`` (config, table of contents, prose,
    notebooks, and the stored benchmark results a chapter reads: ``bench/results/``) into a new folder
    ``dest``, without results or build output; return ``dest``."""
    import shutil

    dest.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(root / name, dest / name)
    shutil.copytree(root / "book", dest / "book", ignore=shutil.ignore_patterns(EXECUTED_DIR.name))
    shutil.copytree(root / NOTEBOOK_DIR, dest / NOTEBOOK_DIR)
    if (root / BENCH_RESULTS).is_dir():
        shutil.copytree(root / BENCH_RESULTS, dest / BENCH_RESULTS)
    return dest


def _checked_list(name: str, values: Iterable[Any] | None, allowed: Sequence[Any]) -> list[Any] | None:
    if values is None:
        return None
    values = list(dict.fromkeys(values))
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise ParameterError(name, bad[0] if bad else values, tuple(allowed))
    return values


def _checked_seeds(seeds: Iterable[int] | None) -> list[int] | None:
    if seeds is None:
        return None
    out = list(dict.fromkeys(seeds))
    for s in out:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ParameterError("seeds", s, "integers >= 0")
    if not out:
        raise ParameterError("seeds", out, "at least one integer >= 0")
    return out


def plan(profile: str, root: Path, *, models: Iterable[str] | None = None, seeds: Iterable[int] | None = None,
         datasets: Iterable[str] | None = None, device: str = "auto", data_dir: str | None = None,
         log: Callable[[str], None] | None = None, chapters: Iterable[str] | None = None) -> list[Execution]:
    """The executions that build the book on ``profile``, stage by stage, chapters in name order.

    ``models`` keeps the training chapters that train at least one of them (a chapter trains
    all of its models); ``chapters`` keeps the chapters of those names (e.g. ``09_sampling_cost``:
    to execute a few pages again; a build of the whole book then publishes them beside the others);
    ``seeds`` defaults to the profile's; ``datasets`` to Fashion-MNIST.
    A chapter whose metadata limits its seeds (``genstudy.seeds``) runs the first of them only.
    A training chapter is left out on a dataset some of its models cannot train on (the
    chapter would refuse it: :func:`~genstudy.models.registry.check_dataset`), and ``log``
    is told why.
    Each execution receives only the parameters its notebook declares among ``profile``,
    ``dataset``, ``seed``, ``device`` and ``data_dir`` (the last two only when given).

    A report reads (:attr:`Execution.reads`) every stage-0 run of the profile on its dataset
    (and those of no dataset) over all models and the profile's seeds and ``seeds``, not only
    this plan's: a build restricted by ``models`` or ``seeds`` keys its reports as a plain build
    would, so the plain build after it finds them current.
    """
    prof = get_profile(profile)
    chosen_models = None if models is None else [ALIASES.get(m, m) for m in models]
    chosen_models = _checked_list("models", chosen_models, tuple(MODELS))
    seed_list = _checked_seeds(seeds) or list(prof.seeds)
    dataset_list = _checked_list("datasets", datasets, IMAGE_DATASETS) or ["fashion_mnist"]
    device = check_device(device)
    offered: dict[str, Any] = {"profile": profile}
    if device != "auto":
        offered["device"] = device
    if data_dir is not None:
        offered["data_dir"] = str(Path(data_dir).expanduser().resolve())
    found = notebook_chapters(root)
    names = [c.name for c in found]
    chosen = set(_checked_list("chapters", None if chapters is None else list(chapters), tuple(names)) or names)
    planned = _executions([c for c in found if c.name in chosen], profile, offered, chosen_models, seed_list,
                          dataset_list, log)
    everything = _executions(found, profile, offered, None, list(dict.fromkeys([*prof.seeds, *seed_list])),
                             dataset_list, None)
    read = dict.fromkeys((e.execution_id, dataset) for e, dataset in everything + planned if e.stage == 0)
    runs = [replace(e, reads=tuple(i for i, d in read if d in (None, dataset))) if e.stage else e
            for e, dataset in planned]
    return sorted(runs, key=lambda r: r.stage)


def _executions(found: Sequence[Chapter], profile: str, offered: dict[str, Any], models: list[str] | None,
                seeds: list[int], datasets: list[str], log: Callable[[str], None] | None,
                ) -> list[tuple[Execution, str | None]]:
    """:func:`plan`'s executions of the chapters ``found`` (a training chapter only if it trains one of
    ``models``, when given), each with its dataset (None: not by dataset); ``reads`` left empty."""
    device = offered.get("device", "auto")
    runs: list[tuple[Execution, str | None]] = []
    for chapter in found:
        if chapter.kind == "training" and models is not None and not set(chapter.models) & set(models):
            continue
        for dataset in datasets if chapter.kind in BY_DATASET else [None]:
            refusal = _refusal(chapter, dataset)
            if refusal is not None:
                if log is not None:
                    log(f"[genstudy] {chapter.name} left out on {dataset}: {refusal}")
                continue
            for seed in seeds[:chapter.seeds] if chapter.kind in BY_SEED else [None]:
                values = {**offered, "dataset": dataset, "seed": seed}
                params = {k: v for k, v in values.items() if v is not None and k in chapter.declared}
                execution_id = "-".join([chapter.name, *([dataset] if dataset else []),
                                         *([f"seed{seed}"] if seed is not None else [])])
                main = dataset in (None, datasets[0]) and seed in (None, seeds[0])
                runs.append((Execution(chapter, execution_id, profile, params, main, int(chapter.kind == "report"),
                                       gpu=device.startswith("cuda") and chapter.kind in ON_GPU), dataset))
    return runs


def _refusal(chapter: Chapter, dataset: str | None) -> str | None:
    """Why the training ``chapter`` refuses ``dataset`` (None: it does not)."""
    if chapter.kind != "training" or dataset is None:
        return None
    try:
        check_dataset(dataset, chapter.models)
    except ParameterError as exc:
        return str(exc)
    return None


@dataclass
class GridResult:
    outcomes: list[Outcome]
    engine: str
    seconds: float = 0.0
    failed: list[Outcome] = field(init=False)

    def __post_init__(self) -> None:
        self.failed = [o for o in self.outcomes if o.record.get("status") != "ok"]

    def count(self, action: str, kind: str | None = None) -> int:
        return sum(o.action == action and (kind is None or o.execution.chapter.kind == kind) for o in self.outcomes)

    def summary(self) -> str:
        """The pipeline's summary: a line per run, then the totals (training runs counted apart)."""
        lines = [f"[genstudy] {'run':<40} {'this build':<30} {'status':<8} seconds"]
        for o in self.outcomes:
            action = o.described()
            seconds = "" if o.record.get("seconds") is None else f"{o.record['seconds']:.1f}"
            status = o.record.get("status", "?")
            lines.append(f"[genstudy] {o.execution.execution_id:<40} {action:<30} {status:<8} {seconds}")
            if o.record.get("error"):
                lines.append(f"[genstudy]     error: {o.record['error']}")
        lines.append(f"[genstudy] grid of {len(self.outcomes)} runs, {self.engine} engine, {self.seconds:.1f} s: "
                     f"executed {self.count('executed')} ({self.count('executed', 'training')} training), "
                     f"cached {self.count('cached')} ({self.count('cached', 'training')} training), "
                     + (f"kept as they were {self.count('kept')}, " if self.count("kept") else "")
                     + f"failed {len(self.failed)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Keyed:
    """A run with its cache key, the key's parts, its run folder and why it must execute
    (``None``: the cache has it)."""

    execution: Execution
    parts: dict[str, Any]
    key: str
    directory: Path
    previous: dict[str, Any] | None
    reason: str | None

    def runs(self, keep_stale: bool) -> bool:
        """Whether this build executes it: it is stale, and not kept as it was (``keep_stale``,
        a success whose notebook is there, and no run it reads executes before it)."""
        return self.reason is not None and not (
            keep_stale and self.reason != UPSTREAM_RUNS and cache.keepable(self.previous, self.directory))


def upstream_state(record: dict[str, Any] | None) -> str:
    """What a report chapter depends on in one upstream execution: its key, status and finish time
    (a retried or re-executed run changes it even when its key stays the same)."""
    if record is None:
        return "missing"
    return f"{record.get('key')}:{record.get('status')}:{record.get('finished')}"


def upstream_states(execution: Execution, root: Path, known: dict[str, dict[str, Any] | None]) -> dict[str, str]:
    """:func:`upstream_state` of each run ``execution`` reads (:attr:`Execution.reads`), by id: from
    ``known`` (this build's records, by id) where it has the run, else from the record on disk."""
    results = root / "results"
    return {i: upstream_state(known[i] if i in known else
                              executions.read_execution(executions.execution_dir(results, execution.profile, i)))
            for i in execution.reads}


def keyed_execution(execution: Execution, root: Path, threads: int, force: bool = False,
              upstream: dict[str, str] | None = None) -> Keyed:
    """``run`` with its key and cache state; ``upstream`` (reports): run id → :func:`upstream_state`."""
    parts = cache.key_parts(execution.source, execution.parameters, threads,
                            dict(sorted(upstream.items())) if upstream else None)
    key = cache.cache_key(parts)
    directory = executions.execution_dir(root / "results", execution.profile, execution.execution_id)
    previous = executions.read_execution(directory)
    reason = "forced" if force else cache.why_stale(previous, parts, key, directory)
    return Keyed(execution, parts, key, directory, previous, reason)


def keyed(runs: Sequence[Execution], root: Path, threads: int, force: bool = False,
          first: list[Keyed] | None = None, keep_stale: bool = False) -> list[Keyed]:
    """What the cache would do with ``runs`` now (for :func:`describe_plan` and the status line):
    a stage-1 run must execute as soon as a stage-0 run it reads will (:meth:`Keyed.runs`; with
    ``keep_stale``, stale successes are kept as they were); with ``force`` all execute.
    ``first``: the stage-0 runs already keyed (they are not keyed again)."""
    if first is None:
        first = [keyed_execution(r, root, threads, force) for r in runs if r.stage == 0]
    known = {k.execution.execution_id: k.previous for k in first}
    running = {k.execution.execution_id for k in first if k.runs(keep_stale)}
    later = []
    for r in runs:
        if r.stage > 0:
            k = keyed_execution(r, root, threads, force, upstream=upstream_states(r, root, known))
            if running & set(r.reads) and not (k.reason and not keep_stale):
                k = Keyed(k.execution, k.parts, k.key, k.directory, k.previous, UPSTREAM_RUNS)
            later.append(k)
    return first + later


def _profile(runs: Sequence[Execution]) -> str | None:
    """The profile of ``runs`` (None when they are of several or none)."""
    profiles = {r.profile for r in runs}
    return profiles.pop() if len(profiles) == 1 else None


def run_grid(runs: Sequence[Execution], root: Path, *, engine: Engine | None = None, force: bool = False,
             threads: int | None = None, log: Callable[[str], None] = print,
             progress: TextIO | None = None, keep_stale: bool = False) -> GridResult:
    """Execute ``runs`` whose cache entry is missing, stale or failed (all with ``force``); stage 0
    first, then stage 1, whose keys include the state (key, status, finish time) of every
    stage-0 run it reads (:attr:`Execution.reads`: of the profile, in this build or not), so a
    report re-executes whenever a run it reads was executed again. Records
    are written as runs finish; a failing run is recorded and the grid goes on. With
    ``progress``, a :class:`~genstudy.site.progress.BuildProgress` status line is shown on it
    while the executions run.

    ``keep_stale`` (a published study, e.g. committed full-profile results): a stale run that
    succeeded is not executed but kept as it was (action ``kept``, its record naming the
    commit that made it), unless a run it reads executes in this build; missing and failed
    runs still execute (and so does a stale report whose reads this build executes). Ignored
    with ``force``.
    """
    engine = engine or InProcessEngine()
    threads = threads or default_threads(_profile(runs))
    keep_stale = keep_stale and not force
    start = time.perf_counter()
    outcomes: dict[str, Outcome] = {}
    # Stage 0's keys do not depend on anything this build executes: computed once, for the
    # status line and for running (a later stage's keys wait for the stage before it).
    first = [keyed_execution(r, root, threads, force) for r in runs if r.stage == 0]
    status = _progress(runs, first, root, threads, force, progress, keep_stale)
    with status or contextlib.nullcontext():
        _run_stages(runs, first, root, engine, threads, force, log, status, outcomes, keep_stale)
    ordered = [outcomes[r.execution_id] for r in runs]
    return GridResult(ordered, engine.name, time.perf_counter() - start)


def _progress(runs: Sequence[Execution], first: list[Keyed], root: Path, threads: int, force: bool,
              stream: TextIO | None, keep_stale: bool) -> BuildProgress | None:
    """The status line of the executions the cache cannot reuse now, each estimated by its last
    recorded execution's seconds (None without ``stream`` or with nothing to execute). ``first``:
    stage 0 already keyed; a later stage is stale as soon as anything in stage 0 executes."""
    if stream is None:
        return None
    found = keyed(runs, root, threads, force, first, keep_stale)
    todo = [k for k in found if k.runs(keep_stale)]
    if not todo:
        return None
    seconds = estimated_seconds(found, budget_changes(todo, root / "results"))
    return BuildProgress([Planned(k.execution.execution_id, k.directory / PARTIAL, seconds[k.execution.execution_id])
                          for k in todo], stream)


def estimated_seconds(found: Sequence[Keyed], changes: Mapping[str, float] | None = None) -> dict[str, float | None]:
    """Seconds each of ``found`` is expected to take, by execution id: its last recorded
    execution's, plus its entry in ``changes`` (:func:`budget_changes`: its models' budgets may have
    changed since; none: 0), or, for one never run, the median of its chapter's other executions'
    in ``found`` that succeeded (another seed's, say); None when its chapter has never run here."""
    changes = changes or {}
    done: dict[str, list[float]] = {}
    for k in found:
        if k.previous and k.previous.get("status") == "ok" and k.previous.get("seconds") is not None:
            done.setdefault(k.execution.name, []).append(float(k.previous["seconds"]))
    out: dict[str, float | None] = {}
    for k in found:
        own = (k.previous or {}).get("seconds")
        siblings = done.get(k.execution.name)
        out[k.execution.execution_id] = (float(own) + changes.get(k.execution.execution_id, 0.0) if own is not None
                                         else statistics.median(siblings) if siblings else None)
    return out


def budget_changes(found: Sequence[Keyed], results: Path) -> dict[str, float]:
    """:func:`budget_change_seconds` of each of ``found`` that has a recorded execution and a budget
    changed since (results: the ``results/`` folder), by execution id."""
    out = {}
    for k in found:
        if k.previous and k.previous.get("seconds") is not None and (extra := budget_change_seconds(k, results)):
            out[k.execution.execution_id] = extra
    return out


def budget_change_seconds(k: Keyed, results: Path) -> float:
    """Seconds of training a training execution's next run adds (negative: saves) because the epochs of
    its models' budgets changed since their runs were made: over the models of its chapter whose run
    record is there (``<results>/<profile>/<run id>``), the record's training seconds times (the profile's
    epochs now / the record's epochs - 1); 0 for other kinds, or where no budget changed. Epochs are
    per layer for a DBN on both sides, so the ratio holds for it too."""
    e = k.execution
    if e.chapter.kind != "training" or "seed" not in e.parameters or "dataset" not in e.parameters:
        return 0.0
    profile = get_profile(e.profile)
    extra = 0.0
    for model in e.chapter.models:
        rid = run_id(model, e.parameters["dataset"], int(e.parameters["seed"]), e.chapter.framework)
        record = read_record(run_dir(results, e.profile, rid))
        if record is None or (seconds := (record.get("timings") or {}).get("train_s")) is None:
            continue
        then, now_ = int(record["config"]["epochs"]), profile.budget(model).epochs
        extra += float(seconds) * (now_ / then - 1)
    return extra


def waves(tasks: list[Job]) -> list[list[Job]]:
    """``tasks`` in the order the engine receives them: every one whose kind is not in :data:`ALONE`
    in one batch (an engine of several workers runs them side by side), then each of the others in a
    batch of its own, so that nothing of this build runs beside it."""
    together: list[Job] = []
    alone: list[list[Job]] = []
    for t in tasks:
        if t.record.get("kind") in ALONE:
            alone.append([t])
        else:
            together.append(t)
    return [together, *alone] if together else alone


def _run_stages(runs: Sequence[Execution], first: list[Keyed], root: Path, engine: Engine, threads: int,
                force: bool, log: Callable[[str], None], status: BuildProgress | None,
                outcomes: dict[str, Outcome], keep_stale: bool) -> None:
    commit = git_commit(root)
    executed: set[str] = set()
    for stage in sorted({r.stage for r in runs}):
        if stage == 0:
            entries = first
        else:
            known: dict[str, dict[str, Any] | None] = {i: o.record for i, o in outcomes.items()}
            entries = [keyed_execution(r, root, threads, force, upstream_states(r, root, known))
                       for r in runs if r.stage == stage]
        tasks: list[Job] = []
        pending: dict[str, Keyed] = {}
        for k in entries:
            e = k.execution
            if k.reason is None:
                assert k.previous is not None
                outcomes[e.execution_id] = Outcome(e, "cached", None, {**k.previous, "dir": str(k.directory)})
                continue
            if not k.runs(keep_stale and not executed & set(e.reads)):
                assert k.previous is not None
                outcomes[e.execution_id] = Outcome(e, "kept", k.reason, {**k.previous, "dir": str(k.directory)})
                log(f"[genstudy] kept {e.execution_id} as it was ({k.reason}; made at "
                    f"{k.previous.get('git_commit') or 'an unknown commit'})")
                continue
            record = {"execution_id": e.execution_id, "notebook": relative(e.source, root), "kind": e.chapter.kind,
                      "profile": e.profile, "parameters": e.parameters, "key": k.key, "key_parts": k.parts,
                      "engine": engine.name, "reason": k.reason, "queued": now(), "git_commit": commit}
            tasks.append(Job(e.execution_id, str(e.source), str(k.directory), str(root), e.parameters, threads,
                             e.gpu, record))
            pending[e.execution_id] = k
            log(f"[genstudy] queued {k.execution.execution_id} ({k.reason})")
        for record in (r for wave in waves(tasks) for r in engine.run(wave)):
            k = pending.pop(record["execution_id"])
            executions.write_execution(k.directory, record)
            e = k.execution
            outcomes[e.execution_id] = Outcome(e, "executed", k.reason, {**record, "dir": str(k.directory)})
            if status is not None:
                status.finished(e.execution_id)
            seconds = "" if record.get("seconds") is None else f" in {record['seconds']:.1f} s"
            log(f"[genstudy] {k.execution.execution_id}: {record['status']}{seconds}"
                + (f": {record['error']}" if record.get("error") else ""))
        if pending:
            raise GenstudyError(f"the {engine.name} engine returned no result for {', '.join(pending)}")
        executed |= {t.execution_id for t in tasks}


@dataclass
class BookResult:
    html: Path
    grid: GridResult


def make_book(profile: str, root: Path, *, data_dir: str | None = None, models: Iterable[str] | None = None,
              seeds: Iterable[int] | None = None, datasets: Iterable[str] | None = None, device: str = "auto",
              engine: Engine | None = None, force: bool = False, log: Callable[[str], None] = print,
              progress: TextIO | None = None, keep_stale: bool = False,
              chapters: Iterable[str] | None = None) -> BookResult:
    """Plan, say what will execute (:func:`plan_summary`), run the grid, publish ``book/executed/``
    and build the HTML (warnings are errors); with ``progress``, the grid's status line is shown
    on it; ``keep_stale`` keeps stale successes as they were (:func:`run_grid`).

    A failed run does not stop the book: its chapter is published as far as it ran, under a
    warning, and ``result.grid.failed`` lists it (the CLI then exits with status 1).
    """
    runs = plan(profile, root, models=models, seeds=seeds, datasets=datasets, device=device, data_dir=data_dir,
                log=log, chapters=chapters)
    log(plan_summary(runs, root, force=force, keep_stale=keep_stale))
    grid = run_grid(runs, root, engine=engine, force=force, log=log, progress=progress, keep_stale=keep_stale)
    log(grid.summary())
    toc = publish(grid.outcomes, root, profile, grid.engine)
    log("[genstudy] building the HTML with jupyter-book (warnings are errors)")
    start = time.perf_counter()
    html = build_html(root, toc)
    log(f"[genstudy] book built in {time.perf_counter() - start:.1f} s: {html / 'index.html'}")
    return BookResult(html, grid)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def plan_summary(runs: Sequence[Execution], root: Path, threads: int | None = None, force: bool = False,
                 keep_stale: bool = False) -> str:
    """What a build of ``runs`` will execute, before it starts: how many runs and why, roughly how
    long by their last recorded executions (and how many have none to go by), and the stale runs it
    keeps as they were."""
    keep_stale = keep_stale and not force
    found = keyed(runs, root, threads or default_threads(_profile(runs)), force, keep_stale=keep_stale)
    todo = [k for k in found if k.runs(keep_stale)]
    kept = [k for k in found if k.reason is not None and not k.runs(keep_stale)]
    changes = budget_changes(todo, root / "results")
    seconds = estimated_seconds(found, changes)
    known = [t for k in todo if (t := seconds[k.execution.execution_id]) is not None]
    unknown = len(todo) - len(known)
    rescaled = len(changes)
    lines = [f"[genstudy] this build executes {len(todo)} of {len(found)} runs"
             + (f", about {_duration(sum(known))} by the last execution of {len(known)} of them (or, never run, "
                "of their chapter's other runs)" if known else "")
             + (f", {rescaled} of them with their training scaled to the epochs of the budgets now" if rescaled else "")
             + (f"; {unknown} of a chapter never run here, not estimated" if unknown else "")
             + (":" if todo else ".")]
    lines += [f"[genstudy]   {k.execution.execution_id} ({k.reason})" for k in todo]
    if kept:
        lines.append(f"[genstudy] it keeps {len(kept)} stale runs as they were (`genstudy book --refresh` executes "
                     f"them): " + ", ".join(f"{k.execution.execution_id} ({k.reason})" for k in kept))
    return "\n".join(lines)


def describe_plan(runs: Sequence[Execution], root: Path, threads: int | None = None) -> str:
    """The plan as a table: run, stage, kind, whether the cache would reuse it, parameters."""
    lines = [f"{'run':<40} {'stage':<5} {'kind':<8} {'cache':<30} parameters"]
    for k in keyed(runs, root, threads or default_threads(_profile(runs))):
        state = "reuse" if k.reason is None else f"execute ({k.reason})"
        params = ", ".join(f"{name}={value}" for name, value in k.execution.parameters.items())
        e = k.execution
        lines.append(f"{e.execution_id:<40} {e.stage:<5} {e.chapter.kind:<8} {state:<30} {params}")
    lines.append("then: publish book/executed/ (chapters, appendix of runs) and build _build/html")
    return "\n".join(lines)
