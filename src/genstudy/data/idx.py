"""Reading and validating IDX files (the MNIST family's format), plain or gzip-compressed.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the array in C order. Only the
unsigned-byte type (0x08) occurs in the datasets genstudy supports.

Every problem is reported as a :class:`~genstudy.errors.DatasetError` whose message
names the file: missing, not gzip, truncated, a wrong magic number, unexpected
dimensions, or a SHA-256 that is not the published one.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from genstudy.errors import DatasetError

UBYTE = 0x08
_HEADER_FIXED = 4


def read_bytes(path: Path) -> bytes:
    """Return the decompressed content of ``path`` (gzip when its name ends in ``.gz``)."""
    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DatasetError(f"{path}: truncated or corrupt gzip file ({exc})") from exc


def parse_idx(data: bytes, *, source: Path | str, ndim: int) -> np.ndarray:
    """Parse the IDX bytes ``data`` into a ``uint8`` array with ``ndim`` dimensions.

    ``source`` is only used in error messages. Raises :class:`DatasetError` when the
    magic number, the type code, the number of dimensions or the length is wrong.
    """
    if len(data) < _HEADER_FIXED:
        raise DatasetError(f"{source}: truncated IDX file ({len(data)} bytes, no header)")
    zero0, zero1, type_code, found_ndim = data[:4]
    if zero0 != 0 or zero1 != 0:
        raise DatasetError(f"{source}: not an IDX file (magic number {data[:4].hex()})")
    if type_code != UBYTE:
        raise DatasetError(f"{source}: IDX type code 0x{type_code:02x}, expected 0x08 (unsigned byte)")
    if found_ndim != ndim:
        raise DatasetError(f"{source}: IDX file has {found_ndim} dimensions, expected {ndim}")
    header = _HEADER_FIXED + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{source}: truncated IDX file ({len(data)} bytes, header needs {header})")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=_HEADER_FIXED))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "oversized"
        raise DatasetError(
            f"{source}: {what} IDX file: header says shape {shape} ({expected} bytes), "
            f"found {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a ``uint8`` array as an IDX file (gzip-compressed when ``path`` ends in ``.gz``).

    Used to make small fixture datasets and by tests; the inverse of :func:`parse_idx`.
    """
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, UBYTE, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.tobytes()
    if path.suffix == ".gz":
        payload = gzip.compress(payload, mtime=0)
    path.write_bytes(payload)
