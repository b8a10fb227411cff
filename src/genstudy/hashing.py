"""SHA-256 digests, the one way the project fingerprints bytes, files, JSON-able values and the
library's result-shaping code."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def sha256_bytes(data: bytes | str) -> str:
    """Hex SHA-256 of ``data`` (a ``str`` is hashed as its UTF-8 bytes)."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of the bytes of the file at ``path``."""
    return sha256_bytes(Path(path).read_bytes())


def canonical(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


#: The subpackage of genstudy that only plans, runs and publishes the book: it never changes a
#: number, so it is not among the result-shaping files.
ORCHESTRATION_PACKAGE = "site"
#: The suffixes of the files that shape results: code, and the JSON and weights it reads.
RESULT_SHAPING_SUFFIXES = (".py", ".json", ".pt")


def result_shaping_files(root: Path | str) -> list[Path]:
    """The files of the package folder ``root`` that can change a number, sorted: its ``.py``,
    ``.json`` and ``.pt`` files, those under ``root/<ORCHESTRATION_PACKAGE>/`` and ``__pycache__``
    left out."""
    root = Path(root)
    return [path for path in sorted(root.rglob("*"))
            if path.is_file() and path.suffix in RESULT_SHAPING_SUFFIXES
            and "__pycache__" not in (relative := path.relative_to(root)).parts
            and relative.parts[0] != ORCHESTRATION_PACKAGE]


def source_digest(root: Path | str) -> str:
    """Hex SHA-256 (first 16 digits) over the :func:`result_shaping_files` of ``root``: each one's
    path relative to ``root`` and its bytes. Any edit changes it, a comment's too; unlike the book's
    cache fingerprint (:func:`genstudy.site.cache.fingerprint`, over syntax trees, which differ
    between Python versions), it is the same on every Python."""
    digest = hashlib.sha256()
    for path in result_shaping_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
