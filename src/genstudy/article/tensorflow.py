"""Running TensorFlow beside torch: a quiet, tamed import, and the article's code executed.

TensorFlow is imported only inside these functions (:func:`import_tensorflow`), after its
C++ logging is silenced, with its thread pools sized like torch's and, unless asked for,
without the GPU, so that it never grabs GPU memory that torch is using. Its native (C++)
log lines that are known to be harmless, which ``TF_CPP_MIN_LOG_LEVEL`` does not reach, are
dropped by :func:`native_noise_filtered` around every function that runs TensorFlow; any
other native line still reaches stderr.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genstudy.errors import GenstudyError

#: TensorFlow's native log lines that say nothing about this study's code or results:
#: absl's notice that it logs before initialisation; oneDNN's note that its custom ops are
#: on (printed on CPUs where TF enables them, whatever TF_CPP_MIN_LOG_LEVEL says); and
#: grappler's remapper giving up on fusing the LeakyReLU of a gradient tape (it then skips
#: that optimisation pass; the graph runs unfused and correct).
NATIVE_NOISE = (
    re.compile(rb"All log messages before absl::InitializeLog\(\) is called are written to STDERR"),
    re.compile(rb"oneDNN custom operations are on"),
    re.compile(rb"meta_optimizer\.cc:\d+\] remapper failed: INVALID_ARGUMENT: Mutation::Apply error"),
)


@contextlib.contextmanager
def native_noise_filtered() -> Iterator[None]:
    """Route file descriptor 2 to a temporary file while the block (or decorated function) runs,
    then write back every line that is not in :data:`NATIVE_NOISE`. Nested uses are fine."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().splitlines(keepends=True)
                    if line.strip() and not any(p.search(line) for p in NATIVE_NOISE)]
            if kept:
                sys.stderr.write(b"".join(kept).decode(errors="replace"))
                sys.stderr.flush()


@native_noise_filtered()
def import_tensorflow(use_gpu: bool = False) -> Any:
    """Import TensorFlow quietly and tamed; return the module.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` before the import (no C++ info lines), sizes TF's
    thread pools like torch's (so the two never oversubscribe the cores), and hides the
    GPUs unless ``use_gpu`` (so TF does not reserve memory that torch is using); with a
    GPU, memory grows on demand instead of being grabbed at start.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import torch

    tf.get_logger().setLevel("ERROR")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(torch.get_num_threads())
        tf.config.threading.set_inter_op_parallelism_threads(1)
        gpus = tf.config.list_physical_devices("GPU")
        if not use_gpu:
            tf.config.set_visible_devices([], "GPU")
        else:
            for gpu in gpus:
                tf.config.experimental.set_memory_growth(gpu, True)
    except RuntimeError:
        pass  # TF was already initialised in this process; its settings stay as they were
    return tf


@contextlib.contextmanager
def recording_warnings(into: list[str]) -> Iterator[None]:
    """Collect every warning raised inside the block into ``into`` (``Category: message``), even on error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            into.extend(f"{w.category.__name__}: {w.message}" for w in caught)


@native_noise_filtered()
def execute(code: str, name: str = "<article>") -> dict[str, Any]:
    """Execute ``code`` in a fresh namespace (TensorFlow imported tamed first); return the namespace."""
    import_tensorflow()
    namespace: dict[str, Any] = {}
    exec(compile(code, name, "exec"), namespace)
    return namespace


def run_as_written(code: str, name: str = "<article>") -> tuple[Exception | None, list[str]]:
    """Execute ``code`` (its frames named ``name`` in tracebacks); return the exception it raised
    (or None) and the warnings it emitted (``Category: message``)."""
    caught: list[str] = []
    with recording_warnings(caught):
        try:
            execute(code, name)
        except Exception as exc:  # the point is to show what the article's code raises
            return exc, caught
    return None, caught


#: Terminal colour codes (Keras prints some of its messages in bold).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class ExpectedFailure:
    """An error the article's code raised where the book says it fails, kept as a result.

    ``error`` is the exception; ``lines`` the lines of the article's code it passed through
    (``line N: source``), outermost first; ``warnings`` what the code warned on the way
    (``Category: message``). Displayed, it reads as a short traceback under a marker saying
    that the error was expected, so a notebook shows it and still runs to its end, in
    Jupyter and in plain papermill alike.
    """

    error: BaseException
    lines: tuple[str, ...]
    warnings: tuple[str, ...]

    def __str__(self) -> str:
        head = [f"Expected failure, as the text says: the article's code raises {type(self.error).__name__}.",
                "Traceback (the article's lines only):"]
        text = "\n".join([*head, *(f"  {line}" for line in self.lines),
                          *traceback.format_exception_only(type(self.error), self.error)]).rstrip()
        return ANSI_ESCAPE.sub("", text)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def expect_failure(code: str, expected: type[BaseException], name: str = "<article>") -> ExpectedFailure:
    """Execute ``code``, which must raise ``expected``; return the failure as a result.

    If the code runs without error, a :class:`~genstudy.errors.GenstudyError` says so (the
    book's text would be wrong); an exception of another type propagates unchanged.
    """
    error, caught = run_as_written(code, name)
    if error is None:
        raise GenstudyError(f"the article's code ran without error, but the book says it raises "
                            f"{expected.__name__}")
    if not isinstance(error, expected):
        raise error
    source = code.splitlines()
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == name and f.lineno]
    lines = tuple(f"line {f.lineno}: {source[f.lineno - 1].strip()}" for f in frames)
    return ExpectedFailure(error, lines, tuple(caught))


@native_noise_filtered()
def define(code: str, *names: str) -> tuple[Any, ...]:
    """Execute a fixed snippet and return the objects it defines under ``names`` (Keras models)."""
    namespace = execute(code, "<fixed>")
    return tuple(namespace[n] for n in names)


def count_params(model: Any) -> int:
    """Trainable parameters of a Keras model."""
    return int(sum(np.prod(v.shape) for v in model.trainable_variables))


def save_keras_weights(network: Any, path: Path) -> Path:
    """``network.save_weights`` to ``path`` (``*.weights.h5``) through a temporary name and a rename."""
    tmp = path.with_name(f".tmp-{path.name}")
    with warnings.catch_warnings():  # Keras 3 calls np.array(tensor, copy=False) on TF variables (NumPy 2)
        warnings.filterwarnings("ignore", message=r"__array__ implementation doesn't accept a copy keyword",
                                category=DeprecationWarning)
        network.save_weights(str(tmp))
    os.replace(tmp, path)
    return path


def device_name(device: str) -> str:
    """Described like the PyTorch records (:func:`genstudy.runs.record.device_description`):
    ``cpu (N threads)`` with TF's intra-op threads, or ``cuda: <GPU name>``."""
    tf = import_tensorflow()
    if device == "cuda":
        gpus = tf.config.list_physical_devices("GPU")
        details = tf.config.experimental.get_device_details(gpus[0]) if gpus else {}
        return f"cuda: {details.get('device_name', 'GPU')}"
    import torch

    threads = tf.config.threading.get_intra_op_parallelism_threads() or torch.get_num_threads()
    return f"cpu ({threads} threads)"
