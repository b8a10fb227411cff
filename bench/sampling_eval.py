"""What it costs to draw samples from each family, and to measure 10,000 of them.

* **Sampling**: seconds to draw 1,000 samples from each model of the book (the quick
  profile's architectures; the cost of a forward pass or of a Gibbs chain does not depend
  on the weights), RBM and DBN with the book's 1,000 Gibbs sweeps per sample, all 1,000
  chains batched. The ratio is to the fastest GAN, the article's claim. A reference for the
  batching: the same RBM chains run one at a time (a few, extrapolated to 1,000).
* **Evaluation**: seconds for every sample metric of the book (classifier features, FD,
  KID, precision/recall, density/coverage, class coverage, Parzen window) on 10,000
  samples against the full profile's 10,000 test images, and each part alone.

    python bench/sampling_eval.py [--device auto] [--eval-samples 10000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import timed, write_result

MODELS = ("dcgan", "article_gan", "vae_mlp", "vae_conv", "autoencoder", "rbm", "dbn")
GIBBS = 1_000
EVAL_TARGET_S = 60.0


def sampling_rows(device: Any) -> list[dict[str, Any]]:
    import torch

    from genstudy.config import get_profile
    from genstudy.models import build

    quick = get_profile("quick")
    rows = []
    for name in MODELS:
        model = build(name, side=28, generator=torch.Generator().manual_seed(0), gibbs_steps=GIBBS,
                      **quick.budget(name).options)
        model = model.to(device).eval()
        gen = torch.Generator(device=device).manual_seed(0)
        seconds = timed(lambda m=model, g=gen: m.sample(1_000, g), repeat=3, warmup=1, device=device)
        rows.append({"what": f"1,000 samples: {name}", "family": model.family, "seconds": seconds,
                     "Gibbs sweeps": GIBBS if model.family in ("rbm", "dbn") else 0})
        if name == "rbm":
            few = 5
            one_by_one = timed(lambda m=model, g=gen, k=few: [m.sample(1, g) for _ in range(k)], repeat=1,
                               warmup=0, device=device) * 1_000 / few
            rows.append({"what": "1,000 samples: rbm, chains one at a time (reference)", "family": "rbm",
                         "seconds": one_by_one, "Gibbs sweeps": GIBBS})
    fastest_gan = min(r["seconds"] for r in rows if r["family"] == "gan")
    for r in rows:
        r["x fastest GAN"] = r["seconds"] / fastest_gan
    return rows


def evaluation_rows(n: int) -> tuple[list[dict[str, Any]], float]:
    from genstudy.data import balanced_subset, load_images, to_tensor
    from genstudy.metrics import classifier as clf
    from genstudy.metrics.coverage import class_coverage
    from genstudy.metrics.distances import frechet_distance, kernel_distance
    from genstudy.metrics.likelihood import parzen_log_likelihood
    from genstudy.metrics.manifold import density_coverage, precision_recall
    from genstudy.runs.evaluate import image_metrics, reference

    ref = reference("fashion_mnist", "full")
    ds = load_images("fashion_mnist")
    samples = to_tensor(ds.train.images[balanced_subset(ds.train.labels, n, seed=5)], scale="unit")
    start = time.perf_counter()
    image_metrics(samples, ref)
    total = time.perf_counter() - start

    images = ref.classifier.crop(samples)
    parts: dict[str, Any] = {}

    def stage(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        out = fn()
        parts[name] = time.perf_counter() - t0
        return out

    features, probs = stage("classifier features", lambda: clf.predict(ref.classifier, images))
    stage("FD", lambda: frechet_distance(ref.features, features))
    stage("KID", lambda: kernel_distance(ref.features, features))
    stage("precision/recall", lambda: precision_recall(ref.features, features))
    stage("density/coverage", lambda: density_coverage(ref.features, features))
    stage("class coverage", lambda: class_coverage(probs.argmax(1).numpy(), ref.data_shares))
    stage("Parzen window", lambda: parzen_log_likelihood(images, ref.validation, ref.likelihood_test))
    rows = [{"what": f"evaluate {n:,} samples: {k}", "seconds": v} for k, v in parts.items()]
    rows.append({"what": f"evaluate {n:,} samples: all (image_metrics)", "seconds": total})
    return rows, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--eval-samples", type=int, default=10_000)
    args = parser.parse_args()
    from genstudy.config import resolve_device

    device = resolve_device(args.device)
    rows = sampling_rows(device)
    eval_rows, total = evaluation_rows(args.eval_samples)
    core = sum(r["seconds"] for r in eval_rows if any(k in r["what"] for k in (
        "classifier", "FD", "KID", "precision", "density")))
    gibbs_batched = next(r for r in rows if r["what"] == "1,000 samples: rbm")["seconds"]
    gibbs_single = next(r for r in rows if "one at a time" in r["what"])["seconds"]
    title = f"Sampling 1,000 per family and evaluating {args.eval_samples:,} ({device.type})"
    write_result(
        f"sampling_eval_{device.type}", title=title,
        rows=rows + eval_rows, columns=["what", "seconds", "x fastest GAN", "Gibbs sweeps"],
        settings={**vars(args), "device": str(device), "gibbs_sweeps": GIBBS,
                  "reference": "full profile (10,000 test images)"},
        targets=[{"what": f"evaluation of {args.eval_samples:,} samples: FD, KID, precision/recall, coverage "
                          "(with the classifier's features)", "measured": f"{core:.1f} s",
                  "target": f"<= {EVAL_TARGET_S:.0f} s on CPU", "met": core <= EVAL_TARGET_S},
                 {"what": "every metric of the book, Parzen window included", "measured": f"{total:.1f} s",
                  "target": "reported", "met": True},
                 {"what": "batched Gibbs chains against one chain at a time (RBM, 1,000 samples)",
                  "measured": f"{gibbs_single / gibbs_batched:.0f}x", "target": "> 1x",
                  "met": gibbs_single > gibbs_batched}])


if __name__ == "__main__":
    main()
