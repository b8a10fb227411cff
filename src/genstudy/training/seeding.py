"""Seeds and determinism: the same seed, device and profile give the same numbers."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (every device) with ``seed``."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_deterministic(device: torch.device) -> None:
    """Ask torch for deterministic kernels.

    On the CPU every kernel genstudy uses is deterministic, so this is strict. On CUDA a
    few kernels (e.g. some transposed-convolution backward passes) have no deterministic
    version; there torch only warns, and results are reproducible up to those kernels.
    """
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True, warn_only=device.type != "cpu")
