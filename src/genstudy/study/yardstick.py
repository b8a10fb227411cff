"""Is the yardstick sound? Probes with known answers, and a second embedding.

Every image metric looks at images through the project's own classifier. Three checks say
whether that view can be trusted:

* :func:`collapse_probe`: samples that are only a few training images per class (every class
  present, variety within a class gone) must score clearly worse than real data on recall,
  coverage and FD; a yardstick blind to within-class collapse would pass them.
* :func:`memorisation_probe`: training images returned as samples must be flagged by the
  memorisation measure (:mod:`genstudy.metrics.memorisation`), and fresh held-out images not.
* :func:`embedding_agreement`: the models' ranking by FD in the classifier's features against
  their ranking in a second, independently trained classifier's (``fd_second``), as
  Kendall's τ (1: the same order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy.stats import kendalltau

from genstudy.data import balanced_subset, load_images, to_tensor
from genstudy.metrics.memorisation import memorisation
from genstudy.runs.evaluate import Reference, image_metrics

PROBE_SEED = 10_005
#: The metrics the probes report.
PROBE_METRICS = ("fd", "recall", "coverage", "precision", "classes_covered")


def collapse_probe(ref: Reference, per_class: int = 2, data_dir: str | None = None) -> pd.DataFrame:
    """Image metrics of real training images (the baseline) and of ``per_class`` training images
    per class repeated to the same number of samples. Rows: ``real data``, ``N per class``."""
    ds = load_images(ref.dataset, data_dir)
    picked = to_tensor(ds.train.images[balanced_subset(ds.train.labels, per_class * ds.n_classes, PROBE_SEED)])
    repeats = -(-len(ref.train) // len(picked))
    collapsed = picked.repeat(repeats, 1, 1, 1)[: len(ref.train)]
    rows = {"real data": image_metrics(ref.train, ref)[0],
            f"{per_class} images per class": image_metrics(collapsed, ref)[0]}
    return pd.DataFrame(rows).T[list(PROBE_METRICS)]


def memorisation_probe(ref: Reference, data_dir: str | None = None) -> pd.DataFrame:
    """The memorisation measures of training images returned as samples, and of held-out test
    images (the control), against a training set. Rows: ``training images``, ``held-out images``."""
    ds = load_images(ref.dataset, data_dir)
    n = len(ref.train)
    train = to_tensor(ds.train.images[balanced_subset(ds.train.labels, 2 * n, PROBE_SEED)])
    held_out = to_tensor(ds.test.images[balanced_subset(ds.test.labels, min(n, len(ds.test)), PROBE_SEED)])
    test = ref.test
    g = torch.Generator().manual_seed(PROBE_SEED)
    returned = train[torch.randperm(len(train), generator=g)[:n]]
    rows = {}
    for name, samples in (("training images", returned), ("held-out images", held_out)):
        m = memorisation(samples, train, test)
        rows[name] = {"NN-distance ratio": m.nn_ratio, "copies": m.copies}
    return pd.DataFrame(rows).T


def embedding_agreement(frame: pd.DataFrame) -> tuple[float | None, pd.DataFrame]:
    """Kendall's τ between the models' mean FD in the two embeddings (None with fewer than 3
    models), and the table it comes from (label, FD, FD in the second embedding, both ranks)."""
    ok = frame[(frame["status"] == "ok") & (frame["family"] != "data")].dropna(subset=["fd", "fd_second"])
    table = ok.groupby("label", sort=False)[["fd", "fd_second"]].mean()
    table["rank"] = table["fd"].rank().astype(int)
    table["rank, 2nd embedding"] = table["fd_second"].rank().astype(int)
    if len(table) < 3:
        return None, table
    tau = kendalltau(table["fd"], table["fd_second"]).statistic
    return (float(tau) if np.isfinite(tau) else None), table
