"""The book's build: plan the notebook executions, run them with papermill, build the HTML.

``notebooks/NN_name.ipynb`` are the parameterized sources (a cell tagged ``parameters``,
defaults = the ``smoke`` profile, committed with their smoke outputs for nbval). For a
profile, each is executed by papermill into ``book/executed/NN_name.ipynb``, which the
book's ``_toc.yml`` lists; jupyter-book then renders them without executing anything
(``execute_notebooks: off``) with warnings turned into errors.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genstudy.config import get_profile
from genstudy.errors import GenstudyError

NOTEBOOK_DIR = "notebooks"
EXECUTED_DIR = Path("book") / "executed"
KERNEL = "python3"


@dataclass(frozen=True)
class NotebookRun:
    """One papermill execution: ``source`` → ``output`` with ``parameters`` injected."""

    source: Path
    output: Path
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.source.stem


def find_root(start: Path | str | None = None) -> Path:
    """The project root: the nearest directory at or above ``start`` holding ``_config.yml``."""
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "_config.yml").is_file() and (candidate / NOTEBOOK_DIR).is_dir():
            return candidate
    raise GenstudyError(f"{here}: not inside a genstudy project (no _config.yml with a notebooks/ folder)")


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in ``notebook``'s ``parameters`` cell (papermill's own inspection)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def plan(profile: str, root: Path, *, data_dir: str | None = None) -> list[NotebookRun]:
    """The executions that build the book on ``profile``, in order (``NN_`` prefix order).

    Each notebook receives only the parameters it declares among ``profile`` and
    ``data_dir`` (``data_dir`` only when given).
    """
    get_profile(profile)
    offered: dict[str, Any] = {"profile": profile}
    if data_dir is not None:
        offered["data_dir"] = str(Path(data_dir).expanduser().resolve())
    runs = []
    for source in sorted((root / NOTEBOOK_DIR).glob("[0-9][0-9]_*.ipynb")):
        wanted = declared_parameters(source)
        runs.append(
            NotebookRun(
                source=source,
                output=root / EXECUTED_DIR / source.name,
                parameters={k: v for k, v in offered.items() if k in wanted},
            )
        )
    if not runs:
        raise GenstudyError(f"{root / NOTEBOOK_DIR}: no notebooks named NN_*.ipynb to execute")
    return runs


def execute(run: NotebookRun, root: Path) -> float:
    """Execute ``run`` with papermill in ``root``; return wall seconds.

    The notebook is written to a temporary name and renamed into place only when it ran
    to the end, so the book never renders a half-executed chapter. A failing cell raises
    :class:`GenstudyError` naming the notebook; the failed copy is kept as
    ``<output>.failed.ipynb`` for inspection.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    run.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = run.output.with_name(f".{run.output.stem}.partial.ipynb")
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(run.source),
            str(tmp),
            parameters=run.parameters,
            kernel_name=KERNEL,
            cwd=str(root),
            progress_bar=False,
            report_mode=False,
        )
    except PapermillExecutionError as exc:
        unexpected = unexpected_errors(tmp) if tmp.exists() else [(exc.exec_count, exc.ename, exc.evalue)]
        if unexpected:
            failed = run.output.with_name(f"{run.output.stem}.failed.ipynb")
            if tmp.exists():
                tmp.replace(failed)
            count, ename, evalue = unexpected[0]
            raise GenstudyError(
                f"{run.source.relative_to(root)}: cell {count} raised {ename}: {evalue} "
                f"(executed copy kept in {failed.relative_to(root)})"
            ) from exc
        drop_papermill_error_banners(tmp)
    tmp.replace(run.output)
    return time.perf_counter() - start


def unexpected_errors(notebook: Path) -> list[tuple[int | None, str, str]]:
    """(execution count, exception name, message) of every error output in a cell *not* tagged
    ``raises-exception``. Papermill 2.7 reports errors of tagged cells too (nbclient does not)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return [
        (cell.get("execution_count"), out.ename, out.evalue)
        for cell in nb.cells
        if "raises-exception" not in cell.metadata.get("tags", [])
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]


def drop_papermill_error_banners(notebook: Path) -> None:
    """Remove the "An Exception was encountered" cells papermill adds, in place."""
    import nbformat
    from papermill.execute import ERROR_MARKER_TAG

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.metadata.get("tags", [])]
    nbformat.write(nb, notebook)


def jupyter_book_executable() -> str:
    """The ``jupyter-book`` script installed beside this interpreter (the project's venv)."""
    beside = Path(sys.executable).parent / "jupyter-book"
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if not found:
        raise GenstudyError("jupyter-book is not installed in this environment (run `make setup`)")
    return found


def build_html(root: Path) -> Path:
    """Run ``jupyter-book build`` on ``root`` with warnings as errors; return ``_build/html``."""
    cmd = [jupyter_book_executable(), "build", str(root), "--warningiserror", "--nitpick", "--keep-going"]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise GenstudyError(f"jupyter-book build failed (exit {proc.returncode}):\n{tail}")
    index = root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise GenstudyError(f"jupyter-book build finished but {index} is missing")
    return index.parent


def make_book(
    profile: str,
    root: Path,
    *,
    data_dir: str | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Execute every notebook on ``profile`` then build the HTML; return the HTML folder."""
    runs = plan(profile, root, data_dir=data_dir)
    total = time.perf_counter()
    for run in runs:
        log(f"[genstudy] executing {run.source.relative_to(root)} with {run.parameters}")
        seconds = execute(run, root)
        log(f"[genstudy]   done in {seconds:.1f} s → {run.output.relative_to(root)}")
    log("[genstudy] building the HTML with jupyter-book (warnings are errors)")
    html = build_html(root)
    log(f"[genstudy] book built in {time.perf_counter() - total:.1f} s: {html / 'index.html'}")
    return html
