"""The PyTorch port's time per training step, measured beside the TensorFlow run it is compared with."""

from __future__ import annotations

import time

import numpy as np
import torch

from genstudy.models import build
from genstudy.training import make_task


def time_pytorch_port(images: np.ndarray, *, batch_size: int, steps: int, seed: int, model: str = "article_gan"
                      ) -> float:
    """Median seconds per training step of the PyTorch port of the same GAN (``model``), same batch,
    this machine.

    ``images``: (N, 1, 32, 32) float32 in [-1, 1]. The first step (warm-up) is excluded.
    """
    torch.manual_seed(seed)
    task = make_task(build(model))
    x = torch.from_numpy(images)
    g = torch.Generator().manual_seed(seed)
    times = []
    for i in range(steps + 1):
        batch = x[(i * batch_size) % (len(x) - batch_size):][:batch_size]
        start = time.perf_counter()
        task.step(batch, 0, g)
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))
