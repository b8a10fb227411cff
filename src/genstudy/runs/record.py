"""The run record: one JSON file per run, one schema for every producer.

A record lives at ``results/<profile>/<run_id>/record.json`` (2-D runs: under
``results/<profile>/toy2d/``) beside its artefacts. PyTorch training runs, the article's
TensorFlow runs, the 2-D chapter's runs and the real-data baselines all make theirs with
:func:`new_record` and store it with :func:`write_record`, which validates it first;
:func:`read_record` validates what it reads and migrates a record of an older schema.

Schema :data:`SCHEMA` (the ``schema`` field), the fields every record has:

=================  ===========================================================================
``run_id``         the run's folder name (:func:`run_id`)
``status``         ``ok`` | ``diverged`` (a result, shown as such) ; ``message`` says why
``model``          a name of :data:`genstudy.models.registry.MODELS`, a 2-D model, or ``real_data``
``family``         ``gan`` | ``vae`` | ``autoencoder`` | ``rbm`` | ``dbn`` | ``data``
``label``          the run's row name in the book's tables
``framework``      ``pytorch`` | ``tensorflow`` | ``-`` (real data)
``dataset``        an image dataset or a 2-D mixture; ``profile`` and ``seed`` as run
``device``         ``cpu`` | ``cuda``; ``device_name`` e.g. ``cpu (2 threads)``
``params_count``   trainable parameters
``config``         everything the run was made from (budget, options)
``training``       ``steps``, ``epochs``, ``final`` losses ...
``timings``        seconds: ``train_s``, ``sample_1k_s`` (median of ``sample_repeats`` warmed-up draws, PyTorch;
                   ``sample_1k_s_range`` the fastest and slowest); ``sample_gibbs_steps`` sweeps
``metrics``        scalar measurements (filled by :mod:`genstudy.runs.evaluate`)
``artifacts``      artefact name → file name in the run's folder (``weights_withheld``: a published
                   run's weights file too large to commit, :func:`~genstudy.runs.artifacts.weights_artifacts`)
``versions``       library versions; ``git_commit``; ``created`` (UTC, ISO 8601)
=================  ===========================================================================

and, once evaluated, ``evaluation`` (how the metrics were measured). Records made since the
machine was recorded also carry ``machine``: the CPU in words (:func:`genstudy.machine.describe_cpu`,
e.g. ``AMD EPYC; AVX2; kernels capped at avx2``), because ``device_name`` alone does not tell two
machines apart; a record without it was made on an unrecorded machine. Records made since the
code was recorded carry ``code``: :func:`code_digest` of its model, the digest of the code
its training and measurement run (of the models' modules, its own), which is how a chapter knows
that a run it finds (trained on a GPU, say, by ``genstudy prepare``) is the run its own code would
make (:func:`genstudy.runs.train.train_run`'s ``same_code``).

``git_commit`` is the checked-out commit, ``+dirty`` when a tracked file outside ``results/`` differs
from it: the code a run was made by, not the results a build is writing beside it.

Schema 1 (before the article's GANs were renamed) named them ``seed_gan``/``seed_gan_bn`` and
had no ``label``; 2-D records kept a display label in ``family``. :func:`migrate` turns
such a record into schema 2; a record of an unknown schema is a :class:`RecordError`.
"""

from __future__ import annotations

import functools
import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from genstudy.errors import GenstudyError
from genstudy.hashing import import_graph, models_closure, modules_digest, source_digest
from genstudy.io import write_json
from genstudy.machine import describe_cpu
from genstudy.models.registry import ALIASES, MODELS_PACKAGE, REGISTRY, SHARED_MODULES, defining_modules

SCHEMA = 2
#: The file name of a run record in its run's folder.
RUN_RECORD = "record.json"
STATUSES = ("ok", "diverged")
FAMILIES = ("gan", "vae", "autoencoder", "rbm", "dbn", "data")
FRAMEWORKS = ("pytorch", "tensorflow", "-")
#: Field → type(s) every record must carry.
FIELDS: dict[str, type | tuple[type, ...]] = {
    "schema": int, "run_id": str, "status": str, "message": str, "model": str, "family": str, "label": str,
    "framework": str, "dataset": str, "profile": str, "seed": int, "device": str, "device_name": str,
    "params_count": int, "config": dict, "training": dict, "timings": dict, "metrics": dict, "artifacts": dict,
    "versions": dict, "git_commit": (str, type(None)), "created": str,
}


class RecordError(GenstudyError):
    """A run record that does not follow the schema (missing field, wrong type, unknown value)."""


def run_id(model: str, dataset: str, seed: int, framework: str = "pytorch") -> str:
    """The folder name of a run: ``<model>-<dataset>-seed<seed>``, suffixed ``-<framework>`` unless PyTorch."""
    base = f"{model}-{dataset}-seed{seed}"
    return base if framework == "pytorch" else f"{base}-{framework}"


def run_dir(root: Path, profile: str, rid: str) -> Path:
    """``root/<profile>/<rid>``: the folder of one run."""
    return Path(root) / profile / rid


def versions(*extra: str) -> dict[str, str]:
    """Versions of Python, the platform and the libraries that shape the numbers (and of the
    modules named in ``extra``, e.g. ``"tensorflow"``)."""
    import numpy

    from genstudy import __version__

    out = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "genstudy": __version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }
    for name in extra:
        module = __import__(name)
        out[name] = getattr(module, "__version__", "?")
    return out


#: Where a run's training starts: the modules a PyTorch run's code digest follows from.
TRAINING_ENTRY = frozenset({"genstudy.runs.train"})
#: Modules of settings, data only, that a run's code digest leaves out: a run keeps every setting its numbers
#: depend on in its record, compared there (its training ``config``; its evaluation settings,
#: :func:`genstudy.runs.evaluate.settings`), so a change of one model's budget retrains that model alone.
SETTINGS_MODULES = frozenset({"genstudy.profiles"})


@functools.cache
def code_digest(model: str | None = None) -> str:
    """16 hex digits that change with any edit of a file that can change a number of a run of
    ``model``: the bytes of the modules its training and measurement run (:data:`TRAINING_ENTRY` and,
    through the package's import graph, what it imports; of the models' modules only ``model``'s,
    :func:`genstudy.hashing.models_closure`) and of the package's data files, less the settings
    (:data:`SETTINGS_MODULES`, compared through the record). So an edit to a report rule, a plot, another
    model or another model's budget leaves it as it was. Without a model, or for a name the registry does
    not know, over every result-shaping file (:func:`~genstudy.hashing.source_digest`). Bytes, not
    syntax trees, so a GPU machine's Python 3.12 and this project's 3.11 agree. Computed once per
    process and model."""
    import genstudy

    return run_code_digest(Path(genstudy.__file__).parent, model)


def run_code_digest(root: Path, model: str | None) -> str:
    """:func:`code_digest` of the package folder ``root`` (a copy of genstudy, say), computed afresh."""
    if model is None or model not in REGISTRY:
        return source_digest(root)
    modules = models_closure(import_graph(root), set(TRAINING_ENTRY), MODELS_PACKAGE, SHARED_MODULES,
                             defining_modules([model]))
    return modules_digest(root, modules - SETTINGS_MODULES)


def device_description(device: torch.device) -> str:
    """``"cpu (2 threads)"`` or the GPU's name, e.g. ``"cuda: NVIDIA H100 80GB HBM3"``."""
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    return f"cpu ({torch.get_num_threads()} threads)"


#: What :func:`git_commit` compares with the commit: every tracked file but the results, which a
#: build writes while it runs (a refresh of committed results would otherwise stamp its own runs dirty).
DIRTY_PATHSPEC = (":(top)", ":(top,exclude)results")


def git_commit(root: Path | None = None) -> str | None:
    """The checked-out commit, suffixed ``+dirty`` when a tracked file outside ``results/`` has
    uncommitted changes (:data:`DIRTY_PATHSPEC`); None outside git. ``root``: a folder of the
    working tree (default: the working directory)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *DIRTY_PATHSPEC],
                               cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def short_commit(commit: object) -> str:
    """A record's ``git_commit`` as its first 7 hex digits (``+dirty`` kept), or ``unknown``."""
    if not isinstance(commit, str) or not commit:
        return "unknown"
    return commit[:7] + ("+dirty" if commit.endswith("+dirty") else "")


def now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def table_label(model: str, framework: str, family: str) -> str:
    """A run's row name in the book's tables: the model, ``real data (train vs test)`` for the
    real-data baseline, suffixed `` (TF)`` for TensorFlow runs."""
    label = "real data (train vs test)" if family == "data" else model
    return label + (" (TF)" if framework == "tensorflow" else "")


def new_record(*, model: str, family: str, framework: str, dataset: str, profile: str, seed: int,
               device: str, device_name: str, params_count: int, config: dict[str, Any],
               rid: str | None = None, status: str = "ok", message: str = "", label: str | None = None,
               training: dict[str, Any] | None = None, timings: dict[str, Any] | None = None,
               metrics: dict[str, Any] | None = None, artifacts: dict[str, str] | None = None,
               extra_versions: tuple[str, ...] = ()) -> dict[str, Any]:
    """A validated record of the current schema, with versions, git commit, creation time and
    the machine filled in. ``rid`` defaults to :func:`run_id`; ``label`` to :func:`table_label`."""
    record = {
        "schema": SCHEMA, "run_id": rid or run_id(model, dataset, seed, framework), "status": status,
        "message": message, "model": model, "family": family,
        "label": label or table_label(model, framework, family), "framework": framework, "dataset": dataset,
        "profile": profile, "seed": seed, "device": device, "device_name": device_name,
        "params_count": params_count, "config": config, "training": training or {}, "timings": timings or {},
        "metrics": metrics or {}, "artifacts": artifacts or {}, "versions": versions(*extra_versions),
        "git_commit": git_commit(), "created": now(), "machine": describe_cpu(),
        "code": code_digest(ALIASES.get(model, model)),
    }
    return validate(record)


def validate(record: dict[str, Any], where: str = "record") -> dict[str, Any]:
    """``record`` unchanged when it follows the current schema, else a :class:`RecordError`
    naming the first field at fault."""
    if record.get("schema") != SCHEMA:
        raise RecordError(f"{where}: schema {record.get('schema')!r}, expected {SCHEMA}")
    for name, kind in FIELDS.items():
        if name not in record:
            raise RecordError(f"{where}: missing field {name!r}")
        value = record[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise RecordError(f"{where}: field {name!r} is {type(value).__name__}, expected {expected}")
    for name, allowed in (("status", STATUSES), ("family", FAMILIES), ("framework", FRAMEWORKS)):
        if record[name] not in allowed:
            raise RecordError(f"{where}: {name}={record[name]!r}; allowed: {', '.join(allowed)}")
    return record


#: 2-D display labels that schema-1 records kept in ``family``, and the family they stand for.
_TOY_FAMILIES = {"GAN": "gan", "VAE": "vae", "GB-RBM": "rbm"}


def migrate(record: dict[str, Any], where: str = "record") -> dict[str, Any]:
    """A record of schema 1 as schema 2 (former model names replaced, ``label`` added, a 2-D
    record's display label moved from ``family`` to ``label``); a current one unchanged."""
    schema = record.get("schema")
    if schema == SCHEMA:
        return record
    if schema != 1:
        raise RecordError(f"{where}: schema {schema!r} is not one this genstudy reads (1 or {SCHEMA}); "
                          "re-run it with this version")
    out = dict(record, schema=SCHEMA)
    if "mixture" in out:  # a 2-D run: no image dataset, no framework, device or size fields
        out.setdefault("dataset", out["mixture"])
        for name, default in (("run_id", f"{out['model']}-{out['mixture']}-seed{out['seed']}"), ("status", "ok"),
                              ("framework", "pytorch"), ("device", "cpu"), ("device_name", "cpu"),
                              ("params_count", 0), ("config", {})):
            out.setdefault(name, default)
    out["model"] = ALIASES.get(out["model"], out["model"])
    if isinstance(out.get("config"), dict) and "model" in out["config"]:
        out["config"] = {**out["config"], "model": ALIASES.get(out["config"]["model"], out["config"]["model"])}
    family = out.get("family", "")
    if family not in FAMILIES:  # a 2-D run: family held its display label
        out["label"] = family
        out["family"] = next((f for prefix, f in _TOY_FAMILIES.items() if family.startswith(prefix)), "gan")
    out.setdefault("label", table_label(out["model"], out.get("framework", "pytorch"), out["family"]))
    for name, default in (("message", ""), ("training", {}), ("timings", {}), ("metrics", {}),
                          ("artifacts", {}), ("git_commit", None), ("created", "")):
        out.setdefault(name, default)
    return out


def write_record(directory: Path, record: dict[str, Any]) -> Path:
    """Validate ``record`` and write it to ``directory/record.json`` atomically."""
    return write_json(Path(directory) / RUN_RECORD, validate(record, str(Path(directory) / RUN_RECORD)))


def read_record(directory: Path) -> dict[str, Any] | None:
    """The record in ``directory`` (migrated to the current schema and validated), or None when
    there is none."""
    path = Path(directory) / RUN_RECORD
    if not path.is_file():
        return None
    return validate(migrate(json.loads(path.read_text()), str(path)), str(path))


def load_records(root: Path, profile: str | None = None) -> list[dict[str, Any]]:
    """Every image run's record under ``root`` (of one ``profile`` if given), sorted by folder,
    each with ``dir``, its folder."""
    pattern = f"{profile}/*/{RUN_RECORD}" if profile else f"*/*/{RUN_RECORD}"
    out = []
    for path in sorted(Path(root).glob(pattern)):
        record = read_record(path.parent)
        if record is not None:
            out.append({**record, "dir": str(path.parent)})
    return out
