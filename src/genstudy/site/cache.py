"""What makes a notebook execution reusable: its cache key, and the execution records.

An execution (one notebook with one set of parameters) is skipped when its record says it
succeeded with the same **key**. The key hashes everything that can change what the
notebook computes:

* ``notebook``: the notebook's *code* cells and its role (markdown is prose: editing it
  never re-executes anything; the published chapter gets the new prose, see
  :mod:`genstudy.site.publish`);
* ``parameters``: what papermill injects;
* ``package``: genstudy's version and a SHA-256 over the library code the notebook runs
  (:func:`execution_fingerprint`): the modules its cells import and, through the package's
  import graph, what those import, the other models' modules left out where the notebook names
  the models it trains, and the data files the code reads; never this package, which plans, runs
  and publishes the book and never changes a number (:data:`genstudy.hashing.ORCHESTRATION_PACKAGE`).
  Python modules enter as their syntax tree without docstrings, so that editing a comment or a
  docstring re-executes nothing; editing a report rule never re-executes a training chapter, and
  editing one model re-executes the chapters that train or import it;
* ``environment``: the versions of the libraries that shape the numbers, and the CPU
  threads the kernel uses (float reductions depend on them);
* ``upstream``: for the report chapters, the state of every run they read (its key, status
  and finish time, so a report re-executes when a run it reads was executed again).

The key is stored in the execution's record (:mod:`genstudy.runs.executions`), beside the
executed notebook, so the cache survives ``make clean`` and can be committed with published
results.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from genstudy.hashing import (
    canonical,
    closure,
    import_graph,
    imported,
    models_closure,
    module_name,
    result_shaping_files,
    sha256_bytes,
)
from genstudy.models.registry import MODELS_PACKAGE, SHARED_MODULES, defining_modules
from genstudy.runs.executions import NOTEBOOK

#: Distributions whose versions enter every key (importlib.metadata names; absent ones are skipped).
ENVIRONMENT_PACKAGES = ("torch", "numpy", "scikit-learn", "torchmetrics", "tensorflow-cpu", "tensorflow",
                        "pandas", "matplotlib", "seaborn", "papermill")


def notebook_code_hash(notebook: Path) -> str:
    """SHA-256 of a notebook's code cells (sources, in order) and its ``genstudy`` role metadata."""
    nb = json.loads(Path(notebook).read_text())
    code = [("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for c in nb["cells"] if c["cell_type"] == "code"]
    return sha256_bytes(canonical({"code": code, "role": nb.get("metadata", {}).get("genstudy", {})}))


def code_text(source: str) -> str:
    """A Python module's syntax tree without docstrings, as text: comments, docstrings and
    layout leave it unchanged; any change to what the code does changes it."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str)
            if docstring:
                node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False)


def fingerprint(root: Path, version: str, modules: set[str] | None = None) -> str:
    """``version`` and a SHA-256 of the result-shaping files of the package folder ``root``
    (:func:`genstudy.hashing.result_shaping_files`): of its ``.py`` files those of ``modules`` (default:
    all) as :func:`code_text`, and every ``.json`` and ``.pt`` file (the data the code reads) as bytes."""
    digest = hashlib.sha256(version.encode())
    for path in result_shaping_files(root):
        if path.suffix == ".py" and modules is not None and module_name(root, path) not in modules:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(code_text(path.read_text()).encode() if path.suffix == ".py" else path.read_bytes())
    return f"{version}+{digest.hexdigest()[:16]}"


def notebook_modules(notebook: Path, modules: set[str] | frozenset[str]) -> set[str]:
    """The package's modules that a notebook's code cells import (:func:`genstudy.hashing.imported`;
    a cell that is not plain Python, a magic say, is skipped)."""
    nb = json.loads(Path(notebook).read_text())
    found: set[str] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            found |= imported(source, modules)
        except SyntaxError:
            continue
    return found


def code_modules(root: Path, notebook: Path) -> set[str]:
    """The modules of the package folder ``root`` that executing ``notebook`` runs: what its cells
    import and, through the package's import graph, what those import (:func:`genstudy.hashing.closure`);
    where the notebook names the models it trains (``metadata.genstudy.models``), the other models'
    modules are not followed (:func:`genstudy.hashing.models_closure`)."""
    graph = import_graph(root)
    start = notebook_modules(notebook, frozenset(graph))
    models = json.loads(Path(notebook).read_text()).get("metadata", {}).get("genstudy", {}).get("models")
    if not models:
        return closure(graph, start)
    return models_closure(graph, start, MODELS_PACKAGE, SHARED_MODULES, defining_modules(models))


def execution_fingerprint(notebook: Path, root: Path | None = None, version: str | None = None) -> str:
    """:func:`fingerprint` of the code ``notebook`` runs (:func:`code_modules`) in the installed genstudy
    (or the package folder ``root`` at ``version``): an edit to a module it never imports, a report rule
    for a training chapter say, leaves it as it was."""
    import genstudy

    root = Path(genstudy.__file__).parent if root is None else Path(root)
    version = genstudy.__version__ if version is None else version
    return fingerprint(root, version, code_modules(root, notebook))


@functools.cache
def package_fingerprint() -> str:
    """:func:`fingerprint` of the whole installed genstudy (computed once per process)."""
    import genstudy

    return fingerprint(Path(genstudy.__file__).parent, genstudy.__version__)


@functools.cache
def environment(threads: int) -> dict[str, str | int]:
    """Versions of :data:`ENVIRONMENT_PACKAGES` that are installed, and the kernel's CPU threads."""
    versions: dict[str, str | int] = {}
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    versions["cpu_threads"] = threads
    return versions


def key_parts(notebook: Path, parameters: Mapping[str, Any], threads: int,
              upstream: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The named ingredients of an execution's key (stored, so a changed one can be named)."""
    parts: dict[str, Any] = {"notebook": notebook_code_hash(notebook), "parameters": dict(parameters),
                             "package": execution_fingerprint(notebook), "environment": environment(threads)}
    if upstream is not None:
        parts["upstream"] = sha256_bytes(canonical(dict(upstream)))
    return parts


def cache_key(parts: Mapping[str, Any]) -> str:
    return sha256_bytes(canonical(dict(parts)))


def keepable(previous: Mapping[str, Any] | None, directory: Path) -> bool:
    """Whether a stale execution can still be shown as it is: it succeeded and its executed
    notebook is there (what changed since is in :func:`why_stale`'s reason)."""
    return previous is not None and previous.get("status") == "ok" and (Path(directory) / NOTEBOOK).is_file()


def why_stale(previous: Mapping[str, Any] | None, parts: Mapping[str, Any], key: str,
              directory: Path) -> str | None:
    """Why an execution must run: ``None`` when ``previous`` is a success with this ``key`` and
    its notebook is there; else a short reason (``new``, ``failed before``, ``notebook changed``...)."""
    if previous is None:
        return "new"
    if previous.get("status") != "ok":
        return "failed before"
    if previous.get("key") == key and (Path(directory) / NOTEBOOK).is_file():
        return None
    if previous.get("key") == key:
        return "executed notebook missing"
    old = previous.get("key_parts", {})
    changed = [name for name in parts if old.get(name) != parts[name]]
    return " and ".join(f"{name} changed" for name in changed) or "key changed"
