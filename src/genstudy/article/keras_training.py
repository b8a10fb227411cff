"""Training the fixed article networks in TensorFlow, the way the PyTorch port trains."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genstudy.article.tensorflow import import_tensorflow, native_noise_filtered


@dataclass
class TFTraining:
    """What a TensorFlow training run did: logged history, steps, compute seconds, step times (s)."""

    history: list[dict[str, float]] = field(default_factory=list)
    steps: int = 0
    train_s: float = 0.0
    step_s: list[float] = field(default_factory=list)

    @property
    def median_step_s(self) -> float:
        """Median seconds per step, the first (graph-tracing) step excluded."""
        return float(np.median(self.step_s[1:] if len(self.step_s) > 1 else self.step_s))


@native_noise_filtered()
def train_gan(generator: Any, discriminator: Any, images: np.ndarray, *, epochs: int, batch_size: int,
              seed: int, lr: float = 2e-4, beta1: float = 0.5, log_every: int = 25) -> TFTraining:
    """Train the fixed GAN on ``images`` (N, 32, 32, 1) float32 in [-1, 1], the PyTorch port's way.

    Per batch: ``fake = G(z)``; one discriminator step on BCE(D(x), 1) + BCE(D(fake), 0);
    then one generator step on the non-saturating BCE(D(fake), 1) through the updated D.
    """
    tf = import_tensorflow()
    tf.keras.utils.set_random_seed(seed)
    opt_g = tf.keras.optimizers.Adam(lr, beta_1=beta1)
    opt_d = tf.keras.optimizers.Adam(lr, beta_1=beta1)
    bce = tf.keras.losses.BinaryCrossentropy()
    latent = generator.input_shape[-1]
    data = tf.constant(images)

    @tf.function
    def step(real: Any) -> dict[str, Any]:
        z = tf.random.normal([tf.shape(real)[0], latent])
        with tf.GradientTape() as tape_g:
            fake = generator(z, training=True)
            with tf.GradientTape() as tape_d:
                p_real = discriminator(real, training=True)
                p_fake = discriminator(tf.stop_gradient(fake), training=True)
                loss_d = bce(tf.ones_like(p_real), p_real) + bce(tf.zeros_like(p_fake), p_fake)
            opt_d.apply_gradients(zip(tape_d.gradient(loss_d, discriminator.trainable_variables),
                                      discriminator.trainable_variables, strict=True))
            p_gen = discriminator(fake, training=True)
            loss_g = bce(tf.ones_like(p_gen), p_gen)
        opt_g.apply_gradients(zip(tape_g.gradient(loss_g, generator.trainable_variables),
                                  generator.trainable_variables, strict=True))
        return {"loss_d": loss_d, "loss_g": loss_g, "d_real": tf.reduce_mean(p_real),
                "d_fake": tf.reduce_mean(p_fake)}

    out = TFTraining()
    per_epoch = len(images) // batch_size
    for epoch in range(epochs):
        order = np.random.default_rng(seed * 1_000_003 + epoch).permutation(len(images))
        for i in range(per_epoch):
            batch = tf.gather(data, order[i * batch_size:(i + 1) * batch_size])
            start = time.perf_counter()
            losses = step(batch)
            if (out.steps + 1) % log_every == 0 or i == per_epoch - 1:
                row = {k: float(v) for k, v in losses.items()}  # the only host syncs
                out.history.append({"step": out.steps + 1, "epoch": epoch + (i + 1) / per_epoch, **row})
            else:
                losses["loss_d"].numpy()  # wait for the step, so that its time is real
            seconds = time.perf_counter() - start
            out.step_s.append(seconds)
            out.train_s += seconds
            out.steps += 1
    return out


@native_noise_filtered()
def train_autoencoder(vae: Any, images: np.ndarray, *, epochs: int, batch_size: int, seed: int) -> TFTraining:
    """Fit the fixed autoencoder on flattened images (N, 784) in [0, 1] with its own MSE objective."""
    tf = import_tensorflow()
    tf.keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    fitted = vae.fit(images, images, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    steps = epochs * -(-len(images) // batch_size)
    history = [{"step": (e + 1) * steps // epochs, "epoch": e + 1, "loss": float(v)}
               for e, v in enumerate(fitted.history["loss"])]
    return TFTraining(history=history, steps=steps, train_s=seconds, step_s=[seconds / steps])
