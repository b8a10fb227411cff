"""Where notebook executions run: in this process one after another, or on a Dask cluster.

Both engines run the same function, :func:`execute_job`, which executes one notebook with
papermill into its run folder (``results/<profile>/executions/<execution_id>/``) and returns the
execution record; it never raises for a failing notebook, so one failure never stops a grid.

* :class:`InProcessEngine` (the default of ``make book``): one task after another.
* :class:`DaskEngine`: tasks are submitted to a Dask ``distributed`` client, either a
  ``LocalCluster`` of worker processes on this machine (``--workers N``) or an existing
  cluster (``--scheduler tcp://HOST:PORT``; every worker must see the project and its
  ``results/`` folder at the same path, e.g. on a shared file system). Tasks that need a GPU
  ask for the worker resource ``GPU=1`` (start such workers with ``--resources GPU=1``). A
  worker that dies (killed, out of memory) fails its task as ``worker lost``; the rest of
  the grid goes on.

The kernel's CPU threads are set explicitly (``OMP_NUM_THREADS``/``MKL_NUM_THREADS``):
Dask's nanny sets them to 1 in its workers, which would silently change torch's reductions
and therefore the numbers. With the same threads, both engines produce the same records. The kernel's instruction set
is capped at AVX2 (:mod:`genstudy.site.isa`), so the numbers do not depend on whether the
machine has AVX-512 either; a smoke kernel's MKL computes the same bits on Intel and AMD CPUs.
The nanny also writes its variables into the environment of the process that starts it
(and ``PYTHONHASHSEED`` at every worker spawn); the Dask engine starts its LocalCluster with
none and restores this process's environment when it is done, so nothing leaks into later
kernels.
"""

from __future__ import annotations

import functools
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from genstudy.machine import describe_cpu
from genstudy.runs import executions
from genstudy.runs.record import now
from genstudy.site.images import compact_notebook_images
from genstudy.site.isa import EXACT_PROFILE, EXACT_THREADS, pin_avx2

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
KERNEL = "python3"
#: The notebook papermill writes while it runs, in the run's folder.
PARTIAL = ".notebook.partial.ipynb"


@functools.cache
def local_kernel_manager() -> type:
    """The kernel manager every notebook runs under: jupyter_client's, with the kernel reached over
    local IPC sockets instead of TCP. The kernel always runs on this machine; over TCP, ipykernel
    warns once per kernel that its traffic is unencrypted, a line per notebook in every build.

    The sockets get an absolute path in Jupyter's runtime folder (private to the user): the
    default, ``kernel-ipc-<port>``, is relative, so a kernel started in another working
    directory (a notebook's folder) would listen where its client never looks. The class is made
    once per process (jupyter_client is imported only when a notebook runs); each instance gets
    its own socket path."""
    import uuid

    from jupyter_client import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
            ip = str(runtime / f"genstudy-{uuid.uuid4().hex[:12]}-ipc")
            super().__init__(**{"transport": "ipc", "ip": ip, **kwargs})

    return LocalKernelManager


def default_threads(profile: str | None = None) -> int:
    """CPU threads a kernel uses: :data:`~genstudy.site.isa.EXACT_THREADS` for the profile whose outputs
    are compared with stored ones (its numbers must not depend on the machine's cores), else
    ``$GENSTUDY_THREADS``, else the CPUs this process may run on."""
    if profile == EXACT_PROFILE:
        return EXACT_THREADS
    env = os.environ.get("GENSTUDY_THREADS")
    if env:
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Job:
    """One notebook execution, in plain data (it travels to Dask workers).

    ``source``: the notebook; ``directory``: its run folder; ``root``: the project (the
    kernel's working directory); ``record``: the execution record's fields known before it
    runs (run id, notebook, parameters, key...); ``gpu``: it needs a GPU worker.
    """

    execution_id: str
    source: str
    directory: str
    root: str
    parameters: dict[str, Any]
    threads: int
    gpu: bool = False
    record: dict[str, Any] = field(default_factory=dict)


def _error_lines(notebook: Path) -> list[tuple[int | None, str, str]]:
    """(execution count, name, message) of error outputs in cells not tagged ``raises-exception``."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return [(cell.get("execution_count"), out.ename, out.evalue) for cell in nb.cells
            if "raises-exception" not in cell.metadata.get("tags", [])
            for out in cell.get("outputs", []) if out.output_type == "error"]


def drop_papermill_error_banners(notebook: Path) -> None:
    """Remove the "An Exception was encountered" cells papermill adds, in place."""
    import nbformat
    from papermill.execute import ERROR_MARKER_TAG

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.metadata.get("tags", [])]
    nbformat.write(nb, notebook)


def restore_environ(saved: dict[str, str]) -> None:
    """Make ``os.environ`` equal to ``saved`` again (remove added names, reset changed ones)."""
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def _keep_failed_notebook(directory: Path) -> str | None:
    """Rename a run's partial notebook, if there is one, to the failed notebook; return its name."""
    partial = directory / PARTIAL
    if not partial.exists():
        return None
    partial.replace(directory / executions.FAILED_NOTEBOOK)
    return executions.FAILED_NOTEBOOK


def execute_job(task: Job) -> dict[str, Any]:
    """Execute ``task``'s notebook with papermill; return its execution record (never raises
    for a failing notebook).

    The notebook is written to ``.notebook.partial.ipynb`` while it runs and renamed to
    ``notebook.ipynb`` when it ran to the end (an error in a cell tagged ``raises-exception``
    is expected, and papermill's error banner is then removed), else to
    ``notebook.failed.ipynb``, kept for inspection, with the error in the record.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    directory = Path(task.directory)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / PARTIAL
    for stale in (executions.NOTEBOOK, executions.FAILED_NOTEBOOK):
        (directory / stale).unlink(missing_ok=True)
    record = {**task.record, "started": now(), "host": socket.gethostname(), "pid": os.getpid()}
    start = time.perf_counter()
    environ = dict(os.environ)
    os.environ.update({name: str(task.threads) for name in THREAD_VARIABLES})  # inherited by the kernel
    # and so are these: the same numbers on an AVX-512 machine as on an AVX2 one, and for the profile whose
    # outputs are compared with stored ones, on an Intel CPU as on an AMD one (genstudy.site.isa)
    pin_avx2(exact=task.parameters.get("profile") == EXACT_PROFILE)
    record["machine"] = describe_cpu()  # the machine the seconds were measured on (as a run record names it)
    error: str | None = None
    try:
        papermill.execute_notebook(task.source, str(partial), parameters=task.parameters, kernel_name=KERNEL,
                                   cwd=task.root, progress_bar=False, report_mode=False,
                                   kernel_manager_class=local_kernel_manager())
    except PapermillExecutionError as exc:
        unexpected = _error_lines(partial) if partial.exists() else [(exc.exec_count, exc.ename, exc.evalue)]
        if unexpected:
            count, name, message = unexpected[0]
            error = f"cell {count} raised {name}: {message}"
        else:
            drop_papermill_error_banners(partial)
    except Exception as exc:  # a kernel that died, a notebook that cannot be read...
        error = f"{type(exc).__name__}: {exc}".strip()
        record["traceback"] = traceback.format_exc(limit=5)
    finally:
        restore_environ(environ)
    seconds = round(time.perf_counter() - start, 2)
    if error is None:
        compact_notebook_images(partial)  # the same pixels, fewer bytes to commit
        partial.replace(directory / executions.NOTEBOOK)
        record.update(status="ok", error=None, notebook_file=executions.NOTEBOOK)
    else:
        record.update(status="failed", error=error, notebook_file=_keep_failed_notebook(directory))
    record.update(seconds=seconds, finished=now())
    return record


def lost_worker_record(task: Job, exc: BaseException) -> dict[str, Any]:
    """The record of a task whose worker died before it could report (the kernel's partial
    notebook, if any, is kept as the failed notebook)."""
    return {**task.record, "status": "failed", "error": f"worker lost: {type(exc).__name__}: {exc}",
            "notebook_file": _keep_failed_notebook(Path(task.directory)), "seconds": None, "finished": now()}


class Engine(Protocol):
    """Runs tasks and yields each one's execution record as it finishes (any order)."""

    name: str

    def run(self, tasks: list[Job]) -> Iterator[dict[str, Any]]: ...


class InProcessEngine:
    """One task after another in this process (kernels are still separate processes)."""

    name = "in-process"

    def run(self, tasks: list[Job]) -> Iterator[dict[str, Any]]:
        for task in tasks:
            yield execute_job(task)


class DaskEngine:
    """Tasks on a Dask distributed cluster: a ``LocalCluster`` of ``workers`` processes (one
    thread each) started here, or the scheduler at ``address``.

    A LocalCluster lets a task be retried on ``allowed_failures`` other workers after its
    worker died, then fails it. A finished task's result is released as soon as it is read, so a
    worker that dies later reruns nothing.
    """

    def __init__(self, *, workers: int | None = None, address: str | None = None, allowed_failures: int = 1,
                 gpus_per_worker: int = 0) -> None:
        if (workers is None) == (address is None):
            raise ValueError("give exactly one of workers, address")
        self.workers, self.address = workers, address
        self.allowed_failures, self.gpus_per_worker = allowed_failures, gpus_per_worker
        self.name = f"dask ({address})" if address else f"dask LocalCluster ({workers} workers)"

    def _client(self) -> tuple[Any, Callable[[], None]]:
        import dask
        from distributed import Client, LocalCluster

        if self.address is not None:
            client = Client(self.address)
            return client, client.close
        with dask.config.set({"distributed.scheduler.allowed-failures": self.allowed_failures,
                              "distributed.worker.daemon": False, "distributed.nanny.pre-spawn-environ": {}}):
            resources = {"GPU": self.gpus_per_worker} if self.gpus_per_worker else None
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, resources=resources, silence_logs=40)
            client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()
        return client, close

    def run(self, tasks: list[Job]) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        if not tasks:
            return
        environ = dict(os.environ)
        client, close = self._client()
        try:
            futures, by_key = [], {}
            for task in tasks:
                future = client.submit(execute_job, task, key=f"genstudy-{task.execution_id}-{time.time_ns()}",
                                       pure=False, resources={"GPU": 1} if task.gpu else None)
                futures.append(future)
                by_key[future.key] = task
            for future in as_completed(futures):
                task = by_key[future.key]
                try:
                    record = future.result()
                except Exception as exc:  # KilledWorker, a worker that ran out of memory...
                    record = lost_worker_record(task, exc)
                # Let go of the result: a result still held is recomputed when its worker dies
                # later, and that rerun (stopped when the cluster closes) would undo its notebook.
                future.release()
                yield record
        finally:
            close()
            restore_environ(environ)

