"""Training: one task per family on one shared loop (checkpoints, resume, NaN guard)."""

from __future__ import annotations

from typing import Any

from genstudy.models import DBN, GAN, RBM, VAE, Autoencoder, GenerativeModel
from genstudy.training.loop import FitResult, fit
from genstudy.training.seeding import make_deterministic, seed_everything
from genstudy.training.tasks import AutoencoderTask, DBNTask, GANTask, RBMTask, Task, VAETask

#: Each model class with its training task; a subclass comes before its base.
_TASKS: tuple[tuple[type[GenerativeModel], type[Task]], ...] = (
    (GAN, GANTask), (VAE, VAETask), (Autoencoder, AutoencoderTask), (DBN, DBNTask), (RBM, RBMTask))


def make_task(model: GenerativeModel, **options: Any) -> Task:
    """The training task of ``model``'s family, with optimizer ``options`` (lr, k, ...)."""
    for cls, task in _TASKS:
        if isinstance(model, cls):
            return task(model, **options)
    raise TypeError(f"no training task for {type(model).__name__}")


def task_class(family: str) -> type[Task]:
    """The task class that trains the image models of ``family`` (``gan``, ``vae``, ...), without
    building a model; a :class:`KeyError` names the families there are."""
    for cls, task in _TASKS:
        if cls.family == family:
            return task
    raise KeyError(f"no training task for family {family!r}; there are: {', '.join(c.family for c, _ in _TASKS)}")


__all__ = ["FitResult", "Task", "fit", "make_deterministic", "make_task", "seed_everything", "task_class"]
