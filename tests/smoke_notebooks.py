"""nbval over the smoke book's own executions: each source notebook's stored outputs compared, cell
by cell and through :mod:`nbval_numbers`' sanitizer, with the notebook as the session's smoke book
executed it (a pytest plugin, loaded with ``-p smoke_notebooks``).

The smoke book (:func:`smoke_book.smoke_book_run`: ``make_book("smoke")`` in a copy of the project,
every chapter executed once with papermill, from empty results) is the execution the other
end-to-end tests read as well; nbval used to execute every notebook a second time in a kernel of
its own. Each code cell is still one test item, with nbval's own options (``nbval-ignore-output``,
``raises-exception``, ``nbval-skip``) and nbval's own comparison (:meth:`IPyNbCell.compare_outputs`).
The two executions are the same computation: the smoke book injects the parameters that are the
notebooks' defaults (checked: an item fails if an injected value differs from its default) and
``genstudy notebooks refresh`` stores the reference outputs from the same grid.

``pytest --nbval --nbval-current-env notebooks/X.ipynb`` still executes a notebook in nbval's own
kernel (with the same sanitizer): this plugin then leaves the notebooks to nbval.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, coalesce_streams, find_comment_markers, find_metadata_tags

import conftest
from genstudy.errors import GenstudyError
from genstudy.site.notebooks import executed_code_cells
from smoke_book import smoke_book_run


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    opt = parent.config.option
    if opt.nbval or opt.nbval_lax:  # nbval itself executes the notebooks it was given
        return None
    if file_path.suffix == ".ipynb" and file_path.parent.name == "notebooks" and file_path.stem[:2].isdigit():
        return SmokeNotebook.from_parent(parent, path=file_path)
    return None


class SmokeNotebook(IPyNbFile):
    """A source notebook whose cells are compared with the smoke book's execution of it."""

    executed: list[nbformat.NotebookNode] | None = None
    failure: str | None = None

    def setup(self) -> None:
        """Find this chapter's execution in the session's smoke book (built on first use)."""
        run = smoke_book_run(self.config, conftest.make_project)
        found = run.notebooks.get(self.path.stem)
        if found is None:
            self.failure = f"the smoke book did not execute {self.path.name}"
            return
        path, error = found
        try:
            self.executed = executed_code_cells(self.nb, nbformat.read(path, as_version=4))
        except GenstudyError as exc:
            self.failure = str(exc)
            return
        if error:  # its cells up to the failing one are still compared
            self.failure = f"the smoke book's execution failed: {error}"

    def collect(self):
        """One :class:`SmokeCell` per code cell, with nbval's options (tags and comment markers)."""
        self.nb = nbformat.read(str(self.path), as_version=4)
        number = 0
        for cell in self.nb.cells:
            if cell.cell_type != "code":
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                options = defaultdict(bool, find_metadata_tags(cell.metadata))
                options.update(dict(find_comment_markers(cell.source)))
            options.setdefault("check", self.compare_outputs)
            yield SmokeCell.from_parent(self, name=f"Cell {number}", cell_num=number, cell=cell, options=options)
            number += 1

    def teardown(self) -> None:
        """No kernel to stop."""


class SmokeCell(IPyNbCell):
    """One code cell: it ran without an unexpected error in the smoke book, and its outputs equal
    the stored ones after sanitizing (nbval's comparison)."""

    def runtest(self) -> None:
        if self.options["skip"]:
            pytest.skip()
        parent: SmokeNotebook = self.parent  # type: ignore[assignment]
        executed = parent.executed or []
        if self.cell_num >= len(executed):
            self.raise_cell_error(parent.failure or "the smoke book's execution has fewer code cells than the source")
        cell = executed[self.cell_num]
        if cell.source != self.cell.source:
            self.raise_cell_error("the smoke book executed another source in this cell (the notebook changed since)")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors and not self.options["check_exception"]:
            self.raise_cell_error("Cell execution caused an exception", "\n" + "\n".join(errors[0].traceback))
        if self.options["check_exception"] and not errors:
            self.raise_cell_error("Expected an exception, none was raised")
        if parent.failure and cell.execution_count is None:  # not reached: the execution stopped before it
            self.raise_cell_error(parent.failure)
        if self.cell.execution_count is None and self.cell.outputs:
            self.raise_cell_error("Unrun reference cell has outputs")
        if self.options["check"] and self.cell.execution_count is not None and not self.compare_outputs(
                coalesce_streams(list(cell.outputs)), coalesce_streams(self.cell.outputs)):
            self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))
