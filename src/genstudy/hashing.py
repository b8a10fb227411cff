"""SHA-256 digests, the one way the project fingerprints bytes, files, JSON-able values and the
library's result-shaping code; and the package's import graph, which says which of that code a
computation runs (:func:`import_graph`, :func:`closure`)."""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def sha256_bytes(data: bytes | str) -> str:
    """Hex SHA-256 of ``data`` (a ``str`` is hashed as its UTF-8 bytes)."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of the bytes of the file at ``path``."""
    return sha256_bytes(Path(path).read_bytes())


def canonical(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


#: The subpackage of genstudy that only plans, runs and publishes the book: it never changes a
#: number, so it is not among the result-shaping files.
ORCHESTRATION_PACKAGE = "site"
#: The suffixes of the files that shape results: code, and the JSON and weights it reads.
RESULT_SHAPING_SUFFIXES = (".py", ".json", ".pt")


def result_shaping_files(root: Path | str) -> list[Path]:
    """The files of the package folder ``root`` that can change a number, sorted: its ``.py``,
    ``.json`` and ``.pt`` files, those under ``root/<ORCHESTRATION_PACKAGE>/`` and ``__pycache__``
    left out."""
    root = Path(root)
    return [path for path in sorted(root.rglob("*"))
            if path.is_file() and path.suffix in RESULT_SHAPING_SUFFIXES
            and "__pycache__" not in (relative := path.relative_to(root)).parts
            and relative.parts[0] != ORCHESTRATION_PACKAGE]


def source_digest(root: Path | str) -> str:
    """Hex SHA-256 (first 16 digits) over the :func:`result_shaping_files` of ``root``: each one's
    path relative to ``root`` and its bytes. Any edit changes it, a comment's too; unlike the book's
    cache fingerprint (:func:`genstudy.site.cache.fingerprint`, over syntax trees, which differ
    between Python versions), it is the same on every Python."""
    digest = hashlib.sha256()
    for path in result_shaping_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- the code a computation runs: the package's import graph ------------------------------------

#: The package whose modules are followed through imports.
PACKAGE = "genstudy"


def module_name(root: Path, path: Path) -> str:
    """``genstudy.runs.train`` for ``<root>/runs/train.py``; ``genstudy.runs`` for its ``__init__.py``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def _type_checking(node: ast.AST) -> bool:
    """Whether ``node`` is an ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``) block, which never runs."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _running_nodes(tree: ast.AST) -> list[ast.AST]:
    """The nodes of ``tree`` (as :func:`ast.walk`) less the bodies of ``if TYPE_CHECKING:`` blocks (their
    ``else`` runs and is kept)."""
    out, todo = [], [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        children = node.orelse if _type_checking(node) else ast.iter_child_nodes(node)  # type: ignore[attr-defined]
        todo.extend(children)
    return out


def imported(source: str, modules: set[str] | frozenset[str]) -> set[str]:
    """The modules of ``modules`` that the Python ``source`` imports anywhere in its body (inside
    functions too): ``import genstudy.a.b`` and ``from genstudy.a import b`` name ``genstudy.a.b`` when
    that is a module, else ``genstudy.a``; a relative import is not used by this package. Imports under
    ``if TYPE_CHECKING:`` are not counted: they serve annotations and never run."""
    found: set[str] = set()
    for node in _running_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in modules:  # genstudy.a.b.C -> genstudy.a.b -> ...
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph(root: Path | str) -> dict[str, set[str]]:
    """Each result-shaping module of the package folder ``root`` (:func:`result_shaping_files`) →
    the package's modules it imports (:func:`imported`). Parsed again only when a file's size or
    modification time changed (a copy of the dict is returned)."""
    root = Path(root)
    files = [p for p in result_shaping_files(root) if p.suffix == ".py"]
    stamp = tuple((p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return {name: set(found) for name, found in _parsed_graph(root, stamp).items()}


@functools.lru_cache(maxsize=8)
def _parsed_graph(root: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, frozenset[str]]:
    files = {module_name(root, Path(path)): Path(path) for path, _, _ in stamp}
    every = frozenset(files)
    return {name: frozenset(imported(path.read_text(), every)) for name, path in files.items()}


def closure(graph: dict[str, set[str]], start: set[str], enter: Callable[[str], bool] = lambda _: True) -> set[str]:
    """The modules of ``graph`` that importing ``start`` runs: ``start``, what they import, and so on,
    with every module's parent packages (their ``__init__`` runs first); a module for which ``enter``
    is false is not entered (neither counted nor followed)."""
    seen: set[str] = set()
    todo = [m for m in start if m in graph]
    while todo:
        name = todo.pop()
        if name in seen or not enter(name):
            continue
        seen.add(name)
        parent = name.rpartition(".")[0]
        todo += [m for m in (*graph[name], parent) if m in graph]
    return seen


def models_closure(graph: dict[str, set[str]], start: set[str], models_package: str, shared: frozenset[str],
                   chosen: set[str]) -> set[str]:
    """:func:`closure` of ``start`` in which, of the modules of ``models_package`` (one per model),
    only the ``shared`` ones, the ``chosen`` ones and the model modules these import are entered: the
    code a computation of the chosen models runs (the others' modules are imported beside them, by the
    package's ``__init__`` say, but compute nothing for these models)."""
    prefix = f"{models_package}."
    own = {m: {i for i in graph[m] if i.startswith(prefix)} for m in graph if m.startswith(prefix) and m not in shared}
    allowed = closure(own, chosen) | shared
    return closure(graph, start, lambda m: not m.startswith(prefix) or m in allowed)


def modules_digest(root: Path | str, modules: set[str]) -> str:
    """Hex SHA-256 (first 16 digits), as :func:`source_digest`, over the ``.py`` files of ``modules`` and
    every data file (``.json``, ``.pt``) of the package folder ``root``."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in result_shaping_files(root):
        if path.suffix == ".py" and module_name(root, path) not in modules:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
