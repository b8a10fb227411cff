"""The book pipeline: papermill execution (atomic, failures named), a real smoke build, clean chapters."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import conftest
from conftest import ROOT
from genstudy.errors import GenstudyError
from genstudy.paths import find_root
from genstudy.runs import executions
from genstudy.site.engines import Job, execute_job
from genstudy.site.pipeline import make_book, plan
from genstudy.site.publish import EXECUTED_DIR


def make_project(tmp_path: Path) -> Path:
    """A copy of the book's sources (config, toc, prose, notebooks) without any build output."""
    return conftest.make_project(tmp_path / "project")


def write_notebook(path: Path, *sources: str, params: str = 'profile = "smoke"') -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def task_for(root: Path, name: str) -> Job:
    run = next(r for r in plan("smoke", root) if r.name == name)
    directory = executions.execution_dir(root / "results", "smoke", run.execution_id)
    return Job(run.execution_id, str(run.source), str(directory), str(root), run.parameters, threads=2,
                record={"execution_id": run.execution_id})


def test_a_notebook_without_a_role_runs_once_with_the_parameters_it_declares(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    write_notebook(root / "notebooks" / "99_noparams.ipynb", "x = 1", params="alpha = 1")
    run = next(r for r in plan("quick", root, data_dir=str(tmp_path)) if r.name == "99_noparams")
    assert (run.chapter.kind, run.execution_id, run.parameters, run.main) == ("page", "99_noparams", {}, True)
    data = next(r for r in plan("quick", root, data_dir=str(tmp_path)) if r.name == "00_data")
    assert data.parameters == {"profile": "quick", "dataset": "fashion_mnist", "data_dir": str(tmp_path.resolve())}


def test_find_root(tmp_path: Path) -> None:
    assert find_root(ROOT / "src" / "genstudy") == ROOT
    with pytest.raises(GenstudyError, match="not inside a genstudy project"):
        find_root(tmp_path)


def test_cells_tagged_raises_exception_may_fail(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    source = root / "notebooks" / "07_expected.ipynb"
    write_notebook(source, "raise KeyError('expected')", "print('after')")
    nb = nbformat.read(source, as_version=4)
    nb.cells[1].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, source)
    task = task_for(root, "07_expected")
    record = execute_job(task)
    assert record["status"] == "ok" and record["error"] is None
    out = nbformat.read(Path(task.directory) / executions.NOTEBOOK, as_version=4)
    assert [o.ename for o in out.cells[-2].outputs] == ["KeyError"]
    assert out.cells[-1].outputs[0].text == "after\n"
    assert not any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in out.cells)


def test_a_notebook_runs_its_kernel_over_ipc_and_prints_no_tcp_warning(tmp_path: Path,
                                                                       capfd: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path)
    write_notebook(root / "notebooks" / "07_quiet.ipynb",
                   "from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().transport)")
    task = task_for(root, "07_quiet")
    assert execute_job(task)["status"] == "ok"
    out = nbformat.read(Path(task.directory) / executions.NOTEBOOK, as_version=4)
    assert out.cells[-1].outputs[0].text == "ipc\n"
    assert "without encryption" not in capfd.readouterr().err


def test_a_failing_notebook_is_recorded_with_its_cell_and_kept(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    write_notebook(root / "notebooks" / "07_broken.ipynb", "raise RuntimeError('boom from the notebook')")
    task = task_for(root, "07_broken")
    record = execute_job(task)
    assert record["status"] == "failed"
    assert record["error"] == "cell 3 raised RuntimeError: boom from the notebook"  # after the two parameter cells
    assert not (Path(task.directory) / executions.NOTEBOOK).exists()
    assert (Path(task.directory) / executions.FAILED_NOTEBOOK).exists()


@pytest.mark.slow
def test_smoke_book_builds_end_to_end_and_a_second_build_executes_nothing(smoke_book: conftest.SmokeBook) -> None:
    root, html, log = smoke_book.root, smoke_book.html, smoke_book.log
    page = (html / "book" / "executed" / "00_data.html").read_text()
    assert (html / "index.html").is_file()
    assert page.count("<img") >= 5, "the data chapter's figures are missing"
    assert "T-shirt/top" in page and "Ankle boot" in page
    executed = nbformat.read(root / EXECUTED_DIR / "00_data.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'profile = "smoke"' in injected[0].source
    for executed_nb in sorted((root / EXECUTED_DIR).glob("*.ipynb")):
        assert chapter_problems(executed_nb) == [], executed_nb.name
    assert (html / "book" / "executed" / "runs" / "index.html").is_file(), "the appendix of runs is missing"
    assert any("failed 0" in line for line in log) and any("book built" in line for line in log)

    again: list[str] = []
    result = make_book("smoke", root, log=again.append)
    assert result.grid.count("executed") == 0, result.grid.summary()
    assert any("executed 0 (0 training)" in line for line in again)


def chapter_problems(notebook: Path) -> list[str]:
    """Warnings, errors and machine paths in a notebook's outputs (none may reach the book)."""
    problems = []
    nb = nbformat.read(notebook, as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            if out.output_type == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                problems.append(f"cell {i}: {out.ename}")
            if out.output_type == "error":
                text += "\n".join(out.traceback)
            if out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i}: stderr: {text[:120]!r}")
            for path in ("/work/", "/home/", "/root/", "/tmp/"):
                if path in text:
                    problems.append(f"cell {i}: machine path {path} in output")
    return problems


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_source_notebooks_carry_no_warnings_or_paths(notebook: Path) -> None:
    assert chapter_problems(notebook) == []
