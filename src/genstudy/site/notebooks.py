"""Maintenance of the source notebooks: their reference outputs, from the smoke book's own executions.

The sources under ``notebooks/`` carry the outputs of their default parameters (the ``smoke``
profile), which ``make test`` compares with the session's smoke book (``tests/smoke_notebooks.py``,
nbval's comparison). After changing a notebook or the library, ``genstudy notebooks refresh``
executes the smoke grid (:func:`genstudy.site.pipeline.run_grid`: every chapter once, in the
project, kernels capped as :mod:`genstudy.site.isa` says) and stores each chapter's execution in its
source (:func:`store_outputs`), so that the references and the tests come from one way of executing;
review the diff like any other change.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from genstudy.errors import GenstudyError
from genstudy.site.engines import Engine
from genstudy.site.isa import EXACT_PROFILE

#: Cell metadata that changes on every execution and would only add noise to diffs.
_VOLATILE_CELL_KEYS = ("execution", "papermill")
PARAMETERS_TAG, INJECTED_TAG = "parameters", "injected-parameters"


def assigned(source: str) -> dict[str, Any]:
    """The names a parameters cell assigns, with their literal values (``'a = 1\\nb = "x"'`` →
    ``{'a': 1, 'b': 'x'}``)."""
    return {t.id: ast.literal_eval(node.value) for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def executed_code_cells(source: Any, executed: Any) -> list[Any]:
    """The code cells of ``executed`` (a notebook papermill executed from ``source``) that stand for
    ``source``'s, in order: papermill's injected parameters cell is left out once its values are
    checked to be ``source``'s defaults. Raises :class:`GenstudyError` naming the values that differ
    (the execution is then not the one of the notebook's defaults)."""
    defaults: dict[str, Any] = {}
    for cell in source.cells:
        if PARAMETERS_TAG in cell.metadata.get("tags", []):
            defaults.update(assigned(cell.source))
    cells = []
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        if INJECTED_TAG in cell.metadata.get("tags", []):
            missing = object()
            differ = {k: v for k, v in assigned(cell.source).items() if defaults.get(k, missing) != v}
            if differ:
                raise GenstudyError(f"the execution injected {differ}, not the notebook's defaults "
                                    f"{ {k: defaults.get(k) for k in differ} }")
            continue
        cells.append(cell)
    return cells


def store_outputs(source_path: Path, executed_path: Path) -> None:
    """Write the outputs (and execution counts) of ``executed_path``'s code cells into the source
    notebook at ``source_path``, whose cells must have the same sources; the volatile metadata of an
    execution (timings, papermill's) is left out."""
    import nbformat

    source = nbformat.read(source_path, as_version=4)
    executed = executed_code_cells(source, nbformat.read(executed_path, as_version=4))
    code = [c for c in source.cells if c.cell_type == "code"]
    if [c.source for c in code] != [c.source for c in executed]:
        raise GenstudyError(f"{source_path.name}: the execution's cells are not the notebook's (it changed since)")
    for cell, done in zip(code, executed, strict=True):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    for cell in source.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    source.metadata.pop("papermill", None)
    tmp = source_path.with_name(f".{source_path.name}.tmp")
    nbformat.write(source, tmp)
    tmp.replace(source_path)


def refresh_all(root: Path, log: Callable[[str], None] = print, engine: Engine | None = None,
                ) -> Iterator[tuple[Path, float]]:
    """Execute the smoke grid of the project at ``root`` (every execution, cached or not; its runs land
    in ``results/smoke``, which ``make notebooks`` empties first) and store each chapter's main
    execution in its source notebook, in name order; yield (source, seconds of its execution). Raises
    :class:`GenstudyError` with the grid's summary if an execution failed (no notebook is changed).
    ``engine``: where the executions run (default: one after another in this process; a Dask engine of
    several workers gives the same outputs sooner)."""
    from genstudy.site.pipeline import plan, run_grid

    result = run_grid(plan(EXACT_PROFILE, root), root, engine=engine, force=True, log=log)
    if result.failed:
        raise GenstudyError(f"an execution failed; no notebook was changed\n{result.summary()}")
    for o in sorted((o for o in result.outcomes if o.execution.main), key=lambda o: o.execution.name):
        store_outputs(o.execution.source, Path(o.record["dir"]) / o.record["notebook_file"])
        yield o.execution.source, float(o.record.get("seconds") or 0.0)
