"""What makes a notebook execution reusable: its cache key, and the execution records.

An execution (one notebook with one set of parameters) is skipped when its record says it
succeeded with the same **key**. The key hashes everything that can change what the
notebook computes:

* ``notebook``: the notebook's *code* cells and its role (markdown is prose: editing it
  never re-executes anything; the published chapter gets the new prose, see
  :mod:`genstudy.site.publish`);
* ``parameters``: what papermill injects;
* ``package``: genstudy's version and a SHA-256 over the library files that shape results
  (every file of the package outside :data:`genstudy.hashing.ORCHESTRATION_PACKAGE`, this package, which
  plans, runs and publishes the book and never changes a number): for Python modules their
  syntax tree without docstrings, so that editing a comment or a docstring re-executes
  nothing, and changing how the book is built never retrains a model;
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

from genstudy.hashing import canonical, result_shaping_files, sha256_bytes
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


def fingerprint(root: Path, version: str) -> str:
    """``version`` and a SHA-256 of the result-shaping files of the package folder ``root``
    (:func:`genstudy.hashing.result_shaping_files`): its ``.py`` files as :func:`code_text`, its
    ``.json`` and ``.pt`` files as bytes."""
    digest = hashlib.sha256(version.encode())
    for path in result_shaping_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(code_text(path.read_text()).encode() if path.suffix == ".py" else path.read_bytes())
    return f"{version}+{digest.hexdigest()[:16]}"


@functools.cache
def package_fingerprint() -> str:
    """:func:`fingerprint` of the installed genstudy (computed once per process)."""
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
                             "package": package_fingerprint(), "environment": environment(threads)}
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
