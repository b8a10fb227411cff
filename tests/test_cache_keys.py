"""What an edit re-executes: each execution's key and each run's code digest follow the modules the
notebook or the run imports (the package's import graph), found from the code, not from a list kept by
hand. Edits are planted in a copy of the package and the keys compared."""

from __future__ import annotations

import ast
import dataclasses
import shutil
from pathlib import Path

import pytest

import genstudy
from conftest import ROOT
from genstudy import config, profiles
from genstudy.config import Profile, RunParams, Tempering
from genstudy.hashing import import_graph, imported, models_closure, modules_digest
from genstudy.models.registry import MODELS_PACKAGE, SHARED_MODULES, defining_modules
from genstudy.runs.evaluate import settings
from genstudy.runs.record import SETTINGS_MODULES, TRAINING_ENTRY, run_code_digest
from genstudy.runs.train import run_config
from genstudy.site import cache

PACKAGE = Path(genstudy.__file__).parent
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = ("02_gan", "03_vae", "04_rbm", "05_dbn", "07_matched_pair", "80_findings", "90_comparison", "91_claims")
MODELS = ("dcgan", "vae_mlp", "vae_conv", "rbm", "dbn")


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACKAGE, tmp_path / "genstudy", ignore=shutil.ignore_patterns("__pycache__")))


def _keys(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    executions = {c: cache.execution_fingerprint(NOTEBOOKS / f"{c}.ipynb", root, "0.1.0") for c in CHAPTERS}
    return executions, {m: run_code_digest(root, m) for m in MODELS}


def _plant(path: Path) -> None:
    path.write_text(path.read_text() + "\n\nPLANTED = 1\n")


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before if before[k] != after[k]}


def test_a_report_rule_or_a_plot_leaves_every_training_run_as_it_was(package_copy: Path) -> None:
    executions, runs = _keys(package_copy)
    _plant(package_copy / "study" / "claims" / "quality.py")
    after_rule, runs_after = _keys(package_copy)
    assert _changed(executions, after_rule) == {"80_findings", "90_comparison", "91_claims"}  # the reports only
    assert runs_after == runs
    _plant(package_copy / "study" / "plots.py")
    after_plot, runs_after = _keys(package_copy)
    assert runs_after == runs  # no run is retrained for a figure ...
    assert _changed(after_rule, after_plot) >= {"02_gan", "04_rbm"}  # ... which the chapters draw again


def test_an_edit_to_the_rbm_marks_exactly_the_rbm_and_the_dbn(package_copy: Path) -> None:
    executions, runs = _keys(package_copy)
    _plant(package_copy / "models" / "rbm.py")
    after, runs_after = _keys(package_copy)
    assert _changed(runs, runs_after) == {"rbm", "dbn"}  # the DBN stacks RBMs
    assert _changed(executions, after) == {"04_rbm", "05_dbn", "80_findings", "90_comparison", "91_claims"}
    _plant(package_copy / "models" / "vae.py")
    assert _changed(runs_after, _keys(package_copy)[1]) == {"vae_mlp", "vae_conv"}


def test_an_edit_to_any_module_a_run_imports_is_never_missed(package_copy: Path) -> None:
    """Every module the DBN's training imports, directly or not, inside functions too (a lazy import is an
    import), changes its digest when edited, but the settings, which its record keeps; the modules it does not
    import leave it as it was."""
    graph = import_graph(package_copy)
    imports = models_closure(graph, set(TRAINING_ENTRY), MODELS_PACKAGE, SHARED_MODULES, defining_modules(["dbn"]))
    assert imports >= SETTINGS_MODULES  # the settings are compared through the record (the test above)
    runs = imports - SETTINGS_MODULES
    assert {"genstudy.models.dbn", "genstudy.models.rbm", "genstudy.training.tasks", "genstudy.metrics.ais",
            "genstudy.runs.evaluate", "genstudy.data.transforms"} <= runs
    assert not runs & {"genstudy.models.gan", "genstudy.study.plots", "genstudy.study.claims"}
    files = {name: package_copy.joinpath(*name.split(".")[1:]) for name in graph}
    base = run_code_digest(package_copy, "dbn")
    assert modules_digest(package_copy, runs) == base
    for name, stem in sorted(files.items()):  # a planted statement adds no import: the graph stays
        path = stem / "__init__.py" if (stem / "__init__.py").is_file() else stem.with_suffix(".py")
        text = path.read_text()
        _plant(path)
        assert (modules_digest(package_copy, runs) != base) == (name in runs), name
        path.write_text(text)
    lazy = package_copy / "study" / "toy.py"  # a module the DBN's run does not import ...
    _plant(lazy)
    assert run_code_digest(package_copy, "dbn") == base
    tasks = package_copy / "training" / "tasks.py"  # ... until one of its modules imports it inside a function
    tasks.write_text(tasks.read_text() + "\n\ndef _later():\n    from genstudy.study import toy\n    return toy\n")
    assert run_code_digest(package_copy, "dbn") != base


def test_an_edit_to_the_literature_plan_leaves_the_fashion_runs_and_chapters_as_they_were(package_copy: Path) -> None:
    """The literature's recipes live in a module the Fashion-MNIST runs never import: changing them marks the
    literature chapter alone (its runs record their own recipe)."""
    executions, runs = _keys(package_copy)
    literature = cache.execution_fingerprint(NOTEBOOKS / "08_literature.ipynb", package_copy, "0.1.0")
    _plant(package_copy / "literature_plan.py")
    after, runs_after = _keys(package_copy)
    assert runs_after == runs and after == executions
    assert cache.execution_fingerprint(NOTEBOOKS / "08_literature.ipynb", package_copy, "0.1.0") != literature
    config = package_copy / "config.py"  # the profiles themselves: every run reads one
    _plant(config)
    assert _changed(runs, _keys(package_copy)[1]) == set(MODELS)


def test_an_import_that_only_serves_annotations_is_not_followed() -> None:
    modules = {"genstudy.a", "genstudy.b", "genstudy.c"}
    source = ("from typing import TYPE_CHECKING\nimport typing\nfrom genstudy import a\n"
              "if TYPE_CHECKING:\n    from genstudy import b\nelse:\n    import genstudy.c\n"
              "if typing.TYPE_CHECKING:\n    import genstudy.b\n")
    assert imported(source, modules) == {"genstudy.a", "genstudy.c"}
    assert imported("def f():\n    from genstudy import b\n", modules) == {"genstudy.b"}  # a lazy import runs


#: Each setting of a profile (:class:`genstudy.config.Profile`) by where a run keeps it: its training ``config``
#: (:func:`genstudy.runs.train.run_config`), its evaluation settings (:func:`genstudy.runs.evaluate.settings`),
#: or nowhere, shaping no run's number (which runs a chapter makes and what it does around them, which the
#: executions' keys cover, the settings module being among their modules). So a run's code digest may leave
#: the settings out (:data:`genstudy.runs.record.SETTINGS_MODULES`).
TRAINING_SETTINGS = {"train_size": 1_000, "epochs": 2, "batch_size": 32,
                     "overrides": {"rbm": {"train_options": {"k": 3}}}, "gibbs_steps": 3, "probes": 4,
                     "probe_samples": 5, "probe_gibbs_steps": 6}
EVALUATION_SETTINGS = {"eval_samples": 7, "likelihood_size": 8, "iwae_k": 9, "ais_steps": 10, "ais_chains": 11,
                       "parzen": "goodfellow", "tempering": Tempering()}
OTHER_SETTINGS = {"name", "description", "seeds", "stats_size", "toy_steps", "chain_lengths", "chain_count",
                  "published", "sampling_repeats"}


def test_every_setting_a_run_depends_on_is_kept_in_its_record(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {f.name for f in dataclasses.fields(Profile)} == {*TRAINING_SETTINGS, *EVALUATION_SETTINGS, *OTHER_SETTINGS}
    smoke = config.PROFILES["smoke"]
    recorded, measured = run_config(RunParams("rbm", profile="smoke")), settings("smoke", "rbm")
    for name, value in {**TRAINING_SETTINGS, **EVALUATION_SETTINGS}.items():
        assert getattr(smoke, name) != value, name
        monkeypatch.setitem(config.PROFILES, "smoke", dataclasses.replace(smoke, **{name: value}))
        changed = (run_config(RunParams("rbm", profile="smoke")) != recorded, settings("smoke", "rbm") != measured)
        assert changed == (name in TRAINING_SETTINGS, name in EVALUATION_SETTINGS), name
    tree = ast.parse((PACKAGE / "profiles.py").read_text())  # data only: no rule hides from the digests
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
    assert not imported((PACKAGE / "profiles.py").read_text(), set(import_graph(PACKAGE)))
    for name, given in profiles.SETTINGS.items():  # each profile is its settings, the rest its defaults
        built = dataclasses.asdict(config.PROFILES[name])
        assert {k: built[k] for k in given} == given, name


def test_an_edit_to_the_settings_leaves_every_runs_code_digest_and_marks_every_execution(package_copy: Path) -> None:
    executions, runs = _keys(package_copy)
    _plant(package_copy / "profiles.py")
    after, runs_after = _keys(package_copy)
    assert runs_after == runs  # a run compares the settings it read through its record ...
    assert _changed(executions, after) == set(CHAPTERS)  # ... a chapter reads more of them
