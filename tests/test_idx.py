"""IDX parsing and validation on tiny hand-made files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from genstudy.data.idx import parse_idx, read_bytes, write_idx
from genstudy.errors import DatasetError


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / f"x-idx3-ubyte{suffix}"
    write_idx(path, images)
    out = parse_idx(read_bytes(path), source=path, ndim=3)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_header_layout_is_big_endian(tmp_path: Path) -> None:
    path = tmp_path / "labels"
    write_idx(path, np.array([7, 1, 2], dtype=np.uint8))
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 1, 2])


def test_truncated_payload_names_file_and_sizes(tmp_path: Path) -> None:
    path = tmp_path / "x"
    write_idx(path, np.zeros((5, 2, 2), dtype=np.uint8))
    data = path.read_bytes()[:-3]
    expected = r"x: truncated IDX file: header says shape \(5, 2, 2\) \(36 bytes\), found 33"
    with pytest.raises(DatasetError, match=expected):
        parse_idx(data, source=path, ndim=3)


def test_bad_magic_wrong_type_wrong_ndim() -> None:
    with pytest.raises(DatasetError, match="not an IDX file"):
        parse_idx(b"\x1f\x8b\x08\x00" + bytes(20), source="f", ndim=1)
    with pytest.raises(DatasetError, match="type code 0x0d"):
        parse_idx(bytes([0, 0, 0x0D, 1, 0, 0, 0, 0]), source="f", ndim=1)
    with pytest.raises(DatasetError, match="has 1 dimensions, expected 3"):
        parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 0]), source="f", ndim=3)
    with pytest.raises(DatasetError, match="no header"):
        parse_idx(b"\x00\x00", source="f", ndim=1)


def test_corrupt_and_truncated_gzip(tmp_path: Path) -> None:
    good = gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 200]) + bytes(200))
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(DatasetError, match=r"cut.gz: truncated or corrupt gzip"):
        read_bytes(cut)
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"definitely not gzip")
    with pytest.raises(DatasetError, match=r"junk.gz: truncated or corrupt gzip"):
        read_bytes(junk)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"nope.gz: file not found"):
        read_bytes(tmp_path / "nope.gz")
