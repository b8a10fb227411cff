"""Modes of Stacked MNIST captured by a sampler, counted with an MNIST classifier as in VEEGAN
(Srivastava et al. 2017) and PacGAN (Lin et al. 2018): each channel of a sample is read as a
digit, the triple names its mode (:mod:`genstudy.data.stacked`); a mode is captured when at least
one sample falls in it, and the samples' distribution over modes is compared with the data's
uniform one by KL(samples ‖ uniform), in nats (0 for a perfect spread, log 1000 ≈ 6.91 when every
sample falls in one mode)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from genstudy.data.stacked import MODES, PLACES
from genstudy.metrics import classifier as clf


@dataclass(frozen=True)
class ModeCount:
    """Samples per mode, ``counts`` (1000,)."""

    counts: np.ndarray

    @property
    def captured(self) -> int:
        """Modes with at least one sample."""
        return int((self.counts > 0).sum())

    @property
    def kl(self) -> float:
        """KL(q ‖ uniform) in nats, q the samples' shares of the modes."""
        q = self.counts[self.counts > 0] / self.counts.sum()
        return float((q * np.log(q * len(self.counts))).sum())


def count_modes(digits: np.ndarray) -> ModeCount:
    """:class:`ModeCount` of samples whose channels read as ``digits`` (N, 3), each 0..9."""
    digits = np.asarray(digits, dtype=np.int64)
    if digits.ndim != 2 or digits.shape[1] != 3 or digits.min(initial=0) < 0 or digits.max(initial=0) > 9:
        raise ValueError(f"digits must be (N, 3) integers 0..9, got shape {digits.shape}")
    return ModeCount(np.bincount((digits * PLACES).sum(1), minlength=MODES))


@torch.no_grad()
def read_digits(classifier: clf.FeatureClassifier, images: torch.Tensor) -> np.ndarray:
    """The digit the MNIST ``classifier`` reads in each channel of ``images`` (N, 3, H, W) in [0, 1]
    (centre-cropped to its side): (N, 3) integers."""
    channels = [clf.predict(classifier, classifier.crop(images[:, c:c + 1].float().cpu()))[1].argmax(1)
                for c in range(images.shape[1])]
    return torch.stack(channels, 1).numpy()
