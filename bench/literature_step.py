"""The literature's slowest recipes, one training step: the book's loop against a plain PyTorch loop.

The chapter *Against the literature* spends its hours in two steps: the VAE of Burda et al. (2016)
at their mini-batch of 20 (3,000 steps an epoch), and the RBM's persistent contrastive divergence
at 100 (600 steps an epoch, 100 epochs, twice more in the DBN). Same model class, same objective,
same optimiser settings; only the loop differs:

* **reference** — a plain PyTorch loop as one would first write it: a ``DataLoader`` over a
  ``TensorDataset`` of the images (converted per batch), a fresh Bernoulli binarization per batch,
  ``zero_grad`` / ``backward`` / ``step`` through autograd (the RBM: autograd of the free-energy
  surrogate ``mean F(v_data) − mean F(v_model)``, the persistent chains advanced by the model's own
  Gibbs sweep), and ``.item()`` of the loss at every step;
* **genstudy** — :func:`genstudy.training.fit` with the family's task (``VAETask`` with Burda's
  schedule and ε; ``RBMTask`` with PCD-1: the gradient written out from the products the sampler
  already has, fused SGD, the data resident as one tensor, losses read every 50 steps).

Each loop runs one epoch of ``--images`` images, the two alternating over ``--rounds``; the median
seconds per step are compared.

    python bench/literature_step.py [--images 6000] [--rounds 3] [--device auto]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from common import interleaved, write_result

#: (row, model, batch, model options, training options): the full plan's recipes.
RECIPES = (("vae", "vae_iwae", 20, {}, {"eps": 1e-4, "lr_schedule": "burda"}),
           ("rbm", "rbm", 100, {"n_hidden": 500}, {"k": 1, "persistent": True, "lr": 0.05,
                                                   "lr_schedule": "linear"}))
TARGET = 1.2


def reference_loop(row: str, model: Any, images: np.ndarray, batch: int, device: Any) -> int:
    """One epoch, plainly; returns the number of steps."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    data = TensorDataset(torch.from_numpy(images))
    loader = DataLoader(data, batch_size=batch, shuffle=True, drop_last=True)
    steps = 0
    if row == "vae":
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-4)
        for (x,) in loader:
            x = torch.bernoulli(x.to(device).float().div(255.0).unsqueeze(1))
            optimizer.zero_grad()
            loss = -model.elbo(x).elbo.mean()
            loss.backward()
            optimizer.step()
            _ = loss.item()
            steps += 1
        return steps
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5, weight_decay=1e-4)
    chains = None
    for (x,) in loader:
        v = torch.bernoulli(x.to(device).float().div(255.0).flatten(1))
        if chains is None:
            chains = torch.bernoulli(torch.full_like(v, 0.5))
        chains, _ = model.gibbs(chains, 1)
        optimizer.zero_grad()
        loss = model.contrastive_loss(v, chains)
        loss.backward()
        optimizer.step()
        _ = loss.item()
        steps += 1
    return steps


def measure(row: str, name: str, batch: int, options: dict[str, Any], train: dict[str, Any], images: np.ndarray,
            device: Any, rounds: int) -> dict[str, Any]:
    """Seconds per step of both loops for one recipe (fresh weights for every epoch)."""
    import torch

    from genstudy.models import build
    from genstudy.training import fit, make_task

    def fresh() -> Any:
        return build(name, side=28, generator=torch.Generator().manual_seed(0), **options).to(device)

    def ours() -> None:
        task = make_task(fresh(), **train)
        fit(task, task.prepare(images, device), epochs=1, batch_size=batch, seed=0, progress=False)

    def reference() -> None:
        reference_loop(row, fresh(), images, batch, device)

    seconds = interleaved({"reference": reference, "genstudy": ours}, rounds=rounds, device=device)
    steps = len(images) // batch
    ref_step, our_step = seconds["reference"] / steps, seconds["genstudy"] / steps
    return {"recipe": f"{row}: {name}, batch {batch}", "device": device.type, "reference ms/step": 1e3 * ref_step,
            "genstudy ms/step": 1e3 * our_step, "speed-up": ref_step / our_step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=6_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    from genstudy.config import resolve_device
    from genstudy.data import load_images

    device = resolve_device(args.device)
    images = load_images("mnist").train.images[: args.images]
    rows = [measure(row, name, batch, options, train, images, device, args.rounds)
            for row, name, batch, options, train in RECIPES]
    worst = min(r["speed-up"] for r in rows)
    write_result(
        f"literature_step_{device.type}",
        title=f"The literature's recipes, one training step: genstudy's loop against a plain PyTorch loop "
              f"({device.type})",
        rows=rows, columns=["recipe", "device", "reference ms/step", "genstudy ms/step", "speed-up"],
        settings={**vars(args), "device": str(device)},
        targets=[{"what": f"Burda's VAE step and the RBM's PCD-1 step against a plain loop on {device.type} "
                          "(worst recipe)", "measured": f"{worst:.2f}x", "target": f">= {TARGET}x",
                  "met": worst >= TARGET}])


if __name__ == "__main__":
    main()
