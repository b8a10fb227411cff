"""pyproject.toml and environment.yml pin the same packages at the same versions."""

from __future__ import annotations

import tomllib

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
