"""DCGAN and VAE training step time: the book's loop against the canonical PyTorch-examples loop.

Same model classes, same losses, same optimizers and batch size; only the loop differs.

* **reference** — written the way ``pytorch/examples`` (``dcgan/main.py``, ``vae/main.py``)
  write it: a ``Dataset`` that converts one image at a time (to float, normalised, padded
  for the GAN), a ``DataLoader`` that collates and shuffles, a host-to-device copy per
  batch, and ``.item()`` on the losses at every step (the examples print or sum them).
* **genstudy** — :func:`genstudy.training.fit` with the family's task: the whole training
  set converted once and resident on the device, batches indexed there, losses read only
  every 50 steps.

Each loop runs one epoch of ``--images`` images, the two alternating over ``--rounds``;
the median seconds per step are compared. On a GPU the reference uses the examples'
``pin_memory=True`` and one loader worker.

    python bench/step_time.py [--images 3200] [--rounds 3] [--device auto]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from common import interleaved, write_result

#: (model, batch size): the quick profile's architecture and batch of each.
MODELS = (("dcgan", 64), ("vae_conv", 128), ("vae_mlp", 128))
TARGET_CPU, TARGET_GPU = 1.3, 3.0


def reference_loop(model_name: str, model: Any, images: np.ndarray, batch: int, device: Any) -> int:
    """One epoch the pytorch/examples way; returns the number of steps."""
    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, Dataset

    gan = model_name == "dcgan"

    class Images(Dataset):
        def __len__(self) -> int:
            return len(images)

        def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
            x = torch.from_numpy(images[i]).float().div(255.0).unsqueeze(0)  # ToTensor
            if gan:
                x = F.pad((x - 0.5) / 0.5, (2, 2, 2, 2), value=-1.0)  # Normalize((0.5,), (0.5,)) + pad to 32
            return x, 0

    cuda = torch.device(device).type == "cuda"
    loader = DataLoader(Images(), batch_size=batch, shuffle=True, drop_last=True,
                        num_workers=1 if cuda else 0, pin_memory=cuda)
    steps = 0
    if gan:
        G, D = model.generator, model.discriminator
        opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        criterion = torch.nn.BCEWithLogitsLoss()
        for real, _ in loader:
            real = real.to(device)
            n = real.shape[0]
            D.zero_grad()
            label = torch.full((n,), 1.0, device=device)
            output = D(real)
            err_real = criterion(output, label)
            err_real.backward()
            d_x = output.sigmoid().mean().item()
            fake = G(torch.randn(n, model.latent_dim, device=device))
            label.fill_(0.0)
            output = D(fake.detach())
            err_fake = criterion(output, label)
            err_fake.backward()
            d_g_z1 = output.sigmoid().mean().item()
            opt_d.step()
            G.zero_grad()
            label.fill_(1.0)
            output = D(fake)
            err_g = criterion(output, label)
            err_g.backward()
            d_g_z2 = output.sigmoid().mean().item()
            opt_g.step()
            _ = f"Loss_D: {(err_real + err_fake).item():.4f} Loss_G: {err_g.item():.4f} " \
                f"D(x): {d_x:.4f} D(G(z)): {d_g_z1:.4f} / {d_g_z2:.4f}"
            steps += 1
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        train_loss = 0.0
        for data, _ in loader:
            data = data.to(device)
            x = torch.bernoulli(data) if model.likelihood == "bernoulli" else data
            optimizer.zero_grad()
            loss = -model.elbo(x).elbo.mean()
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            steps += 1
    return steps


def measure(name: str, batch: int, images: np.ndarray, device: Any, rounds: int) -> dict[str, Any]:
    """Seconds per step of both loops for one model (fresh weights for every epoch)."""
    import torch

    from genstudy.config import get_profile
    from genstudy.models import build
    from genstudy.training import fit, make_task

    options = get_profile("quick").budget(name).options

    def fresh() -> Any:
        return build(name, side=28, generator=torch.Generator().manual_seed(0), **options).to(device)

    def ours() -> None:
        task = make_task(fresh())
        fit(task, task.prepare(images, device), epochs=1, batch_size=batch, seed=0, progress=False)

    def reference() -> None:
        reference_loop(name, fresh(), images, batch, device)

    seconds = interleaved({"reference": reference, "genstudy": ours}, rounds=rounds, device=device)
    steps = len(images) // batch
    ref_step, our_step = seconds["reference"] / steps, seconds["genstudy"] / steps
    return {"model": name, "batch": batch, "device": device.type, "reference ms/step": 1e3 * ref_step,
            "genstudy ms/step": 1e3 * our_step, "speed-up": ref_step / our_step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=3_200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    from genstudy.config import resolve_device
    from genstudy.data import balanced_subset, load_images

    device = resolve_device(args.device)
    ds = load_images("fashion_mnist")
    images = ds.train.images[balanced_subset(ds.train.labels, args.images, seed=0)]
    rows = [measure(name, batch, images, device, args.rounds) for name, batch in MODELS]
    target = TARGET_GPU if device.type == "cuda" else TARGET_CPU
    worst = min(r["speed-up"] for r in rows)
    write_result(
        f"step_time_{device.type}",
        title=f"Training step: genstudy loop against the pytorch/examples loop ({device.type})",
        rows=rows, columns=["model", "batch", "device", "reference ms/step", "genstudy ms/step", "speed-up"],
        settings={**vars(args), "device": str(device), "steps_per_round": {n: len(images) // b for n, b in MODELS}},
        targets=[{"what": f"DCGAN/VAE step speed-up over the reference loop on {device.type} (worst model)",
                  "measured": f"{worst:.2f}x", "target": f">= {target}x", "met": worst >= target}])


if __name__ == "__main__":
    main()
