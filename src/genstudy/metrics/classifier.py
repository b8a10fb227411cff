"""The domain classifier whose penultimate layer is the feature space of every image metric.

Inception features (FID's default) are trained on ImageNet photographs; on 28x28
grey-scale garments they are a poor yardstick and need a network download. The study
therefore trains its own small CNN per dataset, commits the weights inside the package
(``genstudy/metrics/weights/<dataset>.pt``) with their SHA-256 in ``manifest.json``,
and asserts its test accuracy in the tests. Weights are verified before every load.

Architecture (:class:`FeatureClassifier`), for 1 x S x S images in [0, 1] (S divisible by 4)::

    conv3x3(1→32) BN ReLU  maxpool2   →  32 x S/2 x S/2
    conv3x3(32→64) BN ReLU maxpool2   →  64 x S/4 x S/4
    flatten, linear(→128) ReLU         →  128 features   (:meth:`FeatureClassifier.features`)
    dropout(0.3), linear(128→K)        →  K class logits

Larger inputs are centre-cropped to S first, so the 32x32 (zero-padded) images of the
GANs are measured on exactly the pixels of the 28x28 data.

Train with ``genstudy classifier train --dataset fashion_mnist``
(:func:`genstudy.runs.classifier.train_classifier`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from genstudy.errors import GenstudyError, ParameterError
from genstudy.hashing import sha256_file
from genstudy.io import load_torch

FEATURE_DIM = 128
#: Manifest key suffix of a dataset's *second* classifier: another seed and budget of the same
#: architecture, an independent embedding that cross-checks the first one's ranking of models.
SECOND = "-second"
WEIGHTS_DIR = Path(str(resources.files("genstudy.metrics") / "weights"))
MANIFEST = "manifest.json"


class FeatureClassifier(nn.Module):
    """A small CNN over 1 x ``side`` x ``side`` images in [0, 1]; ``num_features`` = 128.

    ``forward`` returns the 128 features (so the module plugs into torchmetrics as a
    custom feature extractor); :meth:`logits` returns class logits.
    """

    def __init__(self, side: int = 28, n_classes: int = 10) -> None:
        super().__init__()
        if side % 4:
            raise ParameterError("side", side, "a multiple of 4 (28 for Fashion-MNIST and MNIST, 8 for digits)")
        self.side, self.n_classes = side, n_classes
        self.num_features = FEATURE_DIM
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * (side // 4) ** 2, FEATURE_DIM), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(FEATURE_DIM, n_classes))

    def crop(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) or (N, H, W) images → (N, 1, side, side), centre-cropped when larger."""
        if x.dim() == 3:
            x = x.unsqueeze(1)
        h, w = x.shape[-2:]
        if h < self.side or w < self.side:
            raise ParameterError("images", f"{h}x{w}", f"at least {self.side}x{self.side} for this classifier")
        top, left = (h - self.side) // 2, (w - self.side) // 2
        return x[..., top : top + self.side, left : left + self.side]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features (N, 128) of images in [0, 1]."""
        return self.body(self.crop(x).float())

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (N, K)."""
        return self.head(self.forward(x))


@dataclass(frozen=True)
class ClassifierCard:
    """What the manifest says about one committed classifier."""

    dataset: str
    file: str
    sha256: str
    side: int
    n_classes: int
    test_accuracy: float
    epochs: int
    seed: int
    train_s: float
    command: str
    versions: dict[str, str]


def read_manifest(directory: Path = WEIGHTS_DIR) -> dict[str, ClassifierCard]:
    """The committed classifiers by dataset ({} when there is no manifest)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return {}
    return {k: ClassifierCard(**v) for k, v in json.loads(path.read_text()).items()}


def card_key(dataset: str, second: bool = False) -> str:
    """The manifest key of ``dataset``'s classifier (``<dataset>-second`` for the second one)."""
    return f"{dataset}{SECOND}" if second else dataset


def load_classifier(dataset: str, device: torch.device | str = "cpu", directory: Path = WEIGHTS_DIR, *,
                    second: bool = False) -> FeatureClassifier:
    """The committed classifier of ``dataset`` (its second one when ``second``) in eval mode,
    its SHA-256 verified first."""
    cards = read_manifest(directory)
    key = card_key(dataset, second)
    if key not in cards:
        raise GenstudyError(
            f"no feature classifier {key!r} in {directory} (available: {', '.join(cards) or 'none'}); "
            f"train one with `genstudy classifier train --dataset {dataset}{' --second' if second else ''}`")
    card = cards[key]
    path = Path(directory) / card.file
    if not path.is_file():
        raise GenstudyError(f"{path}: missing classifier weights (manifest lists {card.file})")
    digest = sha256_file(path)
    if digest != card.sha256:
        raise GenstudyError(f"{path}: SHA-256 {digest} does not match the manifest's {card.sha256}")
    model = FeatureClassifier(card.side, card.n_classes)
    model.load_state_dict(load_torch(path))
    return model.to(device).eval().requires_grad_(False)


@torch.no_grad()
def predict(model: FeatureClassifier, images: torch.Tensor, batch_size: int = 1000
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Features (N, 128) and class probabilities (N, K) of images (N, 1, H, W) in [0, 1], in batches."""
    feats, probs = [], []
    device = next(model.parameters()).device
    for start in range(0, len(images), batch_size):
        f = model(images[start : start + batch_size].to(device))
        feats.append(f)
        probs.append(F.softmax(model.head(f), dim=1))
    return torch.cat(feats), torch.cat(probs)


def accuracy(model: FeatureClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``images`` whose most probable class is ``labels``."""
    _, probs = predict(model, images)
    return float((probs.argmax(1).cpu() == labels.cpu()).float().mean())
