"""Execution records: one JSON file per notebook execution of the book's grid.

A record lives at ``results/<profile>/executions/<execution_id>/execution.json`` beside the
executed notebook (``notebook.ipynb``, or ``notebook.failed.ipynb`` when it failed), so the
cache (:mod:`genstudy.site.cache`) survives ``make clean`` and the comparison chapter can
list the executions that failed. The book machinery writes them; anything may read them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genstudy.io import write_json

EXECUTIONS = "executions"
#: The file name of an execution record in its execution's folder.
EXECUTION_RECORD = "execution.json"
NOTEBOOK, FAILED_NOTEBOOK = "notebook.ipynb", "notebook.failed.ipynb"


def execution_dir(results: Path, profile: str, execution_id: str) -> Path:
    return Path(results) / profile / EXECUTIONS / execution_id


def read_execution(directory: Path) -> dict[str, Any] | None:
    """The execution record in ``directory``, or None when there is none (or it is unreadable)."""
    path = Path(directory) / EXECUTION_RECORD
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def write_execution(directory: Path, record: Mapping[str, Any]) -> Path:
    """Write ``record`` as ``directory/execution.json``, atomically."""
    return write_json(Path(directory) / EXECUTION_RECORD, dict(record))


def load_executions(results: Path, profile: str) -> list[dict[str, Any]]:
    """Every execution record of ``profile`` (sorted by run id), each with its ``dir``."""
    out = []
    for path in sorted(Path(results).glob(f"{profile}/{EXECUTIONS}/*/{EXECUTION_RECORD}")):
        record = read_execution(path.parent)
        if record is not None:
            out.append({**record, "dir": str(path.parent)})
    return out
