"""The study as a grid (genstudy.site.pipeline, cache, engines, publish): the plan, the cache that
skips what is current, failures recorded and retried, and a real Dask cluster that gives the
same records as the in-process engine."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

import conftest
from conftest import ROOT
from genstudy.errors import GenstudyError, ParameterError
from genstudy.machine import describe_cpu
from genstudy.runs import executions
from genstudy.site import cache
from genstudy.site.engines import DaskEngine, restore_environ
from genstudy.site.pipeline import GridResult, plan, plan_summary, run_grid
from genstudy.site.publish import EXECUTED_DIR, GENERATED_TOC, RUNS_DIR, publish, with_current_prose

PARAMS = 'profile = "smoke"\ndataset = "fashion_mnist"\nseed = 0'


def write_notebook(path: Path, *sources: str, kind: str | None = "training", params: str = PARAMS,
                   title: str = "A chapter", models: tuple[str, ...] = ("rbm",)) -> None:
    """A notebook with a title cell, a ``parameters`` cell and ``sources`` as code cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nProse before."),
                nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if kind is not None:
        nb.metadata["genstudy"] = {"kind": kind, **({"models": list(models)} if kind == "training" else {})}
    nbformat.write(nb, path)


#: A training-like chapter: writes a record-like file per (dataset, seed); fails while a flag
#: file exists (``fail-<seed>``) and kills its Dask worker while ``kill-<seed>`` exists.
FRAGILE = """
import json, os, signal
from pathlib import Path
out = Path("results") / profile / f"toy-{dataset}-seed{seed}"
out.mkdir(parents=True, exist_ok=True)
if Path(f"kill-{seed}").exists():
    os.kill(os.getppid(), signal.SIGKILL)
if Path(f"fail-{seed}").exists():
    raise RuntimeError(f"flag file fail-{seed}")
(out / "record.json").write_text(json.dumps({"seed": seed, "value": seed * 10}))
print("trained", seed)
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A project with a data chapter, a fragile training chapter and a report chapter (each
    executes in seconds), listed in its _toc.yml."""
    root = tmp_path / "tiny"
    (root / "notebooks").mkdir(parents=True)
    (root / "book").mkdir()
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    (root / "book" / "intro.md").write_text("# Tiny\n\nA test book.\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                   "  - file: book/executed/00_data\n  - file: book/executed/02_train\n"
                                   "  - file: book/executed/90_report\n")
    write_notebook(root / "notebooks" / "00_data.ipynb", "print('data', dataset)", kind="data", title="Data")
    write_notebook(root / "notebooks" / "02_train.ipynb", FRAGILE, title="Training")
    write_notebook(root / "notebooks" / "90_report.ipynb",
                   "from pathlib import Path\nprint(sorted(p.parent.name for p in "
                   "Path('results', profile).glob('toy-*/record.json')))", kind="report", title="Report")
    return root


def actions(result: GridResult) -> dict[str, str]:
    return {o.execution.execution_id: o.action if o.record["status"] == "ok" else "failed" for o in result.outcomes}


def quiet(_: str) -> None:
    pass


# --- the plan ---------------------------------------------------------------------------------

def test_plan_repeats_each_kind_over_what_it_varies_with() -> None:
    runs = plan("full", ROOT)
    ids = [r.execution_id for r in runs]
    assert ids[:2] == ["00_data-fashion_mnist", "01_article_tensorflow-fashion_mnist-seed0"]
    assert {"02_gan-fashion_mnist-seed0", "02_gan-fashion_mnist-seed1", "02_gan-fashion_mnist-seed2",
            "06_toy2d-seed2"} <= set(ids)
    assert ids[-2:] == ["90_comparison-fashion_mnist", "91_claims-fashion_mnist"]  # reports last, stage 1
    assert [r.stage for r in runs] == sorted(r.stage for r in runs)
    timed = [r for r in runs if r.chapter.kind == "timing"]  # once per dataset, all seeds in one process
    assert [(r.execution_id, r.stage, r.parameters) for r in timed] == [
        ("09_sampling_cost-fashion_mnist", 0, {"profile": "full", "dataset": "fashion_mnist"})]
    assert "09_sampling_cost-fashion_mnist" in next(r for r in runs if r.execution_id.startswith("91_")).reads
    main = {r.execution_id for r in runs if r.main}
    assert "02_gan-fashion_mnist-seed0" in main and "02_gan-fashion_mnist-seed1" not in main
    gan1 = next(r for r in runs if r.execution_id == "02_gan-fashion_mnist-seed1")
    assert gan1.parameters == {"profile": "full", "dataset": "fashion_mnist", "seed": 1}  # declared ones only
    assert next(r for r in runs if r.execution_id == "06_toy2d-seed1").parameters == {"profile": "full", "seed": 1}
    # the article's code runs one seed (its notebook's metadata genstudy.seeds = 1); families run all three
    assert [i for i in ids if i.startswith("01_")] == ["01_article_tensorflow-fashion_mnist-seed0"]


def test_a_timing_execution_runs_after_the_rest_of_its_stage_and_alone() -> None:
    from genstudy.site.engines import Job
    from genstudy.site.pipeline import waves

    jobs = [Job(name, "nb.ipynb", "dir", "root", {}, 2, record={"kind": kind}) for name, kind in (
        ("timing-a", "timing"), ("train-0", "training"), ("timing-b", "timing"), ("data", "data"))]
    assert [[j.execution_id for j in wave] for wave in waves(jobs)] == [["train-0", "data"], ["timing-a"],
                                                                        ["timing-b"]]
    assert waves([]) == [] and [len(w) for w in waves(jobs[:1])] == [1]


def test_plan_overrides_select_models_seeds_datasets_and_device(tmp_path: Path) -> None:
    runs = plan("quick", ROOT, models=["dbn", "rbm"], seeds=[3, 4], datasets=["digits"], device="cuda",
                data_dir=str(tmp_path))
    training = [r for r in runs if r.chapter.kind == "training"]
    assert [r.execution_id for r in training] == ["04_rbm-digits-seed3", "04_rbm-digits-seed4", "05_dbn-digits-seed3",
                                            "05_dbn-digits-seed4"]
    assert all(r.gpu for r in training) and not any(r.gpu for r in runs if r.chapter.kind not in ("training", "timing"))
    assert [(r.execution_id, r.gpu, r.parameters["device"]) for r in runs if r.chapter.kind == "timing"] == [
        ("09_sampling_cost-digits", True, "cuda")]  # timed where the models train
    assert training[0].parameters == {"profile": "quick", "dataset": "digits", "seed": 3, "device": "cuda",
                                      "data_dir": str(tmp_path.resolve())}


def test_plan_keeps_the_chapters_named_and_keys_their_reports_as_a_plain_build_would() -> None:
    runs = plan("quick", ROOT, chapters=["09_sampling_cost", "91_claims"])
    assert [r.execution_id for r in runs] == ["09_sampling_cost-fashion_mnist", "91_claims-fashion_mnist"]
    plain = {r.execution_id: r for r in plan("quick", ROOT)}
    assert runs[1].reads == plain["91_claims-fashion_mnist"].reads and "02_gan-fashion_mnist-seed0" in runs[1].reads
    assert runs[0] == plain["09_sampling_cost-fashion_mnist"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"chapters": ["99_nothing"]}, r"invalid chapters='99_nothing'; allowed: '00_data'"),
    ({"models": ["flow"]}, r"invalid models='flow'; allowed: 'dcgan'"),
    ({"seeds": [-1]}, r"invalid seeds=-1; allowed: integers >= 0"),
    ({"datasets": ["ring8"]}, r"invalid datasets='ring8'; allowed: 'fashion_mnist', 'mnist', 'digits'"),
    ({"device": "tpu"}, r"invalid device='tpu'; allowed: 'auto', 'cpu', 'cuda', 'cuda:N'"),
])
def test_plan_rejects_bad_overrides_naming_the_parameter(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        plan("quick", ROOT, **overrides)


def test_a_notebook_with_an_unknown_kind_is_named(tiny: Path) -> None:
    write_notebook(tiny / "notebooks" / "05_odd.ipynb", "x = 1", kind="lecture")
    with pytest.raises(GenstudyError, match=r"05_odd.ipynb: metadata genstudy.kind='lecture'; allowed: data"):
        plan("smoke", tiny)


def test_a_chapter_limited_to_its_first_seeds_runs_those_and_a_bad_limit_is_named(tiny: Path) -> None:
    import nbformat

    path = tiny / "notebooks" / "02_train.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["genstudy"]["seeds"] = 2
    nbformat.write(nb, path)
    ids = [r.execution_id for r in plan("smoke", tiny, seeds=[5, 6, 7])]
    assert [i for i in ids if i.startswith("02_")] == ["02_train-fashion_mnist-seed5", "02_train-fashion_mnist-seed6"]
    nb.metadata["genstudy"]["seeds"] = 0
    nbformat.write(nb, path)
    with pytest.raises(GenstudyError, match=r"02_train.ipynb: metadata genstudy.seeds=0; allowed: a positive integer"):
        plan("smoke", tiny)


# --- the cache --------------------------------------------------------------------------------

def test_second_run_reuses_everything_and_prose_edits_execute_nothing(tiny: Path) -> None:
    runs = plan("smoke", tiny, seeds=[0, 1])
    first = run_grid(runs, tiny, log=quiet)
    assert set(actions(first).values()) == {"executed"} and first.count("executed", "training") == 2
    again = run_grid(plan("smoke", tiny, seeds=[0, 1]), tiny, log=quiet)
    assert set(actions(again).values()) == {"cached"}
    assert "executed 0 (0 training), cached 4 (2 training), failed 0" in again.summary()

    source = tiny / "notebooks" / "02_train.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].source = "# Training\n\nProse rewritten after the run."
    nbformat.write(nb, source)
    edited = run_grid(plan("smoke", tiny, seeds=[0, 1]), tiny, log=quiet)
    assert set(actions(edited).values()) == {"cached"}
    publish(edited.outcomes, tiny, "smoke", edited.engine)
    page = nbformat.read(tiny / EXECUTED_DIR / "02_train.ipynb", as_version=4)
    assert page.cells[0].source.endswith("Prose rewritten after the run.")
    assert "trained 0" in page.cells[-1].outputs[0].text  # the outputs of the cached execution


def test_a_code_edit_re_executes_that_chapter_and_the_reports_only(tiny: Path) -> None:
    run_grid(plan("smoke", tiny), tiny, log=quiet)
    source = tiny / "notebooks" / "02_train.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[-1].source += "\nprint('one more line')"
    nbformat.write(nb, source)
    result = run_grid(plan("smoke", tiny), tiny, log=quiet)
    assert actions(result) == {"00_data-fashion_mnist": "cached", "02_train-fashion_mnist-seed0": "executed",
                               "90_report-fashion_mnist": "executed"}
    reasons = {o.execution.execution_id: o.reason for o in result.outcomes}
    assert reasons["02_train-fashion_mnist-seed0"] == "notebook changed"
    assert reasons["90_report-fashion_mnist"] == "upstream changed"
    forced = run_grid(plan("smoke", tiny), tiny, force=True, log=quiet)
    assert set(actions(forced).values()) == {"executed"}


def test_a_build_restricted_to_some_models_leaves_the_reports_current_for_the_plain_build(tiny: Path) -> None:
    write_notebook(tiny / "notebooks" / "03_other.ipynb", "print('other', seed)", title="Other", models=("dcgan",))
    report = next(r for r in plan("smoke", tiny, models=["rbm"]) if r.stage == 1)
    # what the report reads does not depend on the models or seeds a build is restricted to
    assert report.reads == ("00_data-fashion_mnist", "02_train-fashion_mnist-seed0", "03_other-fashion_mnist-seed0")
    assert next(r for r in plan("smoke", tiny, seeds=[1]) if r.stage == 1).reads == (
        "00_data-fashion_mnist", "02_train-fashion_mnist-seed0", "02_train-fashion_mnist-seed1",
        "03_other-fashion_mnist-seed0", "03_other-fashion_mnist-seed1")  # the profile's seed and this build's
    two = [r for r in plan("smoke", tiny, datasets=["fashion_mnist", "digits"]) if r.stage == 1]
    assert [r.reads for r in two] == [  # each report reads its own dataset's runs
        ("00_data-fashion_mnist", "02_train-fashion_mnist-seed0", "03_other-fashion_mnist-seed0"),
        ("00_data-digits", "02_train-digits-seed0")]  # DCGAN refuses the 8 x 8 digits: 03_other is left out

    run_grid(plan("smoke", tiny), tiny, log=quiet)
    source = tiny / "notebooks" / "02_train.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[-1].source += "\nprint('one more line')"
    nbformat.write(nb, source)
    restricted = run_grid(plan("smoke", tiny, models=["rbm"]), tiny, log=quiet)
    assert actions(restricted) == {"00_data-fashion_mnist": "cached", "02_train-fashion_mnist-seed0": "executed",
                                   "90_report-fashion_mnist": "executed"}
    plain = run_grid(plan("smoke", tiny), tiny, log=quiet)
    assert set(actions(plain).values()) == {"cached"}  # the report read 03_other's run too


def _git_commit_all(root: Path) -> str:
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "sources"], check=True)
    return subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def test_a_published_build_keeps_stale_runs_as_they_were_and_refresh_executes_them(
        tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tiny / ".gitignore").write_text("results/\nbook/executed/\n")
    commit = _git_commit_all(tiny)
    assert plan_summary(plan("smoke", tiny), tiny).splitlines()[0] == (
        "[genstudy] this build executes 3 of 3 runs; 3 of a chapter never run here, not estimated:")
    first = run_grid(plan("smoke", tiny), tiny, log=quiet)
    assert {o.record["git_commit"] for o in first.outcomes} == {commit}
    finished = {o.execution.execution_id: o.record["finished"] for o in first.outcomes}
    monkeypatch.setattr(cache, "execution_fingerprint", lambda *_: "0.0.0+other-code")  # the library changed since

    assert plan_summary(plan("smoke", tiny), tiny, keep_stale=True).splitlines() == [
        "[genstudy] this build executes 0 of 3 runs.",
        "[genstudy] it keeps 3 stale runs as they were (`genstudy book --refresh` executes them): "
        "00_data-fashion_mnist (package changed), 02_train-fashion_mnist-seed0 (package changed), "
        "90_report-fashion_mnist (package changed)"]
    logged: list[str] = []
    kept = run_grid(plan("smoke", tiny), tiny, log=logged.append, keep_stale=True)
    assert set(actions(kept).values()) == {"kept"} and {o.reason for o in kept.outcomes} == {"package changed"}
    assert {o.execution.execution_id: o.record["finished"] for o in kept.outcomes} == finished  # none ran
    assert f"kept (package changed; {commit[:12]})" in kept.summary()
    publish(kept.outcomes, tiny, "smoke", kept.engine)
    note = nbformat.read(tiny / EXECUTED_DIR / "02_train.ipynb", as_version=4).cells[1].source
    assert note.startswith("```{note}\nThese outputs were computed on") and f"at commit `{commit}`" in note
    assert "(package changed)" in note and "genstudy book --profile smoke --refresh" in note
    assert f"| kept (package changed; {commit[:12]}) |" in (tiny / RUNS_DIR / "index.md").read_text()

    # a run that is missing still executes, and so does the report that reads it
    shutil.rmtree(Path(next(o for o in kept.outcomes if o.execution.chapter.kind == "training").record["dir"]))
    partly = run_grid(plan("smoke", tiny), tiny, log=quiet, keep_stale=True)
    assert actions(partly) == {"00_data-fashion_mnist": "kept", "02_train-fashion_mnist-seed0": "executed",
                               "90_report-fashion_mnist": "executed"}
    # without keep_stale (``--refresh``) the stale run executes; force ignores keep_stale
    summary = plan_summary(plan("smoke", tiny), tiny).splitlines()
    assert summary[0].startswith("[genstudy] this build executes 2 of 3 runs, about ")
    assert summary[0].endswith(" s by the last execution of 2 of them (or, never run, of their chapter's other runs):")
    assert summary[1:] == ["[genstudy]   00_data-fashion_mnist (package changed)",
                           "[genstudy]   90_report-fashion_mnist (upstream will run)"]
    refreshed = run_grid(plan("smoke", tiny), tiny, log=quiet)
    assert actions(refreshed) == {"00_data-fashion_mnist": "executed", "02_train-fashion_mnist-seed0": "cached",
                                  "90_report-fashion_mnist": "executed"}
    forced = run_grid(plan("smoke", tiny), tiny, log=quiet, force=True, keep_stale=True)
    assert set(actions(forced).values()) == {"executed"}


def test_of_the_books_profiles_only_full_is_published_and_the_cli_can_refresh_it() -> None:
    from genstudy.config import BOOK_PROFILES, PROFILES
    from genstudy.site.cli import build_parser

    assert [name for name in BOOK_PROFILES if PROFILES[name].published] == ["full"]
    assert PROFILES["literature"].published  # the full book's literature runs are committed with it
    assert build_parser().parse_args(["book", "--profile", "full", "--refresh"]).refresh


def test_the_key_changes_with_parameters_library_and_threads(tiny: Path) -> None:
    source = tiny / "notebooks" / "02_train.ipynb"
    base = cache.cache_key(cache.key_parts(source, {"seed": 0}, threads=2))
    assert cache.cache_key(cache.key_parts(source, {"seed": 0}, threads=2)) == base
    assert cache.cache_key(cache.key_parts(source, {"seed": 1}, threads=2)) != base
    assert cache.cache_key(cache.key_parts(source, {"seed": 0}, threads=1)) != base
    assert cache.cache_key(cache.key_parts(source, {"seed": 0}, threads=2, upstream={"a": "1"})) != base
    assert cache.package_fingerprint().startswith("0.")


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    import genstudy

    return Path(shutil.copytree(Path(genstudy.__file__).parent, tmp_path / "genstudy",
                                ignore=shutil.ignore_patterns("__pycache__")))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new))


def test_editing_the_book_machinery_leaves_the_fingerprint_unchanged(package_copy: Path) -> None:
    base = cache.fingerprint(package_copy, "0.1.0")
    _edit(package_copy / "site" / "pipeline.py", "BY_DATASET, BY_SEED =", "EXTRA = 1\nBY_DATASET, BY_SEED =")
    (package_copy / "site" / "new_engine.py").write_text("X = 1\n")
    assert cache.fingerprint(package_copy, "0.1.0") == base


def test_editing_what_shapes_results_changes_the_fingerprint(package_copy: Path) -> None:
    base = cache.fingerprint(package_copy, "0.1.0")
    gan = package_copy / "models" / "gan.py"
    _edit(gan, "A GAN is a generator", "A GAN, as the docstring says, is a generator")  # a docstring only
    assert cache.fingerprint(package_copy, "0.1.0") == base
    old = "nn.LeakyReLU(0.2, True),\n            nn.Conv2d(w, 2 * w"
    _edit(gan, old, old.replace("0.2", "0.3"))
    changed = cache.fingerprint(package_copy, "0.1.0")
    assert changed != base
    (package_copy / "metrics" / "weights" / "manifest.json").write_text("{}")
    assert cache.fingerprint(package_copy, "0.1.0") != changed


def test_the_runs_code_digest_changes_with_any_edit_of_what_shapes_results(package_copy: Path) -> None:
    from genstudy.hashing import source_digest
    from genstudy.runs.record import code_digest

    base = source_digest(package_copy)
    assert base == code_digest()  # the installed package's, as every run record stores it
    _edit(package_copy / "site" / "pipeline.py", "BY_DATASET, BY_SEED =", "EXTRA = 1\nBY_DATASET, BY_SEED =")
    assert source_digest(package_copy) == base  # the book's machinery shapes no result
    fingerprint = cache.fingerprint(package_copy, "0.1.0")
    _edit(package_copy / "models" / "gan.py", "A GAN is a generator", "A GAN, as the docstring says, is a generator")
    assert source_digest(package_copy) != base  # bytes, not syntax trees: the same on every Python
    assert cache.fingerprint(package_copy, "0.1.0") == fingerprint


# --- failures ---------------------------------------------------------------------------------

def test_a_failing_run_is_recorded_kept_and_retried_next_time(tiny: Path) -> None:
    (tiny / "fail-1").touch()
    first = run_grid(plan("smoke", tiny, seeds=[0, 1]), tiny, log=quiet)
    assert actions(first) == {"00_data-fashion_mnist": "executed", "02_train-fashion_mnist-seed0": "executed",
                              "02_train-fashion_mnist-seed1": "failed", "90_report-fashion_mnist": "executed"}
    seed1 = executions.execution_dir(tiny / "results", "smoke", "02_train-fashion_mnist-seed1")
    failed = executions.read_execution(seed1)
    assert failed is not None and failed["status"] == "failed"
    assert "raised RuntimeError: flag file fail-1" in failed["error"]
    assert failed["notebook_file"] == executions.FAILED_NOTEBOOK
    assert (tiny / "results/smoke/executions/02_train-fashion_mnist-seed1" / executions.FAILED_NOTEBOOK).is_file()

    (tiny / "fail-1").unlink()
    second = run_grid(plan("smoke", tiny, seeds=[0, 1]), tiny, log=quiet)
    assert actions(second) == {"00_data-fashion_mnist": "cached", "02_train-fashion_mnist-seed0": "cached",
                               "02_train-fashion_mnist-seed1": "executed", "90_report-fashion_mnist": "executed"}
    reasons = {o.execution.execution_id: o.reason for o in second.outcomes}
    assert reasons["02_train-fashion_mnist-seed1"] == "failed before"
    assert reasons["90_report-fashion_mnist"] == "upstream changed"  # it must now show the retried run


def test_the_book_is_published_with_failed_chapters_marked_and_every_seed_in_the_appendix(tiny: Path) -> None:
    (tiny / "fail-0").touch()
    result = run_grid(plan("smoke", tiny, seeds=[0, 1]), tiny, log=quiet)
    del result.outcomes[0].record["machine"]  # as in a record made before the machine was recorded
    toc_path = publish(result.outcomes, tiny, "smoke", result.engine)
    assert toc_path == tiny / GENERATED_TOC
    main = nbformat.read(tiny / EXECUTED_DIR / "02_train.ipynb", as_version=4)
    assert "This execution failed: `cell" in main.cells[1].source  # right after the title
    extra = nbformat.read(tiny / RUNS_DIR / "02_train-fashion_mnist-seed1.ipynb", as_version=4)
    assert extra.cells[0].source.startswith("# Training (dataset fashion_mnist, seed 1)")
    appendix = (tiny / RUNS_DIR / "index.md").read_text()
    assert "02_train-fashion_mnist-seed0 <../02_train>" in appendix and "failed: `cell" in appendix
    assert "| seconds | machine | commit |" in appendix
    assert appendix.count(f"| {describe_cpu()} |") == len(result.outcomes) - 1
    assert appendix.count("| *not recorded* |") == 1
    toc = toc_path.read_text()
    assert "book/executed/runs/02_train-fashion_mnist-seed1" in toc and "book/executed/runs/index" in toc


def test_chapters_outside_the_plan_get_a_placeholder(tiny: Path) -> None:
    runs = [r for r in plan("smoke", tiny) if r.chapter.kind != "training"]
    result = run_grid(runs, tiny, log=quiet)
    publish(result.outcomes, tiny, "smoke", result.engine)
    assert "not part of this build" in (tiny / EXECUTED_DIR / "02_train.md").read_text()


def test_with_current_prose_keeps_outputs_and_the_injected_parameters(tiny: Path) -> None:
    result = run_grid(plan("smoke", tiny), tiny, log=quiet)
    directory = Path(next(o for o in result.outcomes if o.execution.name == "00_data").record["dir"])
    merged = with_current_prose(tiny / "notebooks" / "00_data.ipynb", directory / executions.NOTEBOOK)
    tags = [c.metadata.get("tags", []) for c in merged.cells]
    assert tags[1] == ["parameters"] and "injected-parameters" in tags[2]
    assert merged.cells[-1].outputs[0].text == "data fashion_mnist\n"
    source = nbformat.read(tiny / "notebooks" / "00_data.ipynb", as_version=4)
    source.cells[-1].metadata["tags"] = ["remove-input"]  # a page that shows results, not code
    nbformat.write(source, tiny / "notebooks" / "00_data.ipynb")
    merged = with_current_prose(tiny / "notebooks" / "00_data.ipynb", directory / executions.NOTEBOOK)
    assert merged.cells[-1].metadata["tags"] == ["remove-input"] and merged.cells[-1].outputs


# --- Dask -------------------------------------------------------------------------------------

def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """A training record without what legitimately differs between two executions: wall times,
    dates, the commit, the evaluation's own seconds (scoring and drawing)."""
    out = json.loads(json.dumps(record))
    for key in ("timings", "created", "git_commit"):
        out.pop(key, None)
    for key in ("seconds", "drawing_seconds"):
        out.get("evaluation", {}).pop(key, None)
    out.get("training", {}).pop("final", {}).pop("seconds", None)
    return out


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_records_as_the_in_process_engine(
        tmp_path: Path, smoke_book: conftest.SmokeBook) -> None:
    """The RBM and DBN chapters' smoke runs on a real Dask LocalCluster of 2 worker processes, side by
    side: the records and samples of the session's smoke book, which the in-process engine made (the
    same runs: a run depends on its chapter, model and seed only)."""
    root = conftest.make_project(tmp_path / "dask")
    runs = [r for r in plan("smoke", root, models=["rbm", "dbn"]) if r.chapter.kind == "training"]
    result = run_grid(runs, root, engine=DaskEngine(workers=2), log=quiet)
    assert [o.record["status"] for o in result.outcomes] == ["ok"] * 2, result.summary()
    assert result.engine.startswith("dask") and {o.record["engine"] for o in result.outcomes} == {result.engine}
    book = {o.execution.execution_id: o.record["engine"] for o in smoke_book.outcomes}
    assert book["04_rbm-fashion_mnist-seed0"] == book["05_dbn-fashion_mnist-seed0"] == "in-process"
    for run_id in ("rbm-fashion_mnist-seed0", "dbn-fashion_mnist-seed0"):
        made = {name: folder / "results" / "smoke" / run_id for name, folder in
                (("in-process", smoke_book.root), ("dask", root))}
        records = {name: json.loads((d / "record.json").read_text()) for name, d in made.items()}
        assert comparable(records["dask"]) == comparable(records["in-process"]), run_id
        assert np.array_equal(np.load(made["dask"] / "samples.npy"), np.load(made["in-process"] / "samples.npy"))


def test_a_killed_dask_worker_fails_only_its_run_which_the_next_build_retries(tiny: Path) -> None:
    environ = dict(os.environ)
    (tiny / "kill-1").touch()
    runs = plan("smoke", tiny, seeds=[0, 1, 2])
    first = run_grid(runs, tiny, engine=DaskEngine(workers=2), log=quiet)
    assert actions(first) == {"00_data-fashion_mnist": "executed", "02_train-fashion_mnist-seed0": "executed",
                              "02_train-fashion_mnist-seed1": "failed", "02_train-fashion_mnist-seed2": "executed",
                              "90_report-fashion_mnist": "executed"}
    failed = next(o for o in first.outcomes if o.record["status"] == "failed").record
    assert failed["error"].startswith("worker lost: KilledWorker")
    stored = executions.read_execution(Path(failed["dir"]))
    assert stored is not None and stored["status"] == "failed"

    (tiny / "kill-1").unlink()
    second = run_grid(runs, tiny, engine=DaskEngine(workers=2), log=quiet)
    assert actions(second) == {"00_data-fashion_mnist": "cached", "02_train-fashion_mnist-seed0": "cached",
                               "02_train-fashion_mnist-seed1": "executed", "02_train-fashion_mnist-seed2": "cached",
                               "90_report-fashion_mnist": "executed"}
    # Dask's nanny writes OMP_NUM_THREADS=1, PYTHONHASHSEED... into its parent: none may remain here.
    assert dict(os.environ) == environ


def test_the_dask_engine_lets_go_of_each_result_it_has_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A result the scheduler still held was recomputed when its worker died later (the rerun
    then deleted the finished notebook and was stopped by the cluster's closing): once a record is
    read, its task is gone from the scheduler."""
    import time

    import dask
    from distributed import LocalCluster

    from genstudy.site import engines

    monkeypatch.setattr(engines, "execute_job", lambda task: {"execution_id": task.execution_id, "status": "ok"})
    tasks = [engines.Job(execution_id=name, source="", directory="", root="", parameters={}, threads=1)
             for name in ("first", "second")]
    environ = dict(os.environ)
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": {}}), \
                LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                             silence_logs=40) as cluster:
            records = DaskEngine(address=cluster.scheduler_address).run(tasks)
            first = next(records)
            held = [key for key in cluster.scheduler.tasks if key.startswith(f"genstudy-{first['execution_id']}-")]
            deadline = time.monotonic() + 10
            while held and time.monotonic() < deadline:  # the release reaches the scheduler asynchronously
                time.sleep(0.05)
                held = [key for key in cluster.scheduler.tasks if key in held]
            assert held == []
            assert [r["execution_id"] for r in records] == [t.execution_id for t in tasks if t.execution_id
                                                             != first["execution_id"]]
    finally:
        restore_environ(environ)


def test_comments_and_docstrings_do_not_change_the_library_fingerprint() -> None:
    before = '"""Module."""\nimport math\n\n\ndef area(r):\n    """Disc area."""\n    return math.pi * r**2  # πr²\n'
    reworded = ('"""A module about discs."""\nimport math\n\ndef area(r):\n    """The area of a disc."""\n'
                "    # the classic\n    return math.pi * r ** 2\n")
    changed = before.replace("r**2", "r**3")
    assert cache.code_text(before) == cache.code_text(reworded)
    assert cache.code_text(before) != cache.code_text(changed)


def test_an_existing_cluster_is_used_through_its_scheduler_address(tiny: Path) -> None:
    """`--scheduler tcp://...`: the engine connects to a cluster it did not start (here a
    LocalCluster started apart, as `dask scheduler` + `dask worker` would be) and leaves it running."""
    import dask
    from distributed import Client, LocalCluster

    environ = dict(os.environ)
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": {}}), \
                LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=40) as cluster:
            engine = DaskEngine(address=cluster.scheduler_address)
            assert engine.name == f"dask ({cluster.scheduler_address})"
            result = run_grid(plan("smoke", tiny), tiny, engine=engine, log=quiet)
            assert set(actions(result).values()) == {"executed"}
            assert all(o.record["engine"] == engine.name for o in result.outcomes)
            with Client(cluster.scheduler_address) as client:  # still up: the engine only disconnected
                assert len(client.scheduler_info()["workers"]) == 1
    finally:
        restore_environ(environ)  # this test started the cluster itself: its nanny's variables go too
