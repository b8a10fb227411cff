"""One module per family, one shared surface (:class:`~genstudy.models.base.GenerativeModel`).

:func:`build` makes a model from its name in :data:`genstudy.config.MODELS`, sized for
square images of side ``side`` (28 for Fashion-MNIST and MNIST).
"""

from __future__ import annotations

from typing import Any

import torch

from genstudy.config import MODELS
from genstudy.errors import ParameterError
from genstudy.models.autoencoder import Autoencoder
from genstudy.models.base import GenerativeModel
from genstudy.models.dbn import DBN
from genstudy.models.gan import GAN, dcgan, seed_gan
from genstudy.models.rbm import RBM
from genstudy.models.vae import VAE, vae_conv, vae_mlp

#: Architecture defaults of each model (overridable through ``build(..., **options)``).
DEFAULTS: dict[str, dict[str, Any]] = {
    "dcgan": {"latent_dim": 100, "width": 64},
    "seed_gan": {"latent_dim": 100},
    "seed_gan_bn": {"latent_dim": 100},
    "autoencoder": {"code_dim": 32},
    "vae_mlp": {"latent_dim": 20, "hidden": 512, "likelihood": "bernoulli"},
    "vae_conv": {"latent_dim": 20, "width": 32, "likelihood": "bernoulli"},
    "rbm": {"n_hidden": 500},
    "dbn": {"hidden": (500, 200)},
}


def build(name: str, *, side: int = 28, generator: torch.Generator | None = None, **options: Any) -> GenerativeModel:
    """A freshly initialised model ``name`` for 1 x ``side`` x ``side`` images.

    Parameters are initialised from torch's global RNG (seed it first) or, for the
    RBM/DBN weights, from ``generator``.
    """
    if name not in MODELS:
        raise ParameterError("model", name, tuple(MODELS))
    unknown = set(options) - set(DEFAULTS[name])
    if unknown:
        raise ParameterError(f"{name} option", sorted(unknown)[0], tuple(DEFAULTS[name]))
    o = {**DEFAULTS[name], **options}
    if name in ("dcgan", "seed_gan", "seed_gan_bn") and side != 28:
        raise ParameterError("dataset", f"{side}x{side} images", f"28x28 images for {name} (padded to 32x32)")
    if name == "dcgan":
        return dcgan(o["latent_dim"], o["width"])
    if name in ("seed_gan", "seed_gan_bn"):
        return seed_gan(o["latent_dim"], normalised=name == "seed_gan_bn")
    if name == "autoencoder":
        return Autoencoder(side, o["code_dim"])
    if name == "vae_mlp":
        return vae_mlp(o["latent_dim"], o["hidden"], side, o["likelihood"])
    if name == "vae_conv":
        return vae_conv(o["latent_dim"], o["width"], side, o["likelihood"])
    if name == "rbm":
        return RBM(side * side, o["n_hidden"], side=side, generator=generator)
    return DBN((side * side, *o["hidden"]), side=side, generator=generator)


__all__ = ["DBN", "DEFAULTS", "GAN", "RBM", "VAE", "Autoencoder", "GenerativeModel", "build"]
