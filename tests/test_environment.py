"""pyproject.toml and environment.yml pin the same packages at the same versions."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from conftest import ROOT


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        pins += extra
    return set(pins)


def _conda_pins() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_blocks = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_blocks) == 1, "environment.yml must have exactly one pip: block"
    assert "python=3.11" in env["dependencies"]
    return set(pip_blocks[0])


def test_every_dependency_is_pinned_exactly() -> None:
    loose = [p for p in _pyproject_pins() if "==" not in p]
    assert not loose, f"unpinned in pyproject.toml: {loose}"


def test_conda_environment_matches_pyproject() -> None:
    py, conda = _pyproject_pins(), _conda_pins()
    assert py == conda, f"only in pyproject: {sorted(py - conda)}; only in environment.yml: {sorted(conda - py)}"


#: What the GPU machines (Python 3.12, their own torch) do not have.
BOOK_STACK = ("papermill", "nbformat", "nbclient", "ipykernel", "tensorflow", "keras", "dask", "distributed",
              "jupyter_book", "sphinx", "selenium")


def test_python_312_is_allowed_and_ruff_keeps_the_code_311_compatible() -> None:
    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    allowed = SpecifierSet(project["project"]["requires-python"])
    assert "3.11.7" in allowed and "3.12.3" in allowed and "3.10.12" not in allowed
    assert project["tool"]["ruff"]["target-version"] == "py311"  # no syntax newer than 3.11


def test_training_and_measuring_import_none_of_the_book_stack() -> None:
    modules = ("genstudy.site.cli", "genstudy.runs.train", "genstudy.runs.evaluate", "genstudy.runs.chapter",
               "genstudy.runs.prepare", "genstudy.models.registry", "genstudy.study.claims")
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            f"print(','.join(m for m in {BOOK_STACK!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "", f"imported on the training path: {done.stdout.strip()}"


def test_genstudy_prepare_runs_without_the_book_stack(tmp_path: Path) -> None:
    """What a GPU machine runs (``genstudy prepare``) trains, measures and reads the chapters'
    notebooks without importing Jupyter, papermill or TensorFlow."""
    args = ["prepare", "--profile", "smoke", "--models", "rbm", "--seeds", "0", "--out", str(tmp_path)]
    code = (f"import sys\nfrom genstudy.site.cli import main\nassert main({args!r}) == 0\n"
            f"print('book stack:', ','.join(m for m in {BOOK_STACK!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.endswith("1 of 1 runs finished\nbook stack: \n"), done.stdout[-500:]
