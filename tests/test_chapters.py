"""Every chapter on every advertised image dataset, through plain papermill on smoke.

A reader re-executes a chapter with ``papermill notebooks/X.ipynb out.ipynb -p profile smoke
-p dataset D``, not through the project's pipeline. Each chapter must then either run to its
end (no error output anywhere: an error the article's code is meant to raise is shown as a
result, never left uncaught) or refuse at once, in the cell after its parameters, with one
line that names the dataset and the reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import conftest
from genstudy.data import IMAGE_DATASETS
from genstudy.data.sources import IDX_SOURCES, locate
from genstudy.errors import DatasetError
from genstudy.site.execution import chapters
from genstudy.site.pipeline import plan

#: The chapter x dataset pairs that must refuse: the article's networks and DCGAN's (also the matched VAE's) are
#: for 28x28 images.
REFUSED = {("01_article_tensorflow", "digits"), ("02_gan", "digits"), ("07_matched_pair", "digits")}

CHAPTERS = chapters(conftest.ROOT)
#: Dataset-major, chapters in book order, so that the report chapters read the runs made before them.
PAIRS = [(c.name, d) for d in IMAGE_DATASETS for c in CHAPTERS if "dataset" in c.declared] + \
        [(c.name, None) for c in CHAPTERS if "dataset" not in c.declared]


def _installed(dataset: str) -> bool:
    if dataset not in IDX_SOURCES:
        return True
    try:
        locate(IDX_SOURCES[dataset], None, allow_download=False)
    except DatasetError:
        return False
    return True


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the book's sources; the chapters' runs and records land in its ``results/``."""
    return conftest.make_project(tmp_path_factory.mktemp("chapters") / "project")


def test_the_pairs_that_refuse_are_the_ones_the_planner_leaves_out(tmp_path: Path) -> None:
    log: list[str] = []
    planned = {(e.chapter.name, e.parameters.get("dataset"))
               for e in plan("smoke", conftest.ROOT, datasets=IMAGE_DATASETS, log=log.append)}
    offered = {(name, d) for name, d in PAIRS if d is not None}
    assert offered - planned == REFUSED
    assert sorted(log) == [f"[genstudy] {name} left out on digits: invalid dataset='digits'; allowed: fashion_mnist, "
                           f"mnist ({models} need 28x28 images; digits has 8x8)"
                           for name, models in (("01_article_tensorflow", "article_gan, article_gan_bn"),
                                                ("02_gan", "dcgan, article_gan, article_gan_bn"),
                                                ("07_matched_pair", "vae_dcgan"))]


#: The dataset of the smoke book, which executes every chapter on it (and those of no dataset) once a session.
BOOK_DATASET = "fashion_mnist"
IN_BOOK = [(c, d) for c, d in PAIRS if d in (None, BOOK_DATASET)]
ON_THE_COMMAND_LINE = [(c, d) for c, d in PAIRS if d not in (None, BOOK_DATASET)]
#: Their profile: every code path of smoke with a fraction of its work (config.PROFILES["tiny"]); what they
#: check is that a chapter runs or refuses, not its numbers.
PAIRS_PROFILE = "tiny"


def _ids(pairs: list[tuple[str, str | None]]) -> list[str]:
    return [f"{c}-{d or 'none'}" for c, d in pairs]


@pytest.mark.slow
@pytest.mark.parametrize(("chapter", "dataset"), IN_BOOK, ids=_ids(IN_BOOK))
def test_each_chapter_runs_on_the_books_dataset_in_the_smoke_book(chapter: str, dataset: str | None,
                                                                   smoke_book: conftest.SmokeBook) -> None:
    """The smoke book's executions are papermill's (``papermill.execute_notebook``, what the command
    line calls), with the parameters a reader passes: every one of the chapter's ran to its end, with no
    error output."""
    assert (chapter, dataset) not in REFUSED
    done = [o for o in smoke_book.outcomes if o.execution.name == chapter
            and o.execution.parameters.get("dataset") == dataset]
    assert done and all(o.record["status"] == "ok" for o in done), [o.record.get("error") for o in done]
    for o in done:
        nb = nbformat.read(Path(o.record["dir"]) / o.record["notebook_file"], as_version=4)
        assert not [out for c in nb.cells for out in c.get("outputs", []) if out.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize(("chapter", "dataset"), ON_THE_COMMAND_LINE, ids=_ids(ON_THE_COMMAND_LINE))
def test_each_chapter_runs_or_refuses_under_plain_papermill(project: Path, tmp_path: Path, chapter: str,
                                                            dataset: str) -> None:
    """Every other dataset, with the command line itself, on the ``tiny`` profile, in a project of this
    module (dataset-major: a report reads the runs of the chapters before it; ``conftest`` keeps a
    dataset's pairs on one xdist worker, in this order)."""
    if not _installed(dataset):
        pytest.skip(f"{dataset} is not installed here (make setup fetches it)")
    out = tmp_path / f"{chapter}.ipynb"
    command = [sys.executable, "-m", "papermill", f"notebooks/{chapter}.ipynb", str(out),
               "-p", "profile", PAIRS_PROFILE, "-p", "dataset", dataset]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=1200)
    nb = nbformat.read(out, as_version=4)
    errors = [(i, o) for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.output_type == "error"]
    if (chapter, dataset) not in REFUSED:
        assert done.returncode == 0 and not errors, (done.stderr[-3000:], [o.evalue for _, o in errors])
        return
    assert done.returncode != 0 and len(errors) == 1
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    at, error = errors[0]
    injected = next(i for i in code if "injected-parameters" in nb.cells[i].metadata.get("tags", []))
    assert code.index(at) == code.index(injected) + 1, "the refusal must come right after the parameters"
    assert error.ename == "ParameterError"
    assert error.evalue.startswith("invalid dataset='digits'; allowed: fashion_mnist, mnist (")
    assert "\n" not in error.evalue and "28x28" in error.evalue
