"""The article's two Keras snippets, verbatim, and the smallest edits that make them correct.

:data:`ARTICLE_GAN` and :data:`ARTICLE_VAE` hold the article's code (section 4) character for
character. :data:`FIXED_GAN` and :data:`FIXED_VAE` are the minimal fixes (:func:`diff` shows
them line by line); they are the code that is executed to build the models trained here, so
the book never shows one thing and runs another. :data:`DEFECTS` lists every defect with its
fix and the reason. Fixed, the article's GAN trains but draws one image whatever the code
(mode collapse); :data:`NORMALISED_GAN` is the same stack with batch normalisation in the
generator, the one further change that makes it draw garments of most classes.

Nothing here imports TensorFlow: these are texts (:mod:`genstudy.article.tensorflow` runs them).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

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

# 训练: genstudy.article.keras_training.train_gan alternates a discriminator step and a generator step,
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


#: The article's GAN with only its missing imports added: the next defect shows.
ARTICLE_GAN_WITH_IMPORTS = _edited(
    ARTICLE_GAN,
    ("from tensorflow.keras.layers import Dense, Conv2D, Conv2DTranspose\n",
     "from tensorflow.keras.layers import Dense, Conv2D, Conv2DTranspose, LeakyReLU, Reshape, Flatten\n"),
)


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


#: The fixed GANs by model name: the article's stack, and the same stack normalised.
GAN_CODE = {"article_gan": FIXED_GAN, "article_gan_bn": NORMALISED_GAN}
NETWORK_OF_MODEL = {**{model: ("generator", code) for model, code in GAN_CODE.items()},
                 "autoencoder": ("decoder", FIXED_VAE)}
