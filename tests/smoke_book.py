"""The smoke book of a test session: ``make_book("smoke")`` once, read by every test that needs it.

A module of its own (not ``conftest``, which pytest imports as a plugin and tests import again by
name) so that the session's one build is found by every caller, the ``smoke_book`` fixture and the
notebook comparisons (``smoke_notebooks``) alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class SmokeBook:
    """The smoke-profile book built once per test session in a copy of the project.

    ``notebooks``: each chapter's main execution (its page in the book) by chapter name, as the
    path of its executed notebook and the error that stopped it (None: it ran to its end);
    ``outcomes``: the grid's outcome of every execution; ``failed``: the grid's summary (or the
    exception) when something failed, else None."""

    root: Path
    html: Path | None
    log: tuple[str, ...]
    notebooks: dict[str, tuple[Path, str | None]]
    outcomes: tuple[Any, ...]
    failed: str | None


_SMOKE_BOOK = pytest.StashKey[SmokeBook]()


def smoke_book_run(config: pytest.Config, make_project: Callable[[Path], Path]) -> SmokeBook:
    """``make_book("smoke")`` in a fresh copy of the project (``make_project(folder)``), made once per
    test session (the first caller builds it, in this process: an xdist worker has its own, and
    ``conftest`` keeps every reader of the book on one worker): every notebook executed once, from
    empty results, and the HTML built."""
    if _SMOKE_BOOK in config.stash:
        return config.stash[_SMOKE_BOOK]
    from genstudy.site.pipeline import make_book

    factory: pytest.TempPathFactory = config._tmp_path_factory  # what the tmp_path_factory fixture returns
    root = make_project(factory.mktemp("smoke-book") / "project")
    log: list[str] = []
    html, outcomes, failed = None, (), None
    try:
        result = make_book("smoke", root, log=log.append)
        html, outcomes = result.html, tuple(result.grid.outcomes)
        failed = result.grid.summary() if result.grid.failed else None
    except Exception as exc:
        failed = f"make_book('smoke') raised {type(exc).__name__}: {exc}"
    notebooks = {o.execution.name: (Path(o.record["dir"]) / o.record["notebook_file"], o.record.get("error"))
                 for o in outcomes if o.execution.main and o.record.get("notebook_file")}
    book = SmokeBook(root, html, tuple(log), notebooks, outcomes, failed)
    config.stash[_SMOKE_BOOK] = book
    return book
