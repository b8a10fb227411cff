"""Quality during training: the FD of a small fixed sample, measured at a few steps of a run.

The training loop (:func:`genstudy.training.fit`) calls a :class:`QualityProbe` at evenly spaced
steps and stores what it returns in the run's ``history.csv`` beside the cumulative training
seconds and images seen at that step, so a family's quality can be read against its compute.
The probe's own time is not training time: the loop stops the training clock while it runs.

The probe draws the same ``samples`` latent codes or chain starts at every call (one generator
re-seeded each time), so its curve moves only with the model. It is the evaluation's FD
(:mod:`genstudy.runs.evaluate`: the same classifier features, the same test reference) on fewer
samples, so its values sit above the final FD of the same model by FD's small-sample bias;
they are comparable between runs that probe the same number of samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from genstudy.metrics import classifier as clf
from genstudy.metrics.distances import frechet_distance
from genstudy.models import GenerativeModel
from genstudy.runs.evaluate import Reference

#: Training images the probe gives :meth:`~genstudy.models.base.GenerativeModel.after_training`
#: (the autoencoder's code density is refitted on them before each probe).
FIT_SIZE = 1_000


@dataclass
class QualityProbe:
    """``probe()`` → ``{"fd_probe": FD}`` of ``samples`` samples of ``model`` against ``ref``.

    ``x``: the run's prepared training tensor (its first :data:`FIT_SIZE` rows feed the model's
    ``after_training``); ``gibbs_steps``: sweeps per sample for chain samplers while probing
    (the model's own setting is restored after); ``seed``: the probe's generator. The model is
    put in eval mode (batch normalisation on its running averages) and back.
    """

    model: GenerativeModel
    ref: Reference
    x: torch.Tensor
    samples: int
    gibbs_steps: int
    seed: int

    @torch.no_grad()
    def __call__(self) -> dict[str, float]:
        model = self.model
        was_training, sweeps = model.training, model.gibbs_steps
        model.eval()
        if sweeps:
            model.gibbs_steps = self.gibbs_steps
        try:
            model.after_training(self.x[:FIT_SIZE], self.seed)
            generator = torch.Generator(device=model.device).manual_seed(self.seed)
            images = model.sample(self.samples, generator)
        finally:
            model.train(was_training)
            model.gibbs_steps = sweeps
        images = self.ref.classifier.crop(images.float().cpu())
        if not torch.isfinite(images).all():
            return {"fd_probe": math.nan}
        features, _ = clf.predict(self.ref.classifier, images.clamp(0.0, 1.0))
        return {"fd_probe": frechet_distance(self.ref.features, features)}
