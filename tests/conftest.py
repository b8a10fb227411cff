"""Shared fixtures: the real Fashion-MNIST files and small IDX directories made from them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from genstudy.data.sources import FASHION_MNIST, SPLIT_FILES, find_file

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


@dataclass(frozen=True)
class SmokeBook:
    """The smoke-profile book built once per test session in a copy of the project."""

    root: Path
    html: Path
    log: tuple[str, ...]


@pytest.fixture(scope="session")
def smoke_book(tmp_path_factory: pytest.TempPathFactory) -> SmokeBook:
    """``make_book("smoke")`` in a fresh copy of the project: every notebook executed, HTML built."""
    from genstudy.site.pipeline import make_book

    root = make_project(tmp_path_factory.mktemp("smoke-book") / "project")
    log: list[str] = []
    result = make_book("smoke", root, log=log.append)
    assert not result.grid.failed, result.grid.summary()
    return SmokeBook(root, result.html, tuple(log))
