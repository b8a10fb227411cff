"""The article's GAN collapses: which change ends it? Training remedies against one layer change.

The PyTorch port of the fixed article GAN (``article_gan``) is trained from the same seed on the
quick profile's images (10,000, class-balanced) under each remedy that leaves its layers as
they are — other learning rates, Keras' default Adam, two time-scales, initialisations,
one-sided label smoothing, annealed instance noise, two discriminator steps — and, as the
control, the same stack with batch normalisation in the generator (``article_gan_bn``). Every
variant gets the same number of steps and is measured with the book's yardstick (quick
reference: FD, classes covered by 2,000 samples, precision, recall) and the spread of its
samples across codes (0: one image for every code).

Every remedy runs once per seed (default 0, 1, 2) for 624 steps (:data:`STEPS`): 4 epochs of
the quick profile's 10,000 images, a third more than the quick book now gives the article's GAN
(468); the result is written after every run, so ``--resume`` goes on from an interrupted search.

    python bench/article_gan_remedies.py [--steps N] [--seeds 0,1,2] [--only base,bn] [--resume]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Any

from common import write_result


@dataclass(frozen=True)
class Remedy:
    """One way to train: Adam settings per network, initialisation, label, noise and D-step tweaks."""

    name: str
    what: str
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    init: str = "torch"  # "torch" (PyTorch's default), "glorot" (Keras' default), "he"
    real_label: float = 1.0  # < 1: one-sided label smoothing
    noise: float = 0.0  # std of Gaussian instance noise on D's inputs, annealed linearly to 0
    d_steps: int = 1
    model: str = "article_gan"


#: Optimizer steps per run: 4 epochs of the quick profile's 10,000 images at batch 64.
STEPS = 624

REMEDIES = (
    Remedy("base", "as in the book: Adam(2e-4, 0.5) for both"),
    Remedy("slow", "Adam(5e-5) for both", lr_g=5e-5, lr_d=5e-5),
    Remedy("keras", "Keras' default Adam(1e-3, 0.9), as the article compiles", lr_g=1e-3, lr_d=1e-3, beta1=0.9),
    Remedy("ttur", "two time-scales: D 4e-4, G 1e-4", lr_g=1e-4, lr_d=4e-4),
    Remedy("slow_g", "slow generator: G 2e-5, D 2e-4", lr_g=2e-5),
    Remedy("glorot", "Glorot-uniform weights, zero biases (Keras' initialisation)", init="glorot"),
    Remedy("he", "He-normal weights, zero biases (codes spread at the start)", init="he"),
    Remedy("he_slow_g", "He-normal weights and G 2e-5", init="he", lr_g=2e-5),
    Remedy("smooth", "one-sided label smoothing (real label 0.9)", real_label=0.9),
    Remedy("noise", "instance noise, std 0.5 annealed to 0", noise=0.5),
    Remedy("d2", "two discriminator steps per generator step", d_steps=2),
    Remedy("bn", "the layer change: batch normalisation in the generator (article_gan_bn)", model="article_gan_bn"),
)


def initialise(model: Any, how: str) -> None:
    """Re-initialise ``model``'s weights in place as ``how`` says (``"torch"`` leaves them)."""
    import torch.nn as nn

    if how == "torch":
        return
    for m in model.modules():
        if isinstance(m, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            if how == "glorot":
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.kaiming_normal_(m.weight, a=0.2)
            nn.init.zeros_(m.bias)


def train(remedy: Remedy, x: Any, steps: int, batch: int, seed: int) -> tuple[Any, float]:
    """Train one variant for ``steps`` on ``x`` (N, 1, 32, 32) in [-1, 1]; return the model and seconds."""
    import torch

    from genstudy.models import build
    from genstudy.training.adversarial import discriminator_step, generator_step

    torch.manual_seed(seed)
    model = build(remedy.model)
    initialise(model, remedy.init)
    G, D = model.generator, model.discriminator
    opt_g = torch.optim.Adam(G.parameters(), remedy.lr_g, betas=(remedy.beta1, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), remedy.lr_d, betas=(remedy.beta1, 0.999))
    g = torch.Generator().manual_seed(seed)
    start, step = time.perf_counter(), 0
    while step < steps:
        order = torch.randperm(len(x), generator=g)
        for i in range(len(x) // batch):
            if step == steps:
                break
            real = x[order[i * batch:(i + 1) * batch]]
            sigma = remedy.noise * (1 - step / steps)
            for _ in range(remedy.d_steps):
                discriminator_step(D, opt_d, real, G(model.noise(batch, g)), real_label=remedy.real_label,
                                   noise_std=sigma)
            generator_step(D, opt_g, G(model.noise(batch, g)), noise_std=sigma)
            step += 1
    return model, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=STEPS, help=f"optimizer steps per run (default {STEPS})")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds, each a run of every remedy")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(r.name for r in REMEDIES)}")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs of bench/results/article_gan_remedies.json made with the same settings")
    args = parser.parse_args()
    steps = args.steps
    seeds = [int(s) for s in args.seeds.split(",")]

    import torch

    from genstudy.config import get_profile
    from genstudy.data import to_tensor
    from genstudy.metrics.spread import sample_spread
    from genstudy.runs.evaluate import image_metrics, reference
    from genstudy.runs.training_set import training_images

    chosen = [r for r in REMEDIES if not args.only or r.name in args.only.split(",")]
    budget = get_profile("quick").budget("article_gan")
    ref = reference("fashion_mnist", "quick")
    settings = {"steps": steps, "batch": args.batch, "seeds": seeds, "only": args.only,
                "train_size": budget.train_size}
    rows = previous_rows(settings) if args.resume else []
    done = {(r["variant"], r["seed"]) for r in rows}
    for seed in seeds:
        x = to_tensor(training_images("fashion_mnist", None, budget.train_size, seed), scale="symmetric", pad_to=32)
        for remedy in chosen:
            if (remedy.name, seed) in done:
                continue
            model, seconds = train(remedy, x, steps, args.batch, seed)
            images = model.sample(2000, torch.Generator().manual_seed(seed + 1))
            metrics, _ = image_metrics(images, ref)
            rows.append({"variant": remedy.name, "seed": seed, "change": remedy.what, "layers": remedy.model,
                         "FD": metrics["fd"], "classes": metrics["classes_covered"],
                         "precision": metrics["precision"], "recall": metrics["recall"],
                         "spread": sample_spread(images[:64].numpy()), "train s": seconds,
                         "threads": torch.get_num_threads()})
            print(f"{remedy.name}, seed {seed}: FD {metrics['fd']:.0f}, {metrics['classes_covered']}/10 classes, "
                  f"spread {rows[-1]['spread']:.3f} ({seconds:.0f} s)", flush=True)
            complete = len(rows) == len(seeds) * len(chosen)
            write(rows, {**settings, "complete": complete}, steps, len(seeds))


def previous_rows(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs of the stored result whose settings (``complete`` aside) equal ``settings``; [] otherwise.
    Each run names the torch threads it trained with (its ``train s`` depends on them, its numbers
    do not), so a search may go on with another number of threads."""
    import json

    from common import RESULTS

    path = RESULTS / "article_gan_remedies.json"
    if not path.is_file():
        return []
    stored = json.loads(path.read_text())
    kept = {k: v for k, v in stored.get("settings", {}).items() if k not in ("complete", "threads")}
    return list(stored["rows"]) if kept == settings else []


def write(rows: list[dict[str, Any]], settings: dict[str, Any], steps: int, n_seeds: int) -> None:
    """Write the runs so far; the targets name the most classes any remedy kept with the article's
    layers (the mean over seeds) and the batch-normalised control's."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    means = frame.groupby(["variant", "layers"], sort=False)["classes"].mean().reset_index()
    kept = means[means["layers"] == "article_gan"]
    control = means[means["layers"] == "article_gan_bn"]
    targets = []
    if len(kept):
        best = kept.loc[kept["classes"].idxmax()]
        targets.append({"what": "most classes any remedy reaches with the article's layers (mean over seeds)",
                        "measured": f"{best['classes']:.1f}/10 ({best['variant']})", "target": "reported", "met": True})
    if len(control):
        targets.append({"what": "classes with batch normalisation in the generator (mean over seeds)",
                        "measured": f"{control['classes'].iloc[0]:.1f}/10", "target": "reported", "met": True})
    write_result("article_gan_remedies", title=f"The article's GAN after {steps} steps, {n_seeds} seeds: training "
                                            "remedies against batch normalisation",
                 rows=rows, columns=["variant", "seed", "change", "FD", "classes", "precision", "recall", "spread",
                                     "train s", "threads"],
                 settings=settings, targets=targets)


if __name__ == "__main__":
    main()
