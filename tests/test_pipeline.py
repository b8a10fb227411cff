"""The book pipeline: plan, papermill execution (atomic, failures named), a real smoke build."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from genstudy.errors import GenstudyError, ParameterError
from genstudy.pipeline import EXECUTED_DIR, execute, find_root, make_book, plan


def make_project(tmp_path: Path) -> Path:
    """A copy of the book's sources (config, toc, prose, notebooks) without any build output."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("executed"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    return root


def write_notebook(path: Path, *sources: str, params: str = 'profile = "smoke"') -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_plan_passes_only_declared_parameters(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    write_notebook(root / "notebooks" / "50_noparams.ipynb", "x = 1", params="alpha = 1")
    runs = plan("quick", root, data_dir=str(tmp_path))
    names = [r.name for r in runs]
    assert names[0] == "00_data" and names[-1] == "50_noparams" and names == sorted(names)
    assert runs[0].parameters == {"profile": "quick", "data_dir": str(tmp_path.resolve())}
    assert runs[-1].parameters == {}
    assert runs[0].output == root / EXECUTED_DIR / "00_data.ipynb"
    with pytest.raises(ParameterError, match="invalid profile='medium'"):
        plan("medium", root)


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
    run = next(r for r in plan("smoke", root) if r.name == "07_expected")
    execute(run, root)
    out = nbformat.read(run.output, as_version=4)
    assert [o.ename for o in out.cells[-2].outputs] == ["KeyError"]
    assert out.cells[-1].outputs[0].text == "after\n"
    assert not any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in out.cells)


def test_failing_notebook_is_named_and_never_published(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    source = root / "notebooks" / "07_broken.ipynb"
    write_notebook(source, "raise RuntimeError('boom from the notebook')")
    run = next(r for r in plan("smoke", root) if r.name == "07_broken")
    with pytest.raises(GenstudyError, match=r"notebooks/07_broken.ipynb: cell \d+ raised RuntimeError: boom"):
        execute(run, root)
    assert not run.output.exists()
    assert (run.output.parent / "07_broken.failed.ipynb").exists()


@pytest.mark.slow
def test_smoke_book_builds_end_to_end(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    log: list[str] = []
    html = make_book("smoke", root, log=log.append)
    page = (html / "book" / "executed" / "00_data.html").read_text()
    assert (html / "index.html").is_file()
    assert page.count("<img") >= 5, "the data chapter's figures are missing"
    assert "T-shirt/top" in page and "Ankle boot" in page
    executed = nbformat.read(root / EXECUTED_DIR / "00_data.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'profile = "smoke"' in injected[0].source
    for executed_nb in sorted((root / EXECUTED_DIR).glob("*.ipynb")):
        assert chapter_problems(executed_nb) == [], executed_nb.name
    assert any("book built" in line for line in log)


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
