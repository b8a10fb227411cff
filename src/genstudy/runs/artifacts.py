"""A run's files beside its record: ``history.csv``, ``samples.png`` and ``samples.npy``, and
which of its weights a published profile commits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from genstudy.io import write_atomic

#: The largest weights file (bytes) a run of a published profile commits: the published results
#: stay under ~50 MB in all, and every refresh adds to the repository's history.
PUBLISHED_WEIGHTS_LIMIT = 2 * 1024 * 1024


def image_grid(images: np.ndarray, nrow: int, *, pad: int = 2, fill: float = 0) -> np.ndarray:
    """Tile ``images`` (N, H, W) into one (nrow*(H+pad)-pad, ncol*(W+pad)-pad) array, row-major.

    Gaps and missing cells of the last row take the value ``fill`` (0: the background,
    white under the ``gray_r`` colour map used throughout the book).
    """
    n, h, w = images.shape
    ncol = -(-n // nrow)
    canvas = np.full((nrow * (h + pad) - pad, ncol * (w + pad) - pad), fill, dtype=images.dtype)
    for i, img in enumerate(images):
        r, c = divmod(i, ncol)
        canvas[r * (h + pad): r * (h + pad) + h, c * (w + pad): c * (w + pad) + w] = img
    return canvas


def save_samples_png(path: Path, images: np.ndarray, nrow: int = 8) -> None:
    """Save (N, H, W) images in [0, 1] as one grid PNG (black ink on white), atomically."""
    import matplotlib.pyplot as plt

    grid = image_grid(images[: nrow * nrow], nrow)
    write_atomic(path, lambda f: plt.imsave(f, grid, cmap="gray_r", vmin=0.0, vmax=1.0, format="png"))


def write_artifacts(directory: Path, history: list[dict[str, float]], grid: np.ndarray | None) -> dict[str, str]:
    """Write ``history.csv`` and, when ``grid`` (N, H, W) in [0, 1] is given, ``samples.png`` and
    ``samples.npy`` (uint8) into ``directory``, atomically; return the record's artifact names."""
    history_csv = pd.DataFrame(history).to_csv(index=False).encode()
    write_atomic(directory / "history.csv", lambda f: f.write(history_csv))
    artifacts = {"history": "history.csv"}
    if grid is not None:
        save_samples_png(directory / "samples.png", grid)
        write_atomic(directory / "samples.npy", lambda f: np.save(f, (grid * 255).round().astype(np.uint8)))
        artifacts.update(samples_png="samples.png", samples_npy="samples.npy")
    return artifacts


def weights_artifacts(directory: Path, name: str, published: bool) -> dict[str, str]:
    """The record's artifact entries of the weights file ``name`` in ``directory``: ``weights``, and,
    for a run of a published profile whose file exceeds :data:`PUBLISHED_WEIGHTS_LIMIT`,
    ``weights_withheld`` (the same file: it is not committed), which the run folder's ``.gitignore``
    names. A run without its weights file is retrained when a build needs it (``genstudy book --refresh``)."""
    out = {"weights": name}
    size = (directory / name).stat().st_size
    if published and size > PUBLISHED_WEIGHTS_LIMIT:
        note = (f"# {name} ({size / 2**20:.1f} MiB) is not committed: a published run commits weights up to "
                f"{PUBLISHED_WEIGHTS_LIMIT / 2**20:g} MiB (genstudy.runs.artifacts)\n{name}\n")
        write_atomic(directory / ".gitignore", lambda f: f.write(note.encode()))
        out["weights_withheld"] = name
    return out
