"""Training: one task per family on one shared loop (checkpoints, resume, NaN guard)."""

from __future__ import annotations

from typing import Any

from genstudy.models import DBN, GAN, RBM, VAE, Autoencoder, GenerativeModel
from genstudy.training.loop import FitResult, fit
from genstudy.training.seeding import make_deterministic, seed_everything
from genstudy.training.tasks import AutoencoderTask, DBNTask, GANTask, RBMTask, Task, VAETask


def make_task(model: GenerativeModel, **options: Any) -> Task:
    """The training task of ``model``'s family, with optimizer ``options`` (lr, k, ...)."""
    for cls, task in ((GAN, GANTask), (VAE, VAETask), (Autoencoder, AutoencoderTask), (DBN, DBNTask), (RBM, RBMTask)):
        if isinstance(model, cls):
            return task(model, **options)
    raise TypeError(f"no training task for {type(model).__name__}")


__all__ = ["FitResult", "Task", "fit", "make_deterministic", "make_task", "seed_everything"]
