"""Long runs that show where each model's quality curve flattens: the evidence a profile's
budgets are chosen by.

:func:`long_run` trains the profile's configuration of a model for ``epochs`` epochs with one
quality probe at the end of every epoch, in ``<out>/<profile>/<model>-e<epochs>-<dataset>-seed<seed>/``
(``out`` defaults to ``results/budgets``, apart from the book's runs; a finished run is reused).
Nothing in a model's training depends on the number of epochs it was given: the learning rates
are constant, each epoch's shuffle is seeded by ``(seed, epoch)``, and the probes draw from their
own generator and leave the model as they found it. So the first *E* epochs of the long run are
the run the profile would make with a budget of *E* epochs, and its curve up to epoch *E* is
that run's curve: one long run answers for every shorter budget
(:func:`genstudy.study.flatness.by_budget` reads it). The DBN is the exception: its epochs are per
layer, so a shorter budget trains every layer for less and is not a prefix of a longer one. Its
"long run" is the run at exactly ``epochs`` per layer, probed ``epochs`` times over its whole
training, and answers for that budget only (:func:`genstudy.study.flatness.budget_summary`); runs
at several budgets show where its curve flattens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from genstudy.config import RunParams
from genstudy.models.registry import canonical_name
from genstudy.paths import BUDGETS_DIR
from genstudy.runs.record import run_id
from genstudy.runs.train import TrainedRun, train_run

#: Probes of a long run of the likelihood (each an AIS or IWAE estimate on the probe's held-out images):
#: evenly spaced over its training, fewer than an FD run's one an epoch.
LIKELIHOOD_PROBES = 10


def long_run(model: str, *, profile: str, epochs: int, seed: int = 0, dataset: str = "fashion_mnist",
             device: str = "auto", data_dir: str | None = None, out: Path | str = BUDGETS_DIR,
             probe: str = "fd", log: Callable[[str], None] = print) -> TrainedRun:
    """Train (or reuse) ``model`` on ``profile``'s configuration for ``epochs`` epochs (per layer for
    a DBN), its ``probe`` (:data:`genstudy.runs.train.PROBE_QUANTITIES`) ``fd`` probed ``epochs`` times
    (once an epoch where epochs are not per layer; run ``<model>-e<epochs>-...``), ``likelihood`` (the
    family's log-likelihood, column ``ll_probe``) :data:`LIKELIHOOD_PROBES` times (run
    ``<model>-e<epochs>-ll-...``); its record's ``history.csv`` holds the curve."""
    model = canonical_name(model)
    params = RunParams(model=model, dataset=dataset, profile=profile, seed=seed, epochs=epochs, device=device,
                       data_dir=data_dir)
    name = run_id(f"{model}-e{epochs}" + ("-ll" if probe == "likelihood" else ""), dataset, seed)
    probes = LIKELIHOOD_PROBES if probe == "likelihood" else epochs
    return train_run(params, out, name=name, probes=probes, sampling_repeats=1, need_model=False,
                     probe_quantity=probe, log=log)
