"""The article's GAN: TensorFlow (Keras 3, ``tf.function``) against its PyTorch port.

The same layer stack (17.6 million parameters), the same batch, the same non-saturating
GAN step (one discriminator update, one generator update), on the same images, in one
process with the same number of CPU threads for both frameworks. Median seconds per
step, the first (graph-tracing / warm-up) step excluded.

    python bench/tf_vs_torch.py [--steps 30] [--batch 64]
"""

from __future__ import annotations

import argparse

from common import write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import statistics

    import torch

    from genstudy.article.code import FIXED_GAN
    from genstudy.article.keras_training import train_gan
    from genstudy.article.tensorflow import define
    from genstudy.article.timing import time_pytorch_port
    from genstudy.data import load_images, to_tensor

    images = load_images("fashion_mnist").train.images[: args.batch * (args.steps + 1)]
    x = to_tensor(images, scale="symmetric", pad_to=32).numpy()
    tf_steps, torch_steps = [], []
    for r in range(args.rounds):
        generator, discriminator = define(FIXED_GAN, "generator", "discriminator")
        training = train_gan(generator, discriminator, x.transpose(0, 2, 3, 1).copy(), epochs=1,
                                     batch_size=args.batch, seed=r)
        tf_steps.append(training.median_step_s)
        torch_steps.append(time_pytorch_port(x, batch_size=args.batch, steps=args.steps, seed=r))
    tf_s, torch_s = statistics.median(tf_steps), statistics.median(torch_steps)
    rows = [{"framework": "TensorFlow 2 (Keras 3, tf.function)", "ms/step": 1e3 * tf_s, "relative": tf_s / torch_s},
            {"framework": "PyTorch (eager)", "ms/step": 1e3 * torch_s, "relative": 1.0}]
    write_result("tf_vs_torch", title="The article's GAN, one training step: TensorFlow against the PyTorch port",
                 rows=rows, columns=["framework", "ms/step", "relative"],
                 settings={**vars(args), "threads": torch.get_num_threads(), "parameters": 17_605_570},
                 targets=[{"what": "TensorFlow time per step / PyTorch time per step (same model, batch, machine)",
                           "measured": f"{tf_s / torch_s:.2f}", "target": "reported", "met": True}],
                 extra_versions=("tensorflow-cpu", "keras"))


if __name__ == "__main__":
    main()
