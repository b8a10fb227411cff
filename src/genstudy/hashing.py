"""SHA-256 digests, the one way the project fingerprints bytes, files and JSON-able values."""

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
