"""RBM training throughput and quality against scikit-learn's ``BernoulliRBM``.

Both train the same RBM on the same 10,000 Fashion-MNIST images with the same algorithm:
persistent contrastive divergence with one Gibbs sweep per update (PCD-1, what
``BernoulliRBM`` implements), the same batch size, the same number of epochs and
scikit-learn's update rule (SGD at 0.1, no momentum, no weight decay, zero initial visible
biases), on the grey levels taken as probabilities, in float32 on this CPU. Ours runs
through the book's own training loop (:func:`genstudy.training.fit` with
:class:`RBMTask` ``persistent=True, binarize=False``; the book's own RBMs see a fresh
binary sample of each batch instead).

* **Throughput** with 500 hidden units (the book's RBM): training images per second of
  whole ``fit`` calls, median of a few, the two libraries alternating.
* **Quality, exactly**: with 20 hidden units ``log Z`` is a sum over 2^20 states, so the
  test log-likelihood of 1,000 binarized test images is exact, no estimator in the way.
  Three epochs of PCD at this learning rate are chaotic (a rounding difference of 1e-6
  flips one Gibbs draw and the run takes another path), so each library trains 5 seeds
  and the means are compared with the standard error of their difference.
* **Quality at 500 hidden units**: AIS log-likelihood (sklearn's weights loaded into our RBM),
  mean ± sd over 3 seeds (one seed alone misleads: seeds differ by up to 120 nats here), with
  the AIS effective sample sizes, and scikit-learn's pseudo-likelihood of seed 0.

    python bench/rbm_vs_sklearn.py [--train 10000] [--epochs 3] [--batch 100]
"""

from __future__ import annotations

import argparse
import math
import statistics
from typing import Any

import numpy as np
from common import interleaved, write_result

TARGET = 1.5
#: scikit-learn's update rule, which ours is given too: plain SGD, no momentum, no weight decay.
SKLEARN_RULE = {"learning_rate": 0.1, "momentum": 0.0, "weight_decay": 0.0}
EXACT_HIDDEN = 20
EXACT_SEEDS = (0, 1, 2, 3, 4)
AIS_SEEDS = (0, 1, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import torch
    from sklearn.neural_network import BernoulliRBM

    from genstudy.data import balanced_subset, load_images
    from genstudy.metrics.likelihood import rbm_log_likelihood
    from genstudy.models.rbm import RBM
    from genstudy.sampling import bernoulli
    from genstudy.training import fit
    from genstudy.training.tasks import RBMTask

    ds = load_images("fashion_mnist")
    images = ds.train.images[balanced_subset(ds.train.labels, args.train, seed=0)]
    x = (images.reshape(len(images), -1) / 255.0).astype(np.float32)
    test = torch.from_numpy((ds.test.images[:1_000].reshape(1_000, -1) / 255.0).astype(np.float32))
    test_bin = bernoulli(test, torch.Generator().manual_seed(1))

    def train_ours(hidden: int, seed: int) -> RBM:
        rbm = RBM(784, hidden, side=28, generator=torch.Generator().manual_seed(seed))
        task = RBMTask(rbm, persistent=True, k=1, lr=SKLEARN_RULE["learning_rate"],
                       momentum=SKLEARN_RULE["momentum"], weight_decay=SKLEARN_RULE["weight_decay"], binarize=False)
        data = task.prepare(images, torch.device("cpu"))
        with torch.no_grad():
            rbm.b.zero_()  # scikit-learn's initial visible biases
        fit(task, data, epochs=args.epochs, batch_size=args.batch, seed=seed, progress=False)
        return rbm

    def train_sklearn(hidden: int, seed: int) -> BernoulliRBM:
        return BernoulliRBM(n_components=hidden, batch_size=args.batch, n_iter=args.epochs,
                            learning_rate=SKLEARN_RULE["learning_rate"], random_state=seed).fit(x)

    def as_ours(sk: BernoulliRBM) -> RBM:
        rbm = RBM(784, sk.components_.shape[0], side=28)
        with torch.no_grad():
            rbm.W.copy_(torch.from_numpy(sk.components_.T.astype(np.float32)))
            rbm.b.copy_(torch.from_numpy(sk.intercept_visible_.astype(np.float32)))
            rbm.c.copy_(torch.from_numpy(sk.intercept_hidden_.astype(np.float32)))
        return rbm

    def pseudo(rbm: RBM) -> float:
        sk = BernoulliRBM(n_components=rbm.n_hidden, random_state=0)
        sk.components_ = rbm.W.detach().numpy().T.astype(np.float64)
        sk.intercept_visible_ = rbm.b.detach().numpy().astype(np.float64)
        sk.intercept_hidden_ = rbm.c.detach().numpy().astype(np.float64)
        return float(np.mean(sk.score_samples(test_bin.numpy().astype(np.float64))))

    trained: dict[str, Any] = {}
    seconds = interleaved({"genstudy (torch)": lambda: trained.__setitem__("ours", train_ours(args.hidden, 0)),
                           "scikit-learn": lambda: trained.__setitem__("sklearn", train_sklearn(args.hidden, 0))},
                          rounds=args.rounds, warmup=0)
    exact = {"genstudy (torch)": [float(train_ours(EXACT_HIDDEN, s).log_likelihood(test_bin).mean())
                                  for s in EXACT_SEEDS],
             "scikit-learn": [float(as_ours(train_sklearn(EXACT_HIDDEN, s)).log_likelihood(test_bin).mean())
                              for s in EXACT_SEEDS]}
    def ais(rbm: RBM) -> tuple[float, float]:
        ll = rbm_log_likelihood(rbm, test_bin, torch.from_numpy(x), n_chains=100, n_steps=10_000,
                                generator=torch.Generator().manual_seed(2))
        return ll.mean, ll.ais.effective_sample_size

    later = AIS_SEEDS[1:]
    big = {"genstudy (torch)": [trained["ours"], *(train_ours(args.hidden, s) for s in later)],
           "scikit-learn": [as_ours(trained["sklearn"]), *(as_ours(train_sklearn(args.hidden, s)) for s in later)]}
    rows = []
    for name, models in big.items():
        scores = [ais(m) for m in models]
        lls = [ll for ll, _ in scores]
        rows.append({"library": name, "train s": seconds[name], "images/s": args.train * args.epochs / seconds[name],
                     f"exact log-lik, H={EXACT_HIDDEN}": f"{statistics.mean(exact[name]):.1f} ± "
                                                         f"{statistics.stdev(exact[name]):.1f}",
                     f"AIS log-lik, H={args.hidden}": f"{statistics.mean(lls):.1f} ± {statistics.stdev(lls):.1f}",
                     "AIS ESS": ", ".join(f"{e:.0f}" for _, e in scores), "pseudo-lik": pseudo(models[0])})
    ratio = rows[1]["train s"] / rows[0]["train s"]
    rows[0]["throughput ratio"], rows[1]["throughput ratio"] = ratio, 1.0
    gap = statistics.mean(exact["genstudy (torch)"]) - statistics.mean(exact["scikit-learn"])
    se = math.sqrt(sum(statistics.variance(v) / len(v) for v in exact.values()))
    write_result(
        "rbm_vs_sklearn", title="RBM (PCD-1) training: genstudy against scikit-learn's BernoulliRBM",
        rows=rows, columns=["library", "train s", "images/s", "throughput ratio",
                            f"exact log-lik, H={EXACT_HIDDEN}", f"AIS log-lik, H={args.hidden}", "AIS ESS",
                            "pseudo-lik"],
        settings={**vars(args), "exact_seeds": list(EXACT_SEEDS), "exact": exact, "ais_seeds": list(AIS_SEEDS),
                  "algorithm": "PCD-1",
                  "update": SKLEARN_RULE, "dtype": "float32",
                  "ais": "10,000 β, 100 chains", "test": "1,000 test images, one fixed binarization"},
        targets=[{"what": f"RBM training throughput vs scikit-learn (same PCD-1, batch {args.batch}, "
                          f"{args.epochs} epochs, {args.hidden} hidden units)",
                  "measured": f"{ratio:.2f}x", "target": f">= {TARGET}x", "met": ratio >= TARGET},
                 {"what": f"at equal quality: exact test log-likelihood ({EXACT_HIDDEN} hidden units), ours minus "
                          f"scikit-learn's, means of {len(EXACT_SEEDS)} seeds each",
                  "measured": f"{gap:+.1f} nats (standard error {se:.1f})", "target": f">= -2 SE = {-2 * se:.1f}",
                  "met": gap >= -2 * se}],
        extra_versions=("scikit-learn",))


if __name__ == "__main__":
    main()
