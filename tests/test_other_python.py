"""The library on another interpreter and torch: the GPU machines' stack (Python 3.12, PyTorch 2.11)
makes the same smoke runs as the pinned one (Python 3.11, PyTorch 2.13).

Opt-in, because that stack is a download of about 5 GB: ``make check-py312`` builds it in
``.venv-py312`` and runs this test with ``GENSTUDY_OTHER_PYTHON`` naming its interpreter. Both
interpreters run ``genstudy prepare --profile smoke --seeds 0`` on the CPU from the source tree
(as a GPU machine does: ``PYTHONPATH=src``, nothing installed), and every run must name the same
code and carry the same metrics, to the six decimals a record keeps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

OTHER = os.environ.get("GENSTUDY_OTHER_PYTHON", "")


def smoke_runs(python: str, out: Path) -> dict[str, dict[str, Any]]:
    """``genstudy prepare --profile smoke --seeds 0`` under ``python``, from ``src/``: run id → record."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([python, "-m", "genstudy", "prepare", "--profile", "smoke", "--seeds", "0", "--device", "cpu",
                           "--root", str(ROOT), "--out", str(out)], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=1_200)
    assert done.returncode == 0, f"{python}: genstudy prepare failed\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return {p.parent.name: json.loads(p.read_text()) for p in sorted((out / "smoke").glob("*/record.json"))}


@pytest.mark.slow
@pytest.mark.skipif(not OTHER, reason="set GENSTUDY_OTHER_PYTHON to another interpreter with torch (make check-py312)")
def test_another_interpreter_and_torch_make_the_same_smoke_runs(tmp_path: Path) -> None:
    here = smoke_runs(sys.executable, tmp_path / "here")
    there = smoke_runs(OTHER, tmp_path / "there")
    assert sorted(there) == sorted(here) and len(here) == 11  # ten models and the real-data baseline
    other = there["dcgan-fashion_mnist-seed0"]["versions"]
    assert (other["python"], other["torch"]) != (here["dcgan-fashion_mnist-seed0"]["versions"]["python"],
                                                 here["dcgan-fashion_mnist-seed0"]["versions"]["torch"]), \
        "the other interpreter runs the same Python and torch: nothing is compared"
    for run_id, mine in here.items():
        theirs = there[run_id]
        assert theirs["status"] == mine["status"] == "ok", run_id
        assert theirs.get("code") == mine.get("code"), f"{run_id}: the two interpreters digest the code differently"
        numbers = {k: v for k, v in mine["metrics"].items() if isinstance(v, int | float)}
        assert {k: theirs["metrics"].get(k) for k in numbers} == pytest.approx(numbers, rel=1e-6, abs=1e-6), run_id
