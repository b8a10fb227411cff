"""The source notebooks' reference outputs come from the smoke grid's own executions
(genstudy.site.notebooks), the ones the tests compare them with (smoke_notebooks)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from genstudy.errors import GenstudyError
from genstudy.site.notebooks import assigned, executed_code_cells, refresh_all, store_outputs
from test_grid import tiny  # noqa: F401 - the fixture: a data, a training and a report chapter


def test_a_parameters_cell_is_read_as_its_literal_values() -> None:
    assert assigned('profile = "smoke"\nseed = 0\ndata_dir = None  # a comment') == {
        "profile": "smoke", "seed": 0, "data_dir": None}


def _executed(params: str, injected: str, *outputs: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    source = nbformat.v4.new_notebook()
    source.cells = [nbformat.v4.new_markdown_cell("# T"),
                    nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("print(1)")]
    executed = nbformat.from_dict(nbformat.v4.new_notebook())
    executed.cells = [source.cells[0], source.cells[1],
                      nbformat.v4.new_code_cell(injected, metadata={"tags": ["injected-parameters"]}),
                      nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", text=t)
                                                                     for t in outputs])]
    return source, executed


def test_the_injected_cell_is_left_out_when_it_injects_the_defaults_and_refused_otherwise() -> None:
    source, executed = _executed('profile = "smoke"\nseed = 0', 'profile = "smoke"\n', "1\n")
    cells = executed_code_cells(source, executed)
    assert [c.source for c in cells] == ['profile = "smoke"\nseed = 0', "print(1)"]
    source, executed = _executed('profile = "smoke"\nseed = 0', 'profile = "quick"\nseed = 0\n')
    with pytest.raises(GenstudyError, match=r"injected \{'profile': 'quick'\}, not the notebook's defaults "
                                            r"\{'profile': 'smoke'\}"):
        executed_code_cells(source, executed)


def test_outputs_are_stored_only_into_the_notebook_they_were_executed_from(tmp_path: Path) -> None:
    source, executed = _executed('seed = 0', 'seed = 0', "1\n")
    nbformat.write(source, tmp_path / "s.ipynb")
    nbformat.write(executed, tmp_path / "e.ipynb")
    store_outputs(tmp_path / "s.ipynb", tmp_path / "e.ipynb")
    stored = nbformat.read(tmp_path / "s.ipynb", as_version=4)
    assert stored.cells[2].outputs[0].text == "1\n"
    executed.cells[3].source = "print(2)"
    nbformat.write(executed, tmp_path / "e.ipynb")
    with pytest.raises(GenstudyError, match="not the notebook's"):
        store_outputs(tmp_path / "s.ipynb", tmp_path / "e.ipynb")


def test_refresh_stores_the_grids_executions_in_the_sources(tiny: Path) -> None:  # noqa: F811
    refreshed = [(p.name, s) for p, s in refresh_all(tiny, log=lambda _: None)]
    assert [name for name, _ in refreshed] == ["00_data.ipynb", "02_train.ipynb", "90_report.ipynb"]
    report = nbformat.read(tiny / "notebooks" / "90_report.ipynb", as_version=4)
    assert report.cells[-1].outputs[0].text == "['toy-fashion_mnist-seed0']\n"
    assert "papermill" not in report.metadata and "injected-parameters" not in str(report)
    (tiny / "fail-0").touch()
    before = (tiny / "notebooks" / "02_train.ipynb").read_text()
    with pytest.raises(GenstudyError, match="an execution failed; no notebook was changed"):
        list(refresh_all(tiny, log=lambda _: None))
    assert (tiny / "notebooks" / "02_train.ipynb").read_text() == before
