"""Maintenance of the source notebooks: re-execute them in place on their defaults.

The sources under ``notebooks/`` carry the outputs of their default parameters (the
``smoke`` profile); nbval re-executes them in ``make test`` and compares. After changing
a notebook or the library, ``genstudy notebooks refresh`` rewrites those reference
outputs; review the diff like any other change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from genstudy.errors import GenstudyError
from genstudy.paths import NOTEBOOK_DIR
from genstudy.site.engines import KERNEL, local_kernel_manager, restore_environ
from genstudy.site.isa import pin_avx2

#: Cell metadata that changes on every execution and would only add noise to diffs.
_VOLATILE_CELL_KEYS = ("execution", "papermill")


def refresh(path: Path, root: Path, timeout: int = 600) -> float:
    """Execute ``path`` top to bottom in its own folder (as nbval does, so that the outputs it
    stores are the ones nbval compares with; its kernel capped at AVX2 as nbval's are, see
    :mod:`genstudy.site.isa`) and write it back; return wall seconds."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(path.parent)}},
                            kernel_manager_class=local_kernel_manager())
    environ = dict(os.environ)
    pin_avx2()  # inherited by the kernel
    try:
        client.execute()
    except CellExecutionError as exc:
        raise GenstudyError(f"{path.relative_to(root)}: {exc.ename}: {exc.evalue} (the file was not changed)") from exc
    finally:
        restore_environ(environ)
    for cell in nb.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    nb.metadata.pop("papermill", None)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(path)
    return time.perf_counter() - start


def refresh_all(root: Path) -> Iterator[tuple[Path, float]]:
    """Refresh every ``notebooks/NN_*.ipynb`` in order, yielding (path, seconds)."""
    for path in sorted((root / NOTEBOOK_DIR).glob("[0-9][0-9]_*.ipynb")):
        yield path, refresh(path, root)
