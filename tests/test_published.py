"""The published results committed with the project stay small: no weights file over the limit of
:data:`genstudy.runs.artifacts.PUBLISHED_WEIGHTS_LIMIT`, about 50 MB in all, nothing of a run in flight."""

from __future__ import annotations

import subprocess
from pathlib import Path

from genstudy.runs.artifacts import PUBLISHED_WEIGHTS_LIMIT

ROOT = Path(__file__).resolve().parents[1]
#: The committed results' size limit (bytes), the issue's "about 50 MB".
RESULTS_LIMIT = 50 * 10**6


def committed_results() -> list[Path]:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "results"], capture_output=True, check=True)
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def test_committed_results_hold_no_weights_over_the_limit_and_stay_under_50_mb() -> None:
    files = committed_results()
    weights = [f for f in files if f.suffix in (".pt", ".h5")]
    too_large = [str(f.relative_to(ROOT)) for f in weights if f.stat().st_size > PUBLISHED_WEIGHTS_LIMIT]
    assert not too_large, f"weights over {PUBLISHED_WEIGHTS_LIMIT:,} bytes committed: {too_large}"
    total = sum(f.stat().st_size for f in files)
    assert total <= RESULTS_LIMIT, f"results/ holds {total / 1e6:.1f} MB committed; limit {RESULTS_LIMIT / 1e6:g} MB"


def test_no_checkpoint_or_partial_notebook_is_committed() -> None:
    left = [str(f.relative_to(ROOT)) for f in committed_results()
            if f.name == "checkpoint.pt" or f.name.endswith((".partial.ipynb", ".tmp"))]
    assert not left, f"an interrupted run's files are committed: {left}"


def test_long_runs_commit_their_records_and_curves_only() -> None:
    """``results/budgets/full/`` (``genstudy budgets``): a run's record and history are committed, its
    weights, samples and checkpoint never; another profile's long runs not at all."""
    committed = [f.relative_to(ROOT / "results" / "budgets") for f in committed_results()
                 if f.is_relative_to(ROOT / "results" / "budgets")]
    assert all(f.parts[0] == "full" and f.name in ("record.json", "history.csv") for f in committed), committed

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index", path]).returncode == 0

    run = "results/budgets/full/dcgan-e40-fashion_mnist-seed0"
    assert not ignored(f"{run}/record.json") and not ignored(f"{run}/history.csv")
    assert all(ignored(f"{run}/{name}") for name in ("model.pt", "samples.npy", "samples.png", "checkpoint.pt"))
    assert ignored("results/budgets/quick/rbm-e60-fashion_mnist-seed0/record.json")
