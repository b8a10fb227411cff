"""A build a person can watch: which executions run, how far each is, the time elapsed and an
estimate of the time left.

papermill saves the notebook it executes before every cell, with the running cell marked in
its metadata (``metadata.papermill.status == "running"``). :class:`BuildProgress` reads those
partial notebooks from a background thread, so it works alike for the in-process engine and a
Dask cluster whose workers share this filesystem, and needs no hook inside the kernels.

On a terminal the status is one line, rewritten in place every :attr:`BuildProgress.tick`
seconds; elsewhere (CI, a log file, ``CI`` set) it is a plain line at most every
:attr:`BuildProgress.interval` seconds, and one whenever an execution ends. The estimate is the
sum, over the executions not yet finished, of the seconds each took in its last recorded
execution (what is left of it, for a running one), or, for one never run, that its chapter's other
runs took (another seed's: :func:`genstudy.site.pipeline.estimated_seconds`); executions of a
chapter never run here are counted and named as having no estimate.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True)
class Planned:
    """One execution of the grid: its id, the partial notebook it writes while it runs, and the
    seconds its last recorded execution took (None: never run)."""

    execution_id: str
    partial: Path
    estimate: float | None


def duration(seconds: float) -> str:
    """``seconds`` as ``1h02m``, ``4m05s`` or ``12s``."""
    s = round(max(seconds, 0.0))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def cell_position(partial: Path) -> tuple[int, int] | None:
    """(1-based index of the running cell, number of cells) of a notebook papermill is executing,
    read from its partial file; None when it cannot be read (not written yet, or mid-write)."""
    try:
        cells = json.loads(partial.read_text()).get("cells", [])
    except (OSError, ValueError):
        return None
    states = [c.get("metadata", {}).get("papermill", {}).get("status") for c in cells]
    if "running" not in states:
        return None
    return states.index("running") + 1, len(cells)


class BuildProgress:
    """The status line of a grid of ``planned`` executions, shown on ``stream`` while the grid
    runs (a context manager); tell it of each finished execution with :meth:`finished`."""

    def __init__(self, planned: Sequence[Planned], stream: TextIO = sys.stderr, *, live: bool | None = None,
                 interval: float = 60.0, tick: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.planned = {p.execution_id: p for p in planned}
        self.stream = stream
        self.live = (stream.isatty() and not os.environ.get("CI")) if live is None else live
        self.interval, self.tick, self.clock = interval, tick, clock
        self.done: set[str] = set()
        self.started: dict[str, float] = {}
        self.begin = clock()
        self._wall_begin = time.time()
        self._last_plain = -float("inf")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- what is running -------------------------------------------------------------------------

    def running(self) -> dict[str, tuple[int, int] | None]:
        """Executions whose partial notebook this build has written and that have not finished,
        with their cell position."""
        out = {}
        for p in self.planned.values():
            if p.execution_id in self.done:
                continue
            try:
                fresh = p.partial.stat().st_mtime >= self._wall_begin - 1.0
            except OSError:
                continue
            if fresh:
                self.started.setdefault(p.execution_id, self.clock())
                out[p.execution_id] = cell_position(p.partial)
        return out

    def remaining(self, running: dict[str, tuple[int, int] | None]) -> tuple[float, int]:
        """Estimated seconds left and the number of unfinished executions without an estimate."""
        left, unknown = 0.0, 0
        now = self.clock()
        for p in self.planned.values():
            if p.execution_id in self.done:
                continue
            if p.estimate is None:
                unknown += 1
            elif p.execution_id in running:
                left += max(p.estimate - (now - self.started.get(p.execution_id, now)), 0.0)
            else:
                left += p.estimate
        return left, unknown

    def line(self) -> str:
        """``[genstudy] 3/12 done · 02_gan-fashion_mnist-seed0 cell 14/38 · 4m12s elapsed · about 9m30s left``."""
        with self._lock:
            running = self.running()
            left, unknown = self.remaining(running)
            parts = [f"[genstudy] {len(self.done)}/{len(self.planned)} done"]
            for execution_id, position in running.items():
                parts.append(execution_id + (f" cell {position[0]}/{position[1]}" if position else " starting"))
            parts.append(f"{duration(self.clock() - self.begin)} elapsed")
            if unknown == len(self.planned) - len(self.done) and unknown:
                parts.append("no estimate (never run before)")
            else:
                parts.append(f"about {duration(left)} left" + (f" + {unknown} never run before" if unknown else ""))
            return " · ".join(parts)

    # --- showing it ------------------------------------------------------------------------------

    def show(self, force: bool = False) -> None:
        """Write the line: in place on a terminal; as a plain line when ``force`` or when
        :attr:`interval` seconds have passed since the last one."""
        if self.live:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
        elif force or self.clock() - self._last_plain >= self.interval:
            self._last_plain = self.clock()
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def finished(self, execution_id: str) -> None:
        """Count ``execution_id`` as done. On a terminal, clear the line (the caller's log line
        comes next; the status line is redrawn below it at the next tick); elsewhere, write the
        status line at once."""
        with self._lock:
            self.done.add(execution_id)
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        else:
            self.show(force=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.tick if self.live else min(self.tick * 5, self.interval)):
            self.show()

    def __enter__(self) -> BuildProgress:
        self._thread = threading.Thread(target=self._loop, name="genstudy-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
