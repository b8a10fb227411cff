"""The grid's vocabulary: a chapter (a source notebook and its role), an execution (a chapter
with one set of parameters) and its outcome (executed or taken from the cache)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genstudy.errors import GenstudyError
from genstudy.paths import NOTEBOOK_DIR, chapter_roles

KINDS = ("data", "training", "timing", "toy", "report", "page")


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in ``notebook``'s ``parameters`` cell (papermill's own inspection)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


@dataclass(frozen=True)
class Chapter:
    """A source notebook and its role: ``kind`` (:data:`KINDS`), the ``models`` it trains, the
    parameter names it declares, ``seeds``: how many of a study's seeds it runs (None: all; the
    article's code, which tests that code rather than a family, runs one seed per framework), and
    the ``framework`` its models train in (their run folders': :func:`genstudy.runs.record.run_id`)."""

    source: Path
    kind: str
    models: tuple[str, ...]
    declared: frozenset[str]
    seeds: int | None = None
    framework: str = "pytorch"

    @property
    def name(self) -> str:
        return self.source.stem


def chapters(root: Path) -> list[Chapter]:
    """Every ``notebooks/NN_*.ipynb`` of the project, in name order, with its role."""
    found = []
    for source, role in chapter_roles(root):
        kind = role.get("kind", "page")
        if kind not in KINDS:
            raise GenstudyError(f"{source.name}: metadata genstudy.kind={kind!r}; allowed: {', '.join(KINDS)}")
        seeds = role.get("seeds")
        if seeds is not None and (isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1):
            raise GenstudyError(f"{source.name}: metadata genstudy.seeds={seeds!r}; allowed: a positive integer")
        found.append(Chapter(source, kind, tuple(role.get("models", ())), frozenset(declared_parameters(source)),
                             seeds, role.get("framework", "pytorch")))
    if not found:
        raise GenstudyError(f"{root / NOTEBOOK_DIR}: no notebooks named NN_*.ipynb to execute")
    return found


@dataclass(frozen=True)
class Execution:
    """One planned execution: ``chapter`` with ``parameters``. ``main``: it is the chapter's page
    in the book (first dataset and seed); ``stage`` 1 runs after every stage-0 run; ``gpu``: it
    asks the engine for a GPU; ``reads`` (a report): the execution ids of the stage-0 runs whose
    results it reads, whether this build executes them or not."""

    chapter: Chapter
    execution_id: str
    profile: str
    parameters: dict[str, Any]
    main: bool
    stage: int
    gpu: bool = False
    reads: tuple[str, ...] = ()

    @property
    def source(self) -> Path:
        return self.chapter.source

    @property
    def name(self) -> str:
        return self.chapter.name


@dataclass
class Outcome:
    """What the grid did with one run: ``action`` ``executed``, ``cached``, or ``kept`` (stale, shown
    as it was: :func:`genstudy.site.pipeline.run_grid`), ``reason`` why it was executed or is
    stale, and its execution ``record``."""

    execution: Execution
    action: str
    reason: str | None
    record: dict[str, Any]

    def described(self) -> str:
        """In a few words: ``cached``, ``executed (<why>)``, or ``kept (<what changed>; <commit>)``."""
        if self.action == "kept":
            return f"kept ({self.reason}; {str(self.record.get('git_commit') or 'commit unknown')[:12]})"
        return "cached" if self.action == "cached" else f"executed ({self.reason})"
