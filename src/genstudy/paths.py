"""Where a project's folders are: the root (the folder holding ``_config.yml`` and
``notebooks/``), its ``results/`` folder, and its chapters' notebooks with their roles.
Notebooks call :func:`results_dir`; the book's machinery calls :func:`find_root` and
:func:`chapter_roles`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from genstudy.errors import GenstudyError

NOTEBOOK_DIR = "notebooks"
RESULTS_DIR = "results"
#: The hyperparameter search's folder under a results folder (``results/search/<profile>/<run>``),
#: and its default place relative to the project root.
SEARCH_SUBDIR = "search"
SEARCH_DIR = Path(RESULTS_DIR) / SEARCH_SUBDIR
#: The long runs that show where each model's curve flattens (``results/budgets/<profile>/<run>``;
#: :mod:`genstudy.runs.budgets`), apart from the book's profiles: the folder's name under a results
#: folder, and its default place relative to the project root.
BUDGETS_SUBDIR = "budgets"
BUDGETS_DIR = Path(RESULTS_DIR) / BUDGETS_SUBDIR
#: The chapter *Against the literature*'s runs under a results folder (``results/literature/<profile>/<run>``),
#: apart from the book's profiles so that the family comparisons never read them.
LITERATURE_SUBDIR = "literature"


def find_root(start: Path | str | None = None) -> Path:
    """The project root: the nearest directory at or above ``start`` (default: the working
    directory) that holds ``_config.yml`` and a ``notebooks/`` folder."""
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "_config.yml").is_file() and (candidate / NOTEBOOK_DIR).is_dir():
            return candidate
    raise GenstudyError(f"{here}: not inside a genstudy project (no _config.yml with a notebooks/ folder)")


def results_dir(start: Path | str | None = None) -> Path:
    """``<project root>/results``, where every run record and execution is kept."""
    return find_root(start) / RESULTS_DIR


def literature_dir(results: Path | str | None = None) -> Path:
    """``<results>/literature`` (default ``results``: the project's :func:`results_dir`), under which
    the chapter *Against the literature* keeps its runs by profile."""
    return Path(results or results_dir()) / LITERATURE_SUBDIR


def budgets_dir(results: Path | str | None = None) -> Path:
    """``<results>/budgets`` (default ``results``: the project's :func:`results_dir`), under which
    ``genstudy budgets`` keeps its long runs by profile."""
    return Path(results or results_dir()) / BUDGETS_SUBDIR


def chapter_roles(root: Path | str) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``notebooks/NN_*.ipynb`` of the project at ``root``, in name order, with its role: the
    notebook's ``genstudy`` metadata (``kind``, ``models``, ``framework``, ``seeds``; ``{}`` where it
    has none), read as plain JSON so that nothing of Jupyter is imported."""
    return [(source, json.loads(source.read_text()).get("metadata", {}).get("genstudy", {}))
            for source in sorted((Path(root) / NOTEBOOK_DIR).glob("[0-9][0-9]_*.ipynb"))]
