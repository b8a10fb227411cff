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

Train with ``genstudy classifier train --dataset fashion_mnist`` (:func:`train_classifier`).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from genstudy.errors import GenstudyError, ParameterError

FEATURE_DIM = 128
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


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(directory: Path = WEIGHTS_DIR) -> dict[str, ClassifierCard]:
    """The committed classifiers by dataset ({} when there is no manifest)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return {}
    return {k: ClassifierCard(**v) for k, v in json.loads(path.read_text()).items()}


def load_classifier(dataset: str, device: torch.device | str = "cpu", directory: Path = WEIGHTS_DIR
                    ) -> FeatureClassifier:
    """The committed classifier of ``dataset`` in eval mode, its SHA-256 verified first."""
    cards = read_manifest(directory)
    if dataset not in cards:
        raise GenstudyError(
            f"no feature classifier for dataset {dataset!r} in {directory} (available: {', '.join(cards) or 'none'}); "
            f"train one with `genstudy classifier train --dataset {dataset}`")
    card = cards[dataset]
    path = Path(directory) / card.file
    if not path.is_file():
        raise GenstudyError(f"{path}: missing classifier weights (manifest lists {card.file})")
    digest = sha256(path)
    if digest != card.sha256:
        raise GenstudyError(f"{path}: SHA-256 {digest} does not match the manifest's {card.sha256}")
    model = FeatureClassifier(card.side, card.n_classes)
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
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


def train_classifier(dataset: str, *, epochs: int = 8, batch_size: int = 128, lr: float = 2e-3, seed: int = 0,
                     data_dir: str | None = None, out: Path = WEIGHTS_DIR, log: Any = print) -> ClassifierCard:
    """Train the classifier of ``dataset`` on its full training split; write weights and manifest entry.

    Adam with a cosine learning-rate decay, random ±2 px shifts as the only augmentation;
    deterministic on the CPU for a given seed. Returns the card written to the manifest.
    """
    from genstudy.data import load_images, to_tensor
    from genstudy.io import save_torch, write_json
    from genstudy.results import versions
    from genstudy.training import make_deterministic, seed_everything

    ds = load_images(dataset, data_dir)
    seed_everything(seed)
    make_deterministic(torch.device("cpu"))
    side = ds.image_shape[0]
    x, y = to_tensor(ds.train.images), torch.from_numpy(ds.train.labels)
    x_test, y_test = to_tensor(ds.test.images), torch.from_numpy(ds.test.labels)
    model = FeatureClassifier(side, ds.n_classes)
    steps_per_epoch = len(x) // batch_size
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    g = torch.Generator().manual_seed(seed)
    shift = max(1, side // 14)
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        for i in range(steps_per_epoch):
            idx = order[i * batch_size : (i + 1) * batch_size]
            dx, dy = torch.randint(-shift, shift + 1, (2,), generator=g).tolist()
            batch = torch.roll(x[idx], shifts=(dx, dy), dims=(2, 3))
            loss = F.cross_entropy(model.logits(batch), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        test_accuracy = accuracy(model, x_test, y_test)
        log(f"[genstudy] classifier {dataset}: epoch {epoch + 1}/{epochs}, test accuracy "
            f"{test_accuracy:.4f} ({time.perf_counter() - start:.0f} s)")
    train_s = time.perf_counter() - start
    out = Path(out)
    weights = out / f"{dataset}.pt"
    save_torch(weights, model.state_dict())
    card = ClassifierCard(
        dataset=dataset, file=weights.name, sha256=sha256(weights), side=side, n_classes=ds.n_classes,
        test_accuracy=round(test_accuracy, 4), epochs=epochs, seed=seed,
        train_s=round(train_s, 1),
        command=f"genstudy classifier train --dataset {dataset} --epochs {epochs} --seed {seed}",
        versions={k: v for k, v in versions().items() if k in ("python", "torch", "numpy", "genstudy")},
    )
    manifest = {k: asdict(v) for k, v in read_manifest(out).items()}
    manifest[dataset] = asdict(card)
    write_json(out / MANIFEST, dict(sorted(manifest.items())))
    return card

