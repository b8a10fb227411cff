"""The package's layers hold: lower layers never import higher ones, and no module imports itself
back through others. The checker is shown to catch a planted violation of each kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import genstudy
from layering import LAYERS, top, violations

PACKAGE = Path(genstudy.__file__).parent


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACKAGE, tmp_path / "genstudy", ignore=shutil.ignore_patterns("__pycache__")))


def test_every_top_level_name_has_a_layer() -> None:
    names = {top(f"genstudy.{p.stem}") for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir()
                                                                         if (p / "__init__.py").is_file()}
    assert names == set(LAYERS)


def test_the_package_respects_its_layers_and_has_no_import_cycle() -> None:
    assert violations(PACKAGE) == []


def test_a_model_importing_the_report_layer_is_caught(package_copy: Path) -> None:
    base = package_copy / "models" / "base.py"
    planted = "\n\ndef _bands():\n    from genstudy.study import compare\n    return compare\n"
    base.write_text(base.read_text() + planted)
    assert violations(package_copy) == ["genstudy.models.base (layer 2) imports genstudy.study.compare (layer 7)"]


def test_peer_packages_of_one_layer_may_not_import_each_other(package_copy: Path) -> None:
    clf = package_copy / "metrics" / "classifier.py"
    clf.write_text(clf.read_text() + "\nfrom genstudy.training import fit  # noqa\n")
    assert violations(package_copy) == ["genstudy.metrics.classifier (layer 4) imports genstudy.training (layer 4)"]


def test_an_import_cycle_inside_one_package_is_caught(package_copy: Path) -> None:
    record = package_copy / "runs" / "record.py"
    record.write_text(record.read_text() + "\n\ndef _later():\n    import genstudy.runs.train\n")
    problems = violations(package_copy)
    assert len(problems) == 1 and problems[0].startswith("import cycle: ")
    assert "genstudy.runs.record" in problems[0] and "genstudy.runs.train" in problems[0]
