"""Dataset search order, checksum verification and the download path (over loopback)."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from genstudy.data import load_images
from genstudy.data.sources import FASHION_MNIST, download, locate
from genstudy.errors import DatasetError, ParameterError


def test_fashion_mnist_is_verified_and_complete(fashion_dir: Path) -> None:
    ds = load_images("fashion_mnist", fashion_dir)
    assert (len(ds.train), len(ds.test)) == (60_000, 10_000)
    assert ds.image_shape == (28, 28)
    assert ds.train.images.dtype == np.uint8 and ds.train.labels.dtype == np.int64
    np.testing.assert_array_equal(ds.train.class_counts(10), np.full(10, 6_000))
    np.testing.assert_array_equal(ds.test.class_counts(10), np.full(10, 1_000))
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"


def test_uncompressed_files_are_accepted(fashion_copy: Path) -> None:
    for gz in fashion_copy.glob("*.gz"):
        gz.with_suffix("").write_bytes(gzip.decompress(gz.read_bytes()))
        gz.unlink()
    ds = load_images("fashion_mnist", fashion_copy)
    assert len(ds.train) == 60_000


def test_changed_pixel_fails_the_checksum(fashion_copy: Path) -> None:
    path = fashion_copy / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[-1] ^= 0xFF  # one pixel of the last test image
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte.gz: SHA-256 of the IDX content is .*expected"):
        load_images("fashion_mnist", fashion_copy)


def test_missing_file_is_named(fashion_copy: Path) -> None:
    (fashion_copy / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte.gz: file not found"):
        load_images("fashion_mnist", fashion_copy)


def test_explicit_dir_must_exist(tmp_path: Path, isolated_env: Path) -> None:
    with pytest.raises(DatasetError, match="data directory not found"):
        locate(FASHION_MNIST, tmp_path / "absent")


def test_env_var_is_used(fashion_copy: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENSTUDY_DATA", str(fashion_copy))
    assert locate(FASHION_MNIST) == fashion_copy


def test_system_dir_then_cache(isolated_env: Path, fashion_dir: Path, fashion_copy: Path) -> None:
    assert locate(FASHION_MNIST) == fashion_dir
    # Without the system directory the cache comes next ...
    elsewhere = dataclasses.replace(FASHION_MNIST, system_dir=isolated_env / "no-system")
    shutil.copytree(fashion_copy, isolated_env / "fashion_mnist")
    assert locate(elsewhere, allow_download=False) == isolated_env / "fashion_mnist"
    # ... and with neither, the error says where it looked and how to get the data.
    shutil.rmtree(isolated_env / "fashion_mnist")
    expected = r"Fashion-MNIST not found in .*no-system.*apt-get install dataset-fashion-mnist"
    with pytest.raises(DatasetError, match=expected):
        locate(elsewhere, allow_download=False)


def test_unknown_dataset_lists_allowed() -> None:
    with pytest.raises(ParameterError, match=r"invalid dataset='cifar'; allowed: 'fashion_mnist', 'mnist', 'digits'"):
        load_images("cifar")


def test_digits_split_is_stratified_and_scaled() -> None:
    ds = load_images("digits")
    assert ds.image_shape == (8, 8)
    assert (len(ds.train), len(ds.test)) == (1437, 360)
    assert ds.train.images.max() == 255 and ds.train.images.min() == 0
    # 16 grey levels of scikit-learn map exactly onto multiples of 255/16.
    levels = np.unique(ds.train.images)
    np.testing.assert_array_equal(levels, np.unique(np.rint(np.arange(17) * 255 / 16)).astype(np.uint8))


# --- the download path, against a web server on loopback --------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


def test_download_verifies_and_writes_atomically(served: tuple[str, Path], fashion_dir: Path, tmp_path: Path) -> None:
    url, www = served
    for f in fashion_dir.glob("*.gz"):
        shutil.copy(f, www / f.name)
    dest = download(FASHION_MNIST, tmp_path / "dl", base_url=url)
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in fashion_dir.glob("*.gz"))
    assert len(load_images("fashion_mnist", dest).test) == 10_000


def test_download_rejects_corrupt_file_and_leaves_nothing(
    served: tuple[str, Path], fashion_dir: Path, tmp_path: Path
) -> None:
    url, www = served
    for f in fashion_dir.glob("*.gz"):
        shutil.copy(f, www / f.name)
    (www / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x03" + bytes(100)))
    dest = tmp_path / "dl"
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: downloaded file fails its SHA-256"):
        download(FASHION_MNIST, dest, base_url=url)
    assert not (dest / "train-images-idx3-ubyte.gz").exists()
    assert not list(dest.glob(".*part*"))


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"download failed"):
        download(FASHION_MNIST, tmp_path / "dl", base_url="http://127.0.0.1:9/", timeout=5)
