"""Atomic file writes: a reader never sees a half-written record, checkpoint or figure.

Each writer writes to a temporary file in the destination's folder, flushes it to disk
and renames it over the destination (``os.replace`` is atomic on POSIX and Windows).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import torch


def write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(fileobj)`` on a temporary file next to ``path``, then rename it to ``path``.
    The temporary file is created as a plain ``open(path, "w")`` creates a file (``0o666`` less the
    umask; ``tempfile.mkstemp`` would make it owner-only, ``0o600``), under a fresh random name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: Path, obj: Any) -> Path:
    """Atomically write ``obj`` as indented UTF-8 JSON (keys kept in insertion order)."""
    data = (json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=True) + "\n").encode()
    return write_atomic(path, lambda f: f.write(data))


def save_torch(path: Path, obj: Any) -> Path:
    """Atomically ``torch.save`` ``obj`` (tensors, numbers, strings, lists and dicts only)."""
    return write_atomic(path, lambda f: torch.save(obj, f))


def load_torch(path: Path, map_location: torch.device | str = "cpu") -> Any:
    """``torch.load`` with ``weights_only=True``: no pickled code is ever executed."""
    return torch.load(path, map_location=map_location, weights_only=True)


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete temporary files that a killed writer left in ``directory``; return them."""
    stale = sorted(Path(directory).glob(".*.tmp")) if Path(directory).is_dir() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
