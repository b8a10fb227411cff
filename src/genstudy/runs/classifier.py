"""Training the feature classifier of a dataset (:mod:`genstudy.metrics.classifier`): the
weights and their manifest entry that every image metric then verifies and loads."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from genstudy.data import load_images, to_tensor
from genstudy.hashing import sha256_file
from genstudy.io import save_torch, write_json
from genstudy.metrics.classifier import (
    MANIFEST,
    WEIGHTS_DIR,
    ClassifierCard,
    FeatureClassifier,
    accuracy,
    card_key,
    read_manifest,
)
from genstudy.runs.record import versions
from genstudy.training import make_deterministic, seed_everything


def train_classifier(dataset: str, *, epochs: int = 8, batch_size: int = 128, lr: float = 2e-3, seed: int = 0,
                     data_dir: str | None = None, out: Path = WEIGHTS_DIR, second: bool = False,
                     log: Any = print) -> ClassifierCard:
    """Train the classifier of ``dataset`` on its full training split; write weights and manifest entry
    (under :func:`~genstudy.metrics.classifier.card_key`: the dataset's second classifier when ``second``).

    Adam with a cosine learning-rate decay, random ±2 px shifts as the only augmentation;
    deterministic on the CPU for a given seed. Returns the card written to the manifest.
    """
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
    key = card_key(dataset, second)
    weights = out / f"{key}.pt"
    save_torch(weights, model.state_dict())
    card = ClassifierCard(
        dataset=dataset, file=weights.name, sha256=sha256_file(weights), side=side, n_classes=ds.n_classes,
        test_accuracy=round(test_accuracy, 4), epochs=epochs, seed=seed,
        train_s=round(train_s, 1),
        command=f"genstudy classifier train --dataset {dataset} --epochs {epochs} --seed {seed}"
                + (" --second" if second else ""),
        versions={k: v for k, v in versions().items() if k in ("python", "torch", "numpy", "genstudy")},
    )
    manifest = {k: asdict(v) for k, v in read_manifest(out).items()}
    manifest[key] = asdict(card)
    write_json(out / MANIFEST, dict(sorted(manifest.items())))
    return card

