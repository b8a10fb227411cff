"""From executed notebooks to the book: ``book/executed/``, the appendix of runs, the HTML.

The executions of a grid live in ``results/<profile>/executions/<execution_id>/``. Publishing
rebuilds ``book/executed/`` from them, every time (it is cheap and never executes code):

* each chapter's main execution (first dataset, first seed) becomes
  ``book/executed/NN_name.ipynb``, with the *current* markdown of the source notebook, so
  prose edits reach the book without re-executing (the code cells are the same by the
  cache key); a failed execution is published as far as it ran, under a warning; the
  parameter cells are folded;
* a chapter of ``_toc.yml`` that this build did not plan gets a short placeholder page, so
  the book and its cross-references stay whole;
* every other execution (other seeds and datasets) goes to ``book/executed/runs/`` and an
  appendix page lists all runs of the build: status, executed or cached (and why), time;
* the table of contents used for the build is ``_toc.yml`` plus that appendix, written to
  ``book/executed/_toc.yml``; the appendix's pages stay folded in the navigation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from genstudy.errors import GenstudyError
from genstudy.runs import executions
from genstudy.site.execution import Outcome

EXECUTED_DIR = Path("book") / "executed"
RUNS_DIR = EXECUTED_DIR / "runs"
GENERATED_TOC = EXECUTED_DIR / "_toc.yml"
APPENDIX = RUNS_DIR / "index"


#: A chapter's title: the first level-1 heading of a markdown cell.
TITLE = re.compile(r"^# (.+)$", flags=re.MULTILINE)


def _title(nb: Any) -> str:
    for cell in nb.cells:
        match = TITLE.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            return match.group(1).strip()
    return "Untitled"


def with_current_prose(source: Path, executed: Path) -> Any:
    """The executed notebook with the source's markdown cells and code cells' tags (same code, same
    outputs).

    Code cells are matched in order, papermill's injected-parameters cell stays right after
    the ``parameters`` cell. When the code cells differ (the execution is not of this
    source), the executed notebook is returned unchanged.
    """
    import nbformat

    src = nbformat.read(source, as_version=4)
    ran = nbformat.read(executed, as_version=4)
    injected = [c for c in ran.cells if "injected-parameters" in c.metadata.get("tags", [])]
    ran_code = [c for c in ran.cells if c.cell_type == "code" and c not in injected]
    src_code = [c for c in src.cells if c.cell_type == "code"]
    if [c.source for c in src_code] != [c.source for c in ran_code]:
        return ran
    cells, code = [], iter(ran_code)
    for cell in src.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        executed = next(code)
        tags = cell.metadata.get("tags", [])
        if tags:  # how the source shows a cell (e.g. ``remove-input``) holds for its execution too
            executed.metadata["tags"] = list(dict.fromkeys([*executed.metadata.get("tags", []), *tags]))
        cells.append(executed)
        if "parameters" in tags:
            cells.extend(injected)
    ran.cells = cells
    return ran


#: Cells whose code a reader rarely needs: shown folded (jupyter-book's ``hide-input``).
FOLDED = ("parameters", "injected-parameters")


def _fold_parameters(nb: Any) -> None:
    """Fold the ``parameters`` cell and papermill's injected one (their values stay one click away)."""
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if any(t in tags for t in FOLDED) and "hide-input" not in tags:
            cell.metadata["tags"] = [*tags, "hide-input"]


def _retitle(nb: Any, suffix: str) -> None:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and TITLE.search(cell.source):
            cell.source = TITLE.sub(lambda m: f"# {m.group(1)} ({suffix})", cell.source, count=1)
            return


def _insert_after_title(nb: Any, text: str) -> None:
    """Insert a markdown cell of ``text`` after ``nb``'s first markdown cell (its title), in place."""
    import nbformat

    at = next((i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), 0)
    nb.cells.insert(at, nbformat.v4.new_markdown_cell(text))


def _warn_failed(nb: Any, error: str, kept: str) -> None:
    """Insert a warning after the title cell of a failed execution."""
    _insert_after_title(nb, f"```{{warning}}\nThis execution failed: `{error}`. The chapter is shown as far as it "
                            f"ran; the notebook is kept as `{kept}`. Running the book again retries it.\n```")


def _note_kept(nb: Any, outcome: Outcome) -> None:
    """Insert, after the title cell, a note that this stale execution is shown as it was."""
    record = outcome.record
    commit = record.get("git_commit") or "an unknown commit"
    text = (f"```{{note}}\nThese outputs were computed on {str(record.get('finished', ''))[:10]} at commit "
            f"`{commit}`; this build's code or environment differs ({outcome.reason}) and it did not run them "
            f"again. `genstudy book --profile {outcome.execution.profile} --refresh` re-executes the chapter.\n```")
    _insert_after_title(nb, text)


def _placeholder(source: Path, profile: str) -> str:
    import nbformat

    title = _title(nbformat.read(source, as_version=4))
    return (f"# {title}\n\n```{{note}}\nThis chapter was not part of this build (its models were left out of "
            f"the plan). `genstudy book --profile {profile}` executes it.\n```\n")


def _page_for(outcome: Outcome, root: Path, target: Path, suffix: str | None) -> None:
    import nbformat

    record = outcome.record
    directory = Path(record["dir"])
    kept = record.get("notebook_file")
    if record.get("status") == "ok":
        nb = with_current_prose(outcome.execution.source, directory / executions.NOTEBOOK)
        if outcome.action == "kept":
            _note_kept(nb, outcome)
    elif kept:
        nb = nbformat.read(directory / kept, as_version=4)
        _warn_failed(nb, record.get("error") or "unknown error", relative(directory / kept, root))
    else:
        nb = nbformat.read(outcome.execution.source, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        _warn_failed(nb, record.get("error") or "unknown error", "nothing (the worker died before writing)")
    _fold_parameters(nb)
    if suffix:
        _retitle(nb, suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX), or as given when it lies elsewhere."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _suffix(parameters: dict[str, Any]) -> str:
    return ", ".join(f"{k} {parameters[k]}" for k in ("dataset", "seed") if k in parameters)


def toc_chapters(toc: dict[str, Any]) -> list[str]:
    """Every ``file:`` of a jupyter-book toc, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(toc)
    return found


def _appendix_page(outcomes: Sequence[Outcome], root: Path, profile: str, engine: str) -> str:
    lines = [
        "# Appendix: every run of this build", "",
        f"The profile **{profile}** planned {len(outcomes)} notebook executions, run by the **{engine}** engine. "
        "A run is *cached* when its record says it succeeded with the same key (the notebook's code, its "
        "parameters, the library and its environment); it was then not executed again. A *kept* run is stale "
        "(what changed is named) but shown as it was, with the commit that made it. Chapters show the first "
        "dataset and seed; the other runs are the pages below. Seconds compare only between runs on the same "
        "machine (its CPU, its widest vector instructions, the cap on torch's kernels; recorded since "
        "2026-11-27, *not recorded* before).", "",
        "| run | status | this build | seconds | machine | commit | key |", "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        r = o.record
        page = (f"{{doc}}`{o.execution.execution_id} <../{o.execution.name}>`" if o.execution.main
                else f"{{doc}}`{o.execution.execution_id} <{o.execution.execution_id}>`")
        action = o.described().replace("|", "\\|")
        error = str(r.get("error") or "").replace("|", "\\|").replace("`", "'")
        status = r.get("status", "?") + (f": `{error}`" if error else "")
        seconds = "" if r.get("seconds") is None else f"{r['seconds']:.1f}"
        commit = f"`{str(r['git_commit'])[:12]}`" if r.get("git_commit") else "—"
        machine = str(r.get("machine") or "*not recorded*").replace("|", "\\|")
        key = f"`{str(r.get('key', ''))[:12]}`"
        lines.append(f"| {page} | {status} | {action} | {seconds} | {machine} | {commit} | {key} |")
    lines += ["", "Records and executed notebooks: `results/" + profile + "/executions/<run>/`."]
    return "\n".join(lines) + "\n"


def publish(outcomes: Sequence[Outcome], root: Path, profile: str, engine: str) -> Path:
    """Rebuild ``book/executed/`` from ``outcomes``; return the generated toc's path."""
    root = Path(root)
    executed = root / EXECUTED_DIR
    if executed.exists():
        shutil.rmtree(executed)
    executed.mkdir(parents=True)
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    published: set[str] = set()
    extra: list[str] = []
    for o in outcomes:
        if o.execution.main:
            _page_for(o, root, root / EXECUTED_DIR / o.execution.source.name, None)
            published.add((EXECUTED_DIR / o.execution.name).as_posix())
        else:
            _page_for(o, root, root / RUNS_DIR / f"{o.execution.execution_id}.ipynb", _suffix(o.execution.parameters))
            extra.append((RUNS_DIR / o.execution.execution_id).as_posix())
    for entry in toc_chapters(toc):
        if entry.startswith(EXECUTED_DIR.as_posix() + "/") and entry not in published:
            source = root / "notebooks" / f"{Path(entry).name}.ipynb"
            if not source.is_file():
                raise GenstudyError(f"_toc.yml lists {entry}, but notebooks/{Path(entry).name}.ipynb does not exist")
            (root / f"{entry}.md").write_text(_placeholder(source, profile))
    (root / f"{APPENDIX}.md").parent.mkdir(parents=True, exist_ok=True)
    (root / f"{APPENDIX}.md").write_text(_appendix_page(outcomes, root, profile, engine))
    toc.setdefault("parts", []).append({
        "caption": "Appendix",
        "chapters": [{"file": APPENDIX.as_posix(), **({"sections": [{"file": f} for f in extra]} if extra else {})}],
    })
    path = root / GENERATED_TOC
    header = "# Generated by genstudy.site.publish from _toc.yml: do not edit.\n"
    path.write_text(header + yaml.safe_dump(toc, sort_keys=False))
    return path


def jupyter_book_executable() -> str:
    """The ``jupyter-book`` script installed beside this interpreter (the project's venv)."""
    beside = Path(sys.executable).parent / "jupyter-book"
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if not found:
        raise GenstudyError("jupyter-book is not installed in this environment (run `make setup`)")
    return found


def build_html(root: Path, toc: Path | None = None) -> Path:
    """Run ``jupyter-book build`` on ``root`` (with ``toc`` if given) with warnings as errors;
    return ``_build/html``."""
    cmd = [jupyter_book_executable(), "build", str(root), "--warningiserror", "--nitpick", "--keep-going"]
    if toc is not None:
        cmd += ["--toc", str(toc)]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise GenstudyError(f"jupyter-book build failed (exit {proc.returncode}):\n{tail}")
    index = root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise GenstudyError(f"jupyter-book build finished but {index} is missing")
    return index.parent
