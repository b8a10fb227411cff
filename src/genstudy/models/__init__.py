"""One module per family, one shared surface (:class:`~genstudy.models.base.GenerativeModel`),
one registry of the trained models (:mod:`genstudy.models.registry`)."""

from __future__ import annotations

from genstudy.models.autoencoder import Autoencoder
from genstudy.models.base import GenerativeModel
from genstudy.models.dbn import DBN
from genstudy.models.gan import GAN
from genstudy.models.rbm import RBM
from genstudy.models.registry import ALIASES, MODELS, REGISTRY, ModelSpec, build, canonical_name, spec
from genstudy.models.vae import VAE

__all__ = ["ALIASES", "DBN", "GAN", "MODELS", "RBM", "REGISTRY", "VAE", "Autoencoder", "GenerativeModel",
           "ModelSpec", "build", "canonical_name", "spec"]
