"""A run's files beside its record: ``history.csv``, ``samples.png`` and ``samples.npy``, the
scored samples where its evaluation draws them by another sampler, and which of its weights a
published profile commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


#: The file of the first samples an evaluation scored, where they come from another sampler than the
#: run's own ``samples.npy`` (an RBM's or DBN's parallel tempering), and how many it keeps.
SCORED_SAMPLES, SCORED_SHOWN = "scored_samples.npy", 64
#: What :func:`shown_samples` calls a run's own samples, and its scored ones.
OWN_SAMPLES, SCORED = "the run's samples", "samples the yardstick scored"


def write_scored_samples(directory: Path, images: np.ndarray) -> dict[str, str]:
    """Write the first :data:`SCORED_SHOWN` of ``images`` (N, H, W) in [0, 1], the samples an evaluation
    scored, as :data:`SCORED_SAMPLES` (uint8) into ``directory``, atomically; return the record's artifact."""
    shown = (np.clip(images[:SCORED_SHOWN], 0.0, 1.0) * 255).round().astype(np.uint8)
    write_atomic(directory / SCORED_SAMPLES, lambda f: np.save(f, shown))
    return {"scored_samples_npy": SCORED_SAMPLES}


def shown_samples(directory: Path, record: dict[str, Any]) -> tuple[np.ndarray, str]:
    """The samples a chapter shows of the run in ``directory`` with its ``record``: the scored ones where its
    evaluation kept them (:func:`write_scored_samples`), else the run's own ``samples.npy``; (N, H, W)
    uint8, and which they are in words (:data:`SCORED` or :data:`OWN_SAMPLES`)."""
    name = record.get("artifacts", {}).get("scored_samples_npy")
    if name and (Path(directory) / name).is_file():
        return np.load(Path(directory) / name), SCORED
    return np.load(Path(directory) / "samples.npy"), OWN_SAMPLES


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
