"""Every model the study trains, by name: its family, its factory and its options.

The registry is the one list the command line's choices, the run parameters, the book's
planner and the docs read. A new model is one :class:`ModelSpec` here (its module under
``genstudy/models/``, its training task in :mod:`genstudy.training`).

The article's two GANs were once called ``seed_gan`` and ``seed_gan_bn`` (the article was
the project's "seed"); those names are still accepted (:data:`ALIASES`, :func:`canonical_name`)
and mean ``article_gan`` and ``article_gan_bn``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from genstudy.data.images import IMAGE_SIDES
from genstudy.errors import ParameterError
from genstudy.models.autoencoder import Autoencoder
from genstudy.models.base import GenerativeModel
from genstudy.models.dbn import DBN
from genstudy.models.gan import article_gan, dcgan
from genstudy.models.rbm import RBM
from genstudy.models.vae import vae_conv, vae_dcgan, vae_iwae, vae_mlp

#: A factory: ``(side, generator, options) -> model`` for 1 x side x side images; ``generator``
#: initialises the weights of the energy-based families (the others use torch's global RNG).
Factory = Callable[[int, torch.Generator | None, dict[str, Any]], GenerativeModel]


@dataclass(frozen=True)
class ModelSpec:
    """One trainable model: ``name``, ``family`` (gan, vae, autoencoder, rbm, dbn), a one-line
    ``description``, the ``factory``, its architecture ``options`` with their defaults, and the
    only image ``side`` it accepts (None: any)."""

    name: str
    family: str
    description: str
    factory: Factory = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)
    side: int | None = None


SPECS: tuple[ModelSpec, ...] = (
    ModelSpec("dcgan", "gan", "DCGAN (Radford et al. 2016) on 32x32 padded images",
              lambda side, g, o: dcgan(o["latent_dim"], o["width"]), {"latent_dim": 100, "width": 64}, side=28),
    ModelSpec("article_gan", "gan", "the article's GAN with its minimal fixes (PyTorch port)",
              lambda side, g, o: article_gan(o["latent_dim"]), {"latent_dim": 100}, side=28),
    ModelSpec("article_gan_bn", "gan", "the article's GAN, fixed, with batch normalisation in its generator",
              lambda side, g, o: article_gan(o["latent_dim"], normalised=True), {"latent_dim": 100}, side=28),
    ModelSpec("autoencoder", "autoencoder", "the article's \"VAE\": a deterministic autoencoder (MSE)",
              lambda side, g, o: Autoencoder(side, o["code_dim"]), {"code_dim": 32}),
    ModelSpec("autoencoder_gmm", "autoencoder", "the same autoencoder, sampled from a Gaussian mixture fitted to "
              "its training codes (the fair test, Ghosh et al. 2020)",
              lambda side, g, o: Autoencoder(side, o["code_dim"], "gmm", o["n_components"]),
              {"code_dim": 32, "n_components": 10}),
    ModelSpec("vae_mlp", "vae", "VAE with MLP encoder and decoder",
              lambda side, g, o: vae_mlp(o["latent_dim"], o["hidden"], side, o["likelihood"]),
              {"latent_dim": 20, "hidden": 512, "likelihood": "bernoulli"}),
    ModelSpec("vae_iwae", "vae", "VAE of Burda et al. (2016): MLP 784-200-200-50 (tanh), Bernoulli decoder",
              lambda side, g, o: vae_iwae(o["latent_dim"], o["hidden"], side), {"latent_dim": 50, "hidden": 200}),
    ModelSpec("vae_conv", "vae", "VAE with convolutional encoder and decoder",
              lambda side, g, o: vae_conv(o["latent_dim"], o["width"], side, o["likelihood"]),
              {"latent_dim": 20, "width": 32, "likelihood": "bernoulli"}),
    ModelSpec("vae_dcgan", "vae", "VAE on DCGAN's networks (generator as decoder, discriminator trunk as encoder), "
              "grey levels with a calibrated Gaussian decoder: the matched pair with dcgan",
              lambda side, g, o: vae_dcgan(o["latent_dim"], o["width"], side, o["likelihood"]),
              {"latent_dim": 100, "width": 64, "likelihood": "calibrated_gaussian"}, side=28),
    ModelSpec("rbm", "rbm", "Bernoulli RBM (its recipe: the profile's training options)",
              lambda side, g, o: RBM(side * side, o["n_hidden"], side=side, generator=g), {"n_hidden": 500}),
    ModelSpec("dbn", "dbn", "DBN, greedy stack of RBMs",
              lambda side, g, o: DBN((side * side, *o["hidden"]), side=side, generator=g), {"hidden": (500, 200)}),
)

REGISTRY: dict[str, ModelSpec] = {s.name: s for s in SPECS}
#: Model name → family (the registry in one line, for tables and validation).
MODELS: dict[str, str] = {s.name: s.family for s in SPECS}
#: The article's own GANs: they test the article's code, not a family (the book gives them rows of their own).
ARTICLE_MODELS: tuple[str, ...] = ("article_gan", "article_gan_bn")
#: Former names still accepted wherever a model is named.
ALIASES: dict[str, str] = {"seed_gan": "article_gan", "seed_gan_bn": "article_gan_bn"}


def canonical_name(name: str) -> str:
    """``name`` itself, or the model a former name (:data:`ALIASES`) stands for; a
    :class:`ParameterError` lists the names when it is neither."""
    name = ALIASES.get(name, name)
    if name not in REGISTRY:
        raise ParameterError("model", name, tuple(REGISTRY))
    return name


#: The package whose modules define the models (one module per family), and its modules every model shares.
MODELS_PACKAGE = "genstudy.models"
SHARED_MODULES = frozenset({MODELS_PACKAGE, f"{MODELS_PACKAGE}.base", f"{MODELS_PACKAGE}.registry"})


def defining_modules(names: Iterable[str]) -> set[str]:
    """The modules of :data:`MODELS_PACKAGE` that define the models ``names``: those of the classes and
    functions their factories call (``{"genstudy.models.rbm"}`` for ``["rbm"]``)."""
    out = set()
    for name in names:
        for global_name in spec(name).factory.__code__.co_names:
            module = getattr(globals().get(global_name), "__module__", "") or ""
            if module.startswith(f"{MODELS_PACKAGE}."):
                out.add(module)
    return out


def spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of ``name`` (or of a former name)."""
    return REGISTRY[canonical_name(name)]


def check_dataset(dataset: str, models: Iterable[str]) -> None:
    """Refuse, with a :class:`ParameterError` in one line that names ``dataset`` and the
    reason, an image dataset some of ``models`` cannot train on (their :attr:`ModelSpec.side`
    differs from its images'); return quietly when all of them can."""
    if dataset not in IMAGE_SIDES:
        raise ParameterError("dataset", dataset, tuple(IMAGE_SIDES))
    side = IMAGE_SIDES[dataset]
    unfit = [spec(m) for m in models if spec(m).side not in (None, side)]
    if unfit:
        need = unfit[0].side
        fit = [d for d, s in IMAGE_SIDES.items() if s == need]
        names = ", ".join(s.name for s in unfit)
        raise ParameterError("dataset", dataset, f"{', '.join(fit)} ({names} need {need}x{need} images; "
                                                 f"{dataset} has {side}x{side})")


def build(name: str, *, side: int = 28, generator: torch.Generator | None = None, gibbs_steps: int | None = None,
          **options: Any) -> GenerativeModel:
    """A freshly initialised model ``name`` for 1 x ``side`` x ``side`` images.

    ``options`` update the model's defaults (:attr:`ModelSpec.options`; an unknown one is a
    :class:`ParameterError`). Parameters are initialised from torch's global RNG (seed it
    first) or, for the RBM/DBN weights, from ``generator``. ``gibbs_steps`` sets the Gibbs
    sweeps per sample of the families that sample with a chain (ignored by the others).
    """
    s = spec(name)
    unknown = set(options) - set(s.options)
    if unknown:
        raise ParameterError(f"{s.name} option", sorted(unknown)[0], tuple(s.options))
    if s.side is not None and side != s.side:
        raise ParameterError("dataset", f"{side}x{side} images", f"{s.side}x{s.side} images for {s.name} "
                                                                  "(padded to 32x32)")
    model = s.factory(side, generator, {**s.options, **options})
    if gibbs_steps is not None and model.gibbs_steps:
        model.gibbs_steps = gibbs_steps
    return model
