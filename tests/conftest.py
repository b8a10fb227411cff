"""Shared fixtures: the real Fashion-MNIST files and small IDX directories made from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genstudy.data.sources import FASHION_MNIST, SPLIT_FILES, find_file
from smoke_book import SmokeBook, smoke_book_run
from study_records import study  # noqa: F401  (the fixture of synthetic run records the report and claims tests share)
from xdist_groups import group

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def fashion_dir() -> Path:
    """The installed Fashion-MNIST directory. `make test` installs it first (`make data`)."""
    directory = FASHION_MNIST.system_dir
    assert directory is not None and (directory / "train-images-idx3-ubyte.gz").is_file(), (
        f"Fashion-MNIST is not installed in {directory}: run `make setup` (apt-get install dataset-fashion-mnist)"
    )
    return directory


@pytest.fixture
def fashion_copy(tmp_path: Path, fashion_dir: Path) -> Path:
    """A writable copy of the four Fashion-MNIST files, to damage in tests."""
    dest = tmp_path / "fashion"
    dest.mkdir()
    for stems in SPLIT_FILES.values():
        for stem in stems:
            src = find_file(fashion_dir, stem)
            assert src is not None
            shutil.copy(src, dest / src.name)
    return dest


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No GENSTUDY_DATA, and an empty private cache."""
    monkeypatch.delenv("GENSTUDY_DATA", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("GENSTUDY_CACHE", str(cache))
    return cache


def make_project(root: Path) -> Path:
    """A copy of the book's sources (config, toc, prose, notebooks) in ``root``, without build output."""
    from genstudy.site.pipeline import copy_sources

    return copy_sources(ROOT, root)


@pytest.fixture(scope="session")
def smoke_book(pytestconfig: pytest.Config) -> SmokeBook:
    """The session's smoke book (:func:`smoke_book_run`), which must have built without a failure."""
    book = smoke_book_run(pytestconfig, make_project)
    assert book.failed is None, book.failed
    return book


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``-n``, ``--dist loadgroup``): every item that reads the smoke book (a
    notebook cell compared with it, a test using the ``smoke_book`` fixture) runs on one worker, which
    builds the book once; the chapter × dataset pairs run on the command line stay together per dataset,
    in order (a report reads the runs of the chapters before it)."""
    for item in items:
        if type(item).__name__ == "SmokeCell" or "smoke_book" in getattr(item, "fixturenames", ()):
            group(item, "smoke_book")
        elif item.name.startswith("test_each_chapter_runs_or_refuses_under_plain_papermill["):
            group(item, f"chapters-{item.callspec.params['dataset']}")  # type: ignore[attr-defined]
