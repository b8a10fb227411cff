"""What every benchmark shares: the host, timers, the result file, the printed table.

A benchmark measures our code and a reference *in the same run on the same machine* and
reports their ratio; absolute seconds are printed too but never compared across runs.
Each writes ``bench/results/<name>.json`` (atomically) with the host (``host``), the library
versions, the settings and one row per measurement; ``bench/report.py`` turns those files
into the "Performance" section of the book's page *Benchmarks* (`book/usage/benchmarks.md`).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))


def host() -> dict[str, Any]:
    """The host a benchmark ran on: CPU model, cores this process may use, memory, GPU (if torch sees
    one), platform, Python. (A run record's ``machine`` is the CPU alone, in words.)"""
    import torch

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "torch_threads": torch.get_num_threads(),
            "memory_gib": memory_gib, "gpu": gpu, "platform": platform.platform(), "python": platform.python_version()}


def versions(*names: str) -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("torch", "numpy", *names):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def sync(device: Any = None) -> None:
    import torch

    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1, device: Any = None) -> float:
    """Median wall seconds of ``fn()`` over ``repeat`` calls after ``warmup`` calls (device synchronised)."""
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[], Any]], *, rounds: int = 5, warmup: int = 1,
                device: Any = None) -> dict[str, float]:
    """Median seconds of each of ``fns``, measured round-robin (A B A B ...) so that a slow patch
    of the machine hits all of them alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    sync(device)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            sync(device)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in samples.items()}


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain-text table of ``rows`` (floats to 4 significant digits)."""
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return "" if v is None else str(v)
    cells = [[fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def write_result(name: str, *, title: str, rows: list[dict[str, Any]], columns: Sequence[str],
                 settings: dict[str, Any], targets: list[dict[str, Any]], extra_versions: Sequence[str] = ()) -> Path:
    """Print the table and the targets, and write ``bench/results/<name>.json`` atomically.

    ``targets``: ``{"what", "measured", "target", "met"}`` per goal of the benchmark.
    """
    print(f"\n== {title} ==")
    print(table(rows, columns))
    for t in targets:
        print(f"target: {t['what']}: measured {t['measured']}, target {t['target']}: "
              f"{'MET' if t['met'] else 'NOT MET'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"name": name, "title": title, "created": datetime.now(UTC).isoformat(timespec="seconds"),
               "host": host(), "versions": versions(*extra_versions), "settings": settings,
               "columns": list(columns), "rows": rows, "targets": targets}
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path
