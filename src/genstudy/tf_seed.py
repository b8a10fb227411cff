"""The article's TensorFlow code: verbatim, run as written, minimally fixed, trained, timed.

The article (section 4) shows two Keras snippets. :data:`ARTICLE_GAN` and
:data:`ARTICLE_VAE` hold them character for character; :func:`run_as_written` executes a
snippet and returns the exception it raises. :data:`FIXED_GAN` and :data:`FIXED_VAE` are
the smallest edits that make them correct (:func:`diff` shows them line by line), and
they are the code that is executed to build the models that are trained here, so the
book never shows one thing and runs another. :data:`DEFECTS` lists every defect with its
fix and the reason. Fixed, the article's GAN trains but draws one image whatever the code
(mode collapse); :data:`NORMALISED_GAN` is the same stack with batch normalisation in the
generator, the one further change that makes it draw garments of most classes.

TensorFlow is imported only inside this module's functions (:func:`import_tensorflow`),
after its C++ logging is silenced, with its thread pools sized like torch's and, unless
asked for, without the GPU, so that it never grabs GPU memory that torch is using. Its
native (C++) log lines that are known to be harmless, which ``TF_CPP_MIN_LOG_LEVEL`` does
not reach, are dropped by :func:`native_noise_filtered` around every function that runs
TensorFlow; any other native line still reaches stderr.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ARTICLE_GAN = """import tensorflow as tf
from tensorflow.keras.layers import Dense, Conv2D, Conv2DTranspose
from tensorflow.keras.models import Sequential

# 生成模型
generator = Sequential([
    Dense(128, input_dim=100),
    LeakyReLU(alpha=0.2),
    Dense(1024),
    LeakyReLU(alpha=0.2),
    Dense(8*8*256, activation='relu'),
    Reshape((8, 8, 256)),
    Conv2DTranspose(128, kernel_size=4, strides=2, padding='same', activation='relu'),
    Conv2DTranspose(1, kernel_size=4, strides=2, padding='same'),
])

# 判别模型
discriminator = Sequential([
    Conv2D(64, kernel_size=4, strides=2, padding='same', input_shape=(64, 64, 3)),
    LeakyReLU(alpha=0.2),
    Conv2D(128, kernel_size=4, strides=2, padding='same'),
    LeakyReLU(alpha=0.2),
    Flatten(),
    Dense(1, activation='sigmoid'),
])

# 生成对抗网络
gan = Sequential([generator, discriminator])

# 编译生成对抗网络
gan.compile(optimizer='adam', loss='binary_crossentropy')
"""

ARTICLE_VAE = """import tensorflow as tf
from tensorflow.keras.layers import Dense, Input, ReLU
from tensorflow.keras.models import Model

# 编码器
encoder_input = Input(shape=(784,))
encoded = Dense(32, activation=ReLU())(encoder_input)

# 解码器
decoder_input = Input(shape=(32,))
decoded = Dense(784, activation='sigmoid')(decoder_input)

# 变分Autoencoder
vae = Model(encoder_input, decoded)

# 编译变分Autoencoder
vae.compile(optimizer='adam', loss='mse')
"""

FIXED_GAN = """import tensorflow as tf
from tensorflow.keras.layers import Dense, Conv2D, Conv2DTranspose, LeakyReLU, Reshape, Flatten, Input
from tensorflow.keras.models import Sequential

# 生成模型
generator = Sequential([
    Input(shape=(100,)),
    Dense(128),
    LeakyReLU(negative_slope=0.2),
    Dense(1024),
    LeakyReLU(negative_slope=0.2),
    Dense(8*8*256, activation='relu'),
    Reshape((8, 8, 256)),
    Conv2DTranspose(128, kernel_size=4, strides=2, padding='same', activation='relu'),
    Conv2DTranspose(1, kernel_size=4, strides=2, padding='same', activation='tanh'),
])

# 判别模型
discriminator = Sequential([
    Input(shape=(32, 32, 1)),
    Conv2D(64, kernel_size=4, strides=2, padding='same'),
    LeakyReLU(negative_slope=0.2),
    Conv2D(128, kernel_size=4, strides=2, padding='same'),
    LeakyReLU(negative_slope=0.2),
    Flatten(),
    Dense(1, activation='sigmoid'),
])

# 生成对抗网络
gan = Sequential([generator, discriminator])

# 训练: genstudy.tf_seed.train_gan alternates a discriminator step and a generator step,
# each optimizer updating only its own network (no gan.compile, no frozen copy needed).
"""

def _edited(code: str, *edits: tuple[str, str]) -> str:
    """``code`` with each ``(old, new)`` edit applied once; an ``old`` text that is absent is an error."""
    for old, replacement in edits:
        if code.count(old) != 1:
            raise ValueError(f"expected exactly one {old!r} in the code to edit")
        code = code.replace(old, replacement)
    return code


#: :data:`FIXED_GAN` with batch normalisation before three of the generator's activations;
#: nothing else changes (the book shows it as a diff against the fixed code).
NORMALISED_GAN = _edited(
    FIXED_GAN,
    ("from tensorflow.keras.models import Sequential\n",
     "from tensorflow.keras.layers import BatchNormalization, ReLU\nfrom tensorflow.keras.models import Sequential\n"),
    ("    Dense(1024),\n", "    Dense(1024),\n    BatchNormalization(momentum=0.9),\n"),
    ("    Dense(8*8*256, activation='relu'),\n",
     "    Dense(8*8*256),\n    BatchNormalization(momentum=0.9),\n    ReLU(),\n"),
    ("    Conv2DTranspose(128, kernel_size=4, strides=2, padding='same', activation='relu'),\n",
     "    Conv2DTranspose(128, kernel_size=4, strides=2, padding='same'),\n"
     "    BatchNormalization(momentum=0.9),\n    ReLU(),\n"),
)

FIXED_VAE = """import tensorflow as tf
from tensorflow.keras.layers import Dense, Input, ReLU
from tensorflow.keras.models import Model

# 编码器
encoder_input = Input(shape=(784,))
encoded = Dense(32, activation=ReLU())(encoder_input)

# 解码器
decoder_input = Input(shape=(32,))
decoder_layer = Dense(784, activation='sigmoid')
decoded = decoder_layer(decoder_input)
decoder = Model(decoder_input, decoded)

# 变分Autoencoder (in fact a deterministic autoencoder: no latent distribution, no KL term)
vae = Model(encoder_input, decoder_layer(encoded))

# 编译变分Autoencoder
vae.compile(optimizer='adam', loss='mse')
"""


@dataclass(frozen=True)
class Defect:
    """One defect of the article's code: where, what, the minimal fix, and why."""

    snippet: str
    defect: str
    fix: str
    why: str


DEFECTS: tuple[Defect, ...] = (
    Defect("GAN", "LeakyReLU, Reshape and Flatten are used but never imported",
           "import them from tensorflow.keras.layers",
           "the snippet stops at its first LeakyReLU with a NameError"),
    Defect("GAN", "the generator makes 32x32x1 images, the discriminator expects 64x64x3",
           "discriminator input 32x32x1 (Fashion-MNIST padded to 32x32)",
           "Sequential([generator, discriminator]) cannot connect the two: ValueError"),
    Defect("GAN", "the generator's last layer is linear while real images are scaled to [-1, 1]",
           "activation='tanh' on the last Conv2DTranspose",
           "the discriminator could tell real from fake by range alone"),
    Defect("GAN", "gan is compiled with the discriminator trainable, and there is no data and no training loop",
           "an alternating loop: a discriminator step on real and fake, then a generator step through D, "
           "each optimizer updating only its own network",
           "training gan as compiled would push the discriminator to call fakes real"),
    Defect("GAN", "optimizer='adam' with its defaults",
           "Adam(2e-4, beta_1=0.5), as in DCGAN and the PyTorch port",
           "Keras' default learning rate 1e-3 with beta_1 = 0.9 is known to destabilise GAN training"),
    Defect("GAN", "Dense(128, input_dim=100) and LeakyReLU(alpha=0.2): arguments deprecated in Keras 3",
           "Input(shape=(100,)) as the first layer; LeakyReLU(negative_slope=0.2)",
           "Keras 3 warns on both and will remove them"),
    Defect("GAN", "no normalisation in the generator: trained, it draws the same image for every code (mode collapse)",
           "BatchNormalization(momentum=0.9) before the activations of Dense(1024), Dense(8*8*256) and the first "
           "Conv2DTranspose: NORMALISED_GAN, trained beside the minimal fix",
           "learning rates, initialisations, label smoothing, instance noise and extra discriminator steps "
           "all left it collapsed; normalisation keeps G(z) dependent on z, as in DCGAN"),
    Defect("VAE", "vae = Model(encoder_input, decoded), but decoded is computed from decoder_input",
           "apply the decoder layer to the encoder's output; keep a separate decoder model",
           "the output does not depend on the input: ValueError (not connected)"),
    Defect("VAE", "no latent distribution, no sampling step, no KL term: a deterministic autoencoder with MSE",
           "kept as written and trained as an autoencoder; the real VAE is the PyTorch chapter's",
           "nothing makes random codes decode to data, so it cannot generate (shown below)"),
)


def defects_table() -> Any:
    """:data:`DEFECTS` as a pandas DataFrame (snippet, defect, fix, why)."""
    import pandas as pd

    return pd.DataFrame([d.__dict__ for d in DEFECTS])


def diff(before: str, after: str) -> str:
    """A unified diff of two code texts (article → fixed)."""
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                        "as written", "fixed", n=1))


#: TensorFlow's native log lines that say nothing about this study's code or results:
#: absl's notice that it logs before initialisation; oneDNN's note that its custom ops are
#: on (printed on CPUs where TF enables them, whatever TF_CPP_MIN_LOG_LEVEL says); and
#: grappler's remapper giving up on fusing the LeakyReLU of a gradient tape (it then skips
#: that optimisation pass; the graph runs unfused and correct).
NATIVE_NOISE = (
    re.compile(rb"All log messages before absl::InitializeLog\(\) is called are written to STDERR"),
    re.compile(rb"oneDNN custom operations are on"),
    re.compile(rb"meta_optimizer\.cc:\d+\] remapper failed: INVALID_ARGUMENT: Mutation::Apply error"),
)


@contextlib.contextmanager
def native_noise_filtered() -> Iterator[None]:
    """Route file descriptor 2 to a temporary file while the block (or decorated function) runs,
    then write back every line that is not in :data:`NATIVE_NOISE`. Nested uses are fine."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().splitlines(keepends=True)
                    if line.strip() and not any(p.search(line) for p in NATIVE_NOISE)]
            if kept:
                sys.stderr.write(b"".join(kept).decode(errors="replace"))
                sys.stderr.flush()


@native_noise_filtered()
def import_tensorflow(use_gpu: bool = False) -> Any:
    """Import TensorFlow quietly and tamed; return the module.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` before the import (no C++ info lines), sizes TF's
    thread pools like torch's (so the two never oversubscribe the cores), and hides the
    GPUs unless ``use_gpu`` (so TF does not reserve memory that torch is using); with a
    GPU, memory grows on demand instead of being grabbed at start.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import torch

    tf.get_logger().setLevel("ERROR")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(torch.get_num_threads())
        tf.config.threading.set_inter_op_parallelism_threads(1)
        gpus = tf.config.list_physical_devices("GPU")
        if not use_gpu:
            tf.config.set_visible_devices([], "GPU")
        else:
            for gpu in gpus:
                tf.config.experimental.set_memory_growth(gpu, True)
    except RuntimeError:
        pass  # TF was already initialised in this process; its settings stay as they were
    return tf


#: The article's GAN with only its missing imports added: the next defect shows.
ARTICLE_GAN_WITH_IMPORTS = _edited(
    ARTICLE_GAN,
    ("from tensorflow.keras.layers import Dense, Conv2D, Conv2DTranspose\n",
     "from tensorflow.keras.layers import Dense, Conv2D, Conv2DTranspose, LeakyReLU, Reshape, Flatten\n"),
)


@contextlib.contextmanager
def recording_warnings(into: list[str]) -> Iterator[None]:
    """Collect every warning raised inside the block into ``into`` (``Category: message``), even on error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            into.extend(f"{w.category.__name__}: {w.message}" for w in caught)


@native_noise_filtered()
def execute(code: str, name: str = "<article>") -> dict[str, Any]:
    """Execute ``code`` in a fresh namespace (TensorFlow imported tamed first); return the namespace."""
    import_tensorflow()
    namespace: dict[str, Any] = {}
    exec(compile(code, name, "exec"), namespace)
    return namespace


def run_as_written(code: str) -> tuple[BaseException | None, list[str]]:
    """Execute ``code``; return the exception it raised (or None) and the warnings it emitted."""
    caught: list[str] = []
    with recording_warnings(caught):
        try:
            execute(code)
        except Exception as exc:  # the point is to show what the article's code raises
            return exc, caught
    return None, caught


@native_noise_filtered()
def build(code: str, *names: str) -> tuple[Any, ...]:
    """Execute a fixed snippet and return the objects it defines under ``names``."""
    namespace = execute(code, "<fixed>")
    return tuple(namespace[n] for n in names)


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


def count_params(model: Any) -> int:
    """Trainable parameters of a Keras model."""
    return int(sum(np.prod(v.shape) for v in model.trainable_variables))


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


def time_pytorch_port(images: np.ndarray, *, batch_size: int, steps: int, seed: int, model: str = "seed_gan"
                      ) -> float:
    """Median seconds per training step of the PyTorch port of the same GAN (``model``), same batch,
    this machine.

    ``images``: (N, 1, 32, 32) float32 in [-1, 1]. The first step (warm-up) is excluded.
    """
    import torch

    from genstudy.models import build as build_model
    from genstudy.training import make_task

    torch.manual_seed(seed)
    task = make_task(build_model(model))
    x = torch.from_numpy(images)
    g = torch.Generator().manual_seed(seed)
    times = []
    for i in range(steps + 1):
        batch = x[(i * batch_size) % (len(x) - batch_size):][:batch_size]
        start = time.perf_counter()
        task.step(batch, 0, g)
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))


#: The fixed GANs by model name: the article's stack, and the same stack normalised.
GAN_CODE = {"seed_gan": FIXED_GAN, "seed_gan_bn": NORMALISED_GAN}
KIND_OF_MODEL = {**{model: ("generator", code) for model, code in GAN_CODE.items()},
                 "autoencoder": ("decoder", FIXED_VAE)}


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


def save_keras_weights(network: Any, path: Path) -> Path:
    """``network.save_weights`` to ``path`` (``*.weights.h5``) through a temporary name and a rename."""
    tmp = path.with_name(f".tmp-{path.name}")
    with warnings.catch_warnings():  # Keras 3 calls np.array(tensor, copy=False) on TF variables (NumPy 2)
        warnings.filterwarnings("ignore", message=r"__array__ implementation doesn't accept a copy keyword",
                                category=DeprecationWarning)
        network.save_weights(str(tmp))
    os.replace(tmp, path)
    return path


@native_noise_filtered()
def load_sampler(directory: Path, record: dict[str, Any]) -> Callable[[int, Any], Any]:
    """Rebuild the trained network of the TensorFlow run in ``directory`` and return its sampler."""
    from genstudy.errors import GenstudyError

    model = record["model"]
    if model not in KIND_OF_MODEL:
        raise GenstudyError(f"{directory}: no TensorFlow sampler for model {model!r}")
    name, code = KIND_OF_MODEL[model]
    weights = Path(directory) / record.get("artifacts", {}).get("weights", f"{name}.weights.h5")
    if not weights.is_file():
        raise GenstudyError(f"{weights}: missing Keras weights; re-run the TensorFlow chapter to write them")
    import_tensorflow()
    (network,) = build(code, name)
    network.load_weights(str(weights))
    return keras_sampler(network, model)


def _evaluate(record: dict[str, Any], network: Any, data_dir: str | None) -> dict[str, Any]:
    """Fill the record's metrics with the same code as every PyTorch run (no likelihood: none is defined)."""
    from genstudy.evaluation import evaluate_sampler

    return evaluate_sampler(record, keras_sampler(network, record["model"]), data_dir=data_dir)


@dataclass
class TFRun:
    """A finished TensorFlow run: its record, folder, trained Keras model(s) and training log."""

    record: dict[str, Any]
    directory: Path
    models: dict[str, Any]
    training: TFTraining


def _device_name(device: str) -> str:
    """Described like the PyTorch records (:func:`genstudy.results.device_description`):
    ``cpu (N threads)`` with TF's intra-op threads, or ``cuda: <GPU name>``."""
    tf = import_tensorflow()
    if device == "cuda":
        gpus = tf.config.list_physical_devices("GPU")
        details = tf.config.experimental.get_device_details(gpus[0]) if gpus else {}
        return f"cuda: {details.get('device_name', 'GPU')}"
    import torch

    threads = tf.config.threading.get_intra_op_parallelism_threads() or torch.get_num_threads()
    return f"cpu ({threads} threads)"


def _tf_record(model: str, family: str, dataset: str, profile: str, seed: int, params_count: int,
               config: dict[str, Any], training: TFTraining, sample_s: float, artifacts: dict[str, str],
               device: str) -> dict[str, Any]:
    from genstudy.results import git_commit, now, run_id, versions

    return {
        "run_id": run_id(model, dataset, seed, "tensorflow"), "status": "ok", "message": "",
        "model": model, "family": family, "framework": "tensorflow", "dataset": dataset, "profile": profile,
        "seed": seed, "device": device, "device_name": _device_name(device), "params_count": params_count,
        "config": config,
        "training": {"steps": training.steps, "epochs": config["epochs"], "resumed_from_step": None,
                     "final": training.history[-1] if training.history else {}},
        "timings": {"train_s": round(training.train_s, 3), "sample_1k_s": round(sample_s, 4),
                    "sample_gibbs_steps": 0, "step_s_median": round(training.median_step_s, 5)},
        "metrics": {}, "artifacts": artifacts, "versions": versions("tensorflow"),
        "git_commit": git_commit(), "created": now(),
    }


def _training_images(dataset: str, profile: str, seed: int, data_dir: str | None, model: str) -> tuple[Any, Any]:
    """The PyTorch runner's training images for ``model`` on ``profile``, and its budget."""
    from genstudy.config import get_profile
    from genstudy.runner import training_images

    budget = get_profile(profile).budget(model)
    return training_images(dataset, data_dir, budget.train_size, seed), budget


@native_noise_filtered()
def gan_run(*, model: str = "seed_gan", dataset: str = "fashion_mnist", profile: str = "smoke", seed: int = 0,
            data_dir: str | None = None, out: Path | str = "results", epochs: int | None = None,
            batch_size: int | None = None, use_gpu: bool = False, evaluate: bool = True) -> TFRun:
    """Train a fixed article GAN in TensorFlow on the profile's budget for ``model``; write its record.

    ``model``: ``"seed_gan"`` (:data:`FIXED_GAN`) or ``"seed_gan_bn"`` (:data:`NORMALISED_GAN`).
    Data: the same class-balanced subset as the PyTorch port, zero-padded to 32x32, in [-1, 1],
    channels last. Writes ``<out>/<profile>/<model>-<dataset>-seed<S>-tensorflow/``.
    """
    from genstudy.data import to_tensor
    from genstudy.errors import ParameterError
    from genstudy.results import run_dir, run_id, write_record
    from genstudy.runner import write_artifacts

    if model not in GAN_CODE:
        raise ParameterError("model", model, tuple(GAN_CODE))
    tf = import_tensorflow(use_gpu)
    images, budget = _training_images(dataset, profile, seed, data_dir, model)
    epochs, batch_size = epochs or budget.epochs, batch_size or budget.batch_size
    x = to_tensor(images, scale="symmetric", pad_to=32).numpy().transpose(0, 2, 3, 1).copy()
    tf.keras.utils.set_random_seed(seed)
    generator, discriminator = build(GAN_CODE[model], "generator", "discriminator")
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
    artifacts["weights"] = save_keras_weights(generator, directory / "generator.weights.h5").name
    record = _tf_record(model, "gan", dataset, profile, seed,
                        count_params(generator) + count_params(discriminator), config, training, sample_s,
                        artifacts, device)
    if evaluate:
        record = _evaluate(record, generator, data_dir)
    write_record(directory, record)
    return TFRun(record, directory, {"generator": generator, "discriminator": discriminator}, training)


@native_noise_filtered()
def autoencoder_run(*, dataset: str = "fashion_mnist", profile: str = "smoke", seed: int = 0,
                    data_dir: str | None = None, out: Path | str = "results", evaluate: bool = True) -> TFRun:
    """Train the fixed article "VAE" (an autoencoder) in TensorFlow; samples decode N(0, I) codes."""
    from genstudy.results import run_dir, run_id, write_record
    from genstudy.runner import write_artifacts

    tf = import_tensorflow()
    images, budget = _training_images(dataset, profile, seed, data_dir, "autoencoder")
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0
    tf.keras.utils.set_random_seed(seed)
    vae, decoder = build(FIXED_VAE, "vae", "decoder")
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
    artifacts["weights"] = save_keras_weights(decoder, directory / "decoder.weights.h5").name
    record = _tf_record("autoencoder", "autoencoder", dataset, profile, seed, count_params(vae), config,
                        training, sample_s, artifacts, "cpu")
    if evaluate:
        record = _evaluate(record, decoder, data_dir)
    write_record(directory, record)
    return TFRun(record, directory, {"vae": vae, "decoder": decoder}, training)
