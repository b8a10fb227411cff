"""The article's TensorFlow runs: trained on the PyTorch port's images and budget, recorded and
measured like every other run, and rebuilt from their weights as samplers.

Importing this module registers :func:`load_sampler` as the ``tensorflow`` loader of
:data:`genstudy.runs.evaluate.SAMPLER_LOADERS`, so ``genstudy evaluate`` measures these runs
with the same code as the PyTorch ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from genstudy.article.code import FIXED_VAE, GAN_CODE, NETWORK_OF_MODEL
from genstudy.article.keras_training import TFTraining, train_autoencoder, train_gan
from genstudy.article.tensorflow import (
    count_params,
    define,
    device_name,
    import_tensorflow,
    native_noise_filtered,
    save_keras_weights,
)
from genstudy.config import get_profile
from genstudy.data import to_tensor
from genstudy.errors import GenstudyError, ParameterError
from genstudy.models import canonical_name
from genstudy.runs.artifacts import weights_artifacts, write_artifacts
from genstudy.runs.evaluate import SAMPLER_LOADERS, evaluate_sampler
from genstudy.runs.record import new_record, run_dir, run_id, write_record
from genstudy.runs.train import TrainedRun
from genstudy.runs.training_set import training_images


def keras_sampler(network: Any, model: str) -> Callable[[int, Any], Any]:
    """A sampler ``(n, torch_generator) -> (n, 1, H, W)`` float tensor in [0, 1] for a trained Keras
    ``network``: the GAN's generator (N(0, I) codes, tanh output mapped to [0, 1]) or the
    autoencoder's decoder (N(0, I) codes, the article's way to "generate"). Codes come from
    torch's generator, so a seed gives the same codes as in any PyTorch run."""
    import torch

    latent = int(network.input_shape[-1])

    @native_noise_filtered()
    def sampler(n: int, generator: Any) -> Any:
        z = torch.randn(n, latent, generator=generator).numpy()
        out = network(z, training=False).numpy()
        if model in GAN_CODE:
            x = ((out[..., 0] + 1.0) / 2.0).clip(0.0, 1.0)
        else:
            side = math.isqrt(out.shape[-1])
            x = out.reshape(n, side, side).clip(0.0, 1.0)
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).unsqueeze(1)

    return sampler


@native_noise_filtered()
def load_sampler(directory: Path, record: dict[str, Any]) -> Callable[[int, Any], Any]:
    """Rebuild the trained network of the TensorFlow run in ``directory`` and return its sampler."""
    model = record["model"]
    if model not in NETWORK_OF_MODEL:
        raise GenstudyError(f"{directory}: no TensorFlow sampler for model {model!r}")
    name, code = NETWORK_OF_MODEL[model]
    weights = Path(directory) / record.get("artifacts", {}).get("weights", f"{name}.weights.h5")
    if not weights.is_file():
        raise GenstudyError(f"{weights}: missing Keras weights; re-run the TensorFlow chapter to write them")
    import_tensorflow()
    (network,) = define(code, name)
    network.load_weights(str(weights))
    return keras_sampler(network, model)


def _evaluate(record: dict[str, Any], network: Any, data_dir: str | None) -> dict[str, Any]:
    """Fill the record's metrics with the same code as every PyTorch run (no likelihood: none is defined)."""
    return evaluate_sampler(record, keras_sampler(network, record["model"]), data_dir=data_dir)


@native_noise_filtered()
def gan_run(*, model: str = "article_gan", dataset: str = "fashion_mnist", profile: str = "smoke", seed: int = 0,
            data_dir: str | None = None, out: Path | str = "results", epochs: int | None = None,
            batch_size: int | None = None, use_gpu: bool = False, evaluate: bool = True) -> TrainedRun:
    """Train a fixed article GAN in TensorFlow on the profile's budget for ``model``; write its record.

    ``model``: ``"article_gan"`` (:data:`FIXED_GAN`) or ``"article_gan_bn"`` (:data:`NORMALISED_GAN`);
    the former names ``seed_gan`` and ``seed_gan_bn`` are accepted.
    Data: the same class-balanced subset as the PyTorch port, zero-padded to 32x32, in [-1, 1],
    channels last. Writes ``<out>/<profile>/<model>-<dataset>-seed<S>-tensorflow/``.
    """
    model = canonical_name(model)
    if model not in GAN_CODE:
        raise ParameterError("model", model, tuple(GAN_CODE))
    tf = import_tensorflow(use_gpu)
    images, budget = _training_images(dataset, profile, seed, data_dir, model)
    epochs, batch_size = epochs or budget.epochs, batch_size or budget.batch_size
    x = to_tensor(images, scale="symmetric", pad_to=32).numpy().transpose(0, 2, 3, 1).copy()
    tf.keras.utils.set_random_seed(seed)
    generator, discriminator = define(GAN_CODE[model], "generator", "discriminator")
    training = train_gan(generator, discriminator, x, epochs=epochs, batch_size=batch_size, seed=seed)
    z = tf.random.normal([1000, generator.input_shape[-1]], seed=seed + 1)
    start = time.perf_counter()
    samples = generator(z, training=False).numpy()
    sample_s = time.perf_counter() - start
    directory = run_dir(Path(out), profile, run_id(model, dataset, seed, "tensorflow"))
    grid = ((samples[:100, :, :, 0] + 1) / 2).clip(0, 1)
    artifacts = write_artifacts(directory, training.history, grid)
    config = {"model": model, "dataset": dataset, "profile": profile, "seed": seed,
              "train_size": len(x), "epochs": epochs, "batch_size": batch_size,
              "optimizer": "Adam(2e-4, beta_1=0.5)", "loss": "non-saturating BCE"}
    device = "cuda" if use_gpu and tf.config.list_logical_devices("GPU") else "cpu"
    weights = save_keras_weights(generator, directory / "generator.weights.h5")
    artifacts.update(weights_artifacts(directory, weights.name, get_profile(profile).published))
    record = _tf_record(model, "gan", dataset, profile, seed,
                        count_params(generator) + count_params(discriminator), config, training, sample_s,
                        artifacts, device)
    if evaluate:
        record = _evaluate(record, generator, data_dir)
    write_record(directory, record)
    return TrainedRun(record, directory, {"generator": generator, "discriminator": discriminator}, training)


@native_noise_filtered()
def autoencoder_run(*, dataset: str = "fashion_mnist", profile: str = "smoke", seed: int = 0,
                    data_dir: str | None = None, out: Path | str = "results", evaluate: bool = True) -> TrainedRun:
    """Train the fixed article "VAE" (an autoencoder) in TensorFlow; samples decode N(0, I) codes."""
    tf = import_tensorflow()
    images, budget = _training_images(dataset, profile, seed, data_dir, "autoencoder")
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0
    tf.keras.utils.set_random_seed(seed)
    vae, decoder = define(FIXED_VAE, "vae", "decoder")
    training = train_autoencoder(vae, x, epochs=budget.epochs, batch_size=budget.batch_size, seed=seed)
    codes = tf.random.normal([1000, 32], seed=seed + 1)
    start = time.perf_counter()
    decoded = decoder(codes, training=False).numpy()
    sample_s = time.perf_counter() - start
    side = images.shape[1]
    directory = run_dir(Path(out), profile, run_id("autoencoder", dataset, seed, "tensorflow"))
    artifacts = write_artifacts(directory, training.history, decoded[:100].reshape(100, side, side))
    config = {"model": "autoencoder", "dataset": dataset, "profile": profile, "seed": seed,
              "train_size": len(x), "epochs": budget.epochs, "batch_size": budget.batch_size,
              "optimizer": "adam (Keras defaults)", "loss": "mse"}
    weights = save_keras_weights(decoder, directory / "decoder.weights.h5")
    artifacts.update(weights_artifacts(directory, weights.name, get_profile(profile).published))
    record = _tf_record("autoencoder", "autoencoder", dataset, profile, seed, count_params(vae), config,
                        training, sample_s, artifacts, "cpu")
    if evaluate:
        record = _evaluate(record, decoder, data_dir)
    write_record(directory, record)
    return TrainedRun(record, directory, {"vae": vae, "decoder": decoder}, training)


def _tf_record(model: str, family: str, dataset: str, profile: str, seed: int, params_count: int,
               config: dict[str, Any], training: TFTraining, sample_s: float, artifacts: dict[str, str],
               device: str) -> dict[str, Any]:
    return new_record(
        model=model, family=family, framework="tensorflow", dataset=dataset, profile=profile, seed=seed,
        device=device, device_name=device_name(device), params_count=params_count, config=config,
        training={"steps": training.steps, "epochs": config["epochs"], "resumed_from_step": None,
                  "final": training.history[-1] if training.history else {}},
        timings={"train_s": round(training.train_s, 3), "sample_1k_s": round(sample_s, 4),
                 "sample_gibbs_steps": 0, "step_s_median": round(training.median_step_s, 5)},
        artifacts=artifacts, extra_versions=("tensorflow",))


def _training_images(dataset: str, profile: str, seed: int, data_dir: str | None, model: str) -> tuple[Any, Any]:
    """The PyTorch runner's training images for ``model`` on ``profile``, and its budget."""
    budget = get_profile(profile).budget(model)
    return training_images(dataset, data_dir, budget.train_size, seed), budget


SAMPLER_LOADERS["tensorflow"] = load_sampler
