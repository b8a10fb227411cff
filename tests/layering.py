"""The layers of ``src/genstudy`` (ARCHITECTURE.md) as data, and a checker of its imports.

A module may import modules of its own package (``genstudy.runs.train`` → ``genstudy.runs.record``)
and modules of lower layers; never a higher layer nor a peer package of its own layer; and
the imports between modules (module-level and function-local alike) form no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: Top-level name under ``genstudy`` → layer rank (lower layers are imported by higher ones).
LAYERS: dict[str, int] = {
    # base: the package root and its one-job modules, which import nothing of genstudy above them
    "__init__": 0, "errors": 0, "io": 0, "sampling": 0, "hashing": 0, "paths": 0, "machine": 0,
    "profiles": 0,  # the profiles' settings, plain data that imports nothing
    "data": 1,
    "models": 2,
    "config": 3,
    "training": 4, "metrics": 4, "literature_plan": 4,
    "runs": 5,
    "article": 6,
    "study": 7,
    "site": 8,
    "__main__": 9,
}
BASE = 0


def module_name(package_root: Path, path: Path) -> str:
    """``genstudy.runs.train`` for ``<root>/runs/train.py`` (``genstudy.runs`` for its ``__init__``)."""
    parts = list(path.relative_to(package_root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(["genstudy", *parts]) if parts != ["__init__"] else "genstudy"


def top(module: str) -> str:
    """The top-level name under genstudy: ``runs`` for ``genstudy.runs.train``, ``__init__`` for genstudy."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(package_root: Path) -> dict[str, set[str]]:
    """Module → the genstudy modules it imports (anywhere in its body)."""
    modules = {module_name(package_root, p): p for p in sorted(package_root.rglob("*.py"))
               if "__pycache__" not in p.parts}
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("genstudy"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("genstudy"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if candidate in modules else node.module)
        out[name] = {m for m in found if m != name}
    return out


def violations(package_root: Path) -> list[str]:
    """Every import that crosses the layers the wrong way, and every import cycle, as text."""
    graph = imports(package_root)
    problems = []
    for importer, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = top(importer), top(target)
            if a not in LAYERS or b not in LAYERS:
                problems.append(f"{importer} → {target}: {a if a not in LAYERS else b!r} has no layer")
            elif a != b and (LAYERS[b] > LAYERS[a] or (LAYERS[b] == LAYERS[a] != BASE)):
                problems.append(f"{importer} (layer {LAYERS[a]}) imports {target} (layer {LAYERS[b]})")
    problems.extend(f"import cycle: {' → '.join(c)}" for c in cycles(graph))
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a closed path) per strongly connected group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append([*sorted(group), sorted(group)[0]])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
