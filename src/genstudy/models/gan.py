"""Generative adversarial networks: DCGAN and the port of the article's GAN (as fixed, and normalised).

A GAN is a generator ``G: z -> x`` trained against a discriminator ``D: x -> logit``
in the minimax game ``min_G max_D E[log D(x)] + E[log(1 - D(G(z)))]``. The training
loop (``genstudy.training``) uses the non-saturating generator loss ``-log D(G(z))``.
Both networks here output *logits*; the sigmoid lives in the loss
(``binary_cross_entropy_with_logits``), which is numerically stable.

Images are 1x32x32 in [-1, 1] (Fashion-MNIST zero-padded from 28x28); ``sample``
returns them mapped back to [0, 1].
"""

from __future__ import annotations

import torch
from torch import nn

from genstudy.errors import ParameterError
from genstudy.models.base import GenerativeModel, randn


class DCGANGenerator(nn.Module):
    """z (N, latent) -> image (N, 1, 32, 32): 4 -> 8 -> 16 -> 32 transposed convolutions.

    ``output="tanh"`` (the GAN's generator) gives pixels in [-1, 1]; ``output="logits"`` (the
    matched VAE's decoder, :func:`genstudy.models.vae.vae_dcgan`) leaves the last layer linear,
    the decoder's distribution reading its output as logits. Same layers, same parameters: a
    generator's image is the sigmoid of twice the logits (``tanh(a) = 2·sigmoid(2a) − 1``).
    """

    def __init__(self, latent_dim: int = 100, width: int = 64, channels: int = 1, output: str = "tanh") -> None:
        super().__init__()
        if output not in ("tanh", "logits"):
            raise ParameterError("output", output, ("tanh", "logits"))
        w = width
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 4 * w, 4, 1, 0, bias=False),
            nn.BatchNorm2d(4 * w),
            nn.ReLU(True),
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(True),
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(True),
            nn.ConvTranspose2d(w, channels, 4, 2, 1, bias=False),
            *([nn.Tanh()] if output == "tanh" else []),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])


class DCGANTrunk(nn.Module):
    """image (N, 1, 32, 32) -> features (N, 4·width, 4, 4): 32 -> 16 -> 8 -> 4 strided convolutions.

    The DCGAN discriminator without its last layer; also the matched VAE's encoder body.
    """

    def __init__(self, width: int = 64, channels: int = 1) -> None:
        super().__init__()
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(channels, w, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(4 * w),
            nn.LeakyReLU(0.2, True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class DCGANDiscriminator(nn.Module):
    """image (N, 1, 32, 32) -> logit (N,): the :class:`DCGANTrunk`, then a 4x4 convolution to one logit."""

    def __init__(self, width: int = 64, channels: int = 1) -> None:
        super().__init__()
        self.trunk = DCGANTrunk(width, channels)
        self.head = nn.Conv2d(4 * width, 1, 4, 1, 0, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(x)).flatten()


class ArticleGenerator(nn.Module):
    """The article's generator, fixed: Dense 128 → 1024 → 8·8·256, then 8 → 16 → 32 upsampling.

    Layer for layer the article's Keras stack (``LeakyReLU(0.2)`` after the first two
    dense layers, ReLU after the third and the first transposed convolution). Fix: a
    ``tanh`` on the last layer, so the output lives in the data's range [-1, 1]; the
    article's last layer is linear. Keras ``padding='same'`` with kernel 4 and stride 2
    is ``padding=1`` here.

    ``normalised=True`` adds batch normalisation before the activations of the 1024- and
    8·8·256-unit dense layers and of the first transposed convolution (Keras'
    ``BatchNormalization(momentum=0.9)``: running averages with weight 0.1, ε = 10⁻³),
    the one change that makes this stack learn more than one image (see the TensorFlow
    chapter); nothing else differs.
    """

    def __init__(self, latent_dim: int = 100, normalised: bool = False) -> None:
        super().__init__()

        def norm(layer: nn.Module, features: int) -> list[nn.Module]:
            if not normalised:
                return [layer]
            bn = nn.BatchNorm1d if isinstance(layer, nn.Linear) else nn.BatchNorm2d
            return [layer, bn(features, eps=1e-3, momentum=0.1)]

        self.net = nn.Sequential(
            nn.Linear(latent_dim, 128),
            nn.LeakyReLU(0.2),
            *norm(nn.Linear(128, 1024), 1024),
            nn.LeakyReLU(0.2),
            *norm(nn.Linear(1024, 8 * 8 * 256), 8 * 8 * 256),
            nn.ReLU(),
            nn.Unflatten(1, (256, 8, 8)),
            *norm(nn.ConvTranspose2d(256, 128, 4, 2, 1), 128),
            nn.ReLU(),
            nn.ConvTranspose2d(128, 1, 4, 2, 1),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class ArticleDiscriminator(nn.Module):
    """The article's discriminator, fixed: input 1x32x32 (the article says 64x64x3, which the
    generator never produces), two strided convolutions with LeakyReLU(0.2), one logit.
    The article's final sigmoid moves into the loss."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(128 * 8 * 8, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten()


class GAN(GenerativeModel):
    """A generator and its discriminator; ``sample`` draws ``G(z)``, ``z ~ N(0, I)``, in [0, 1]."""

    family = "gan"
    data_shape = (1, 32, 32)

    def __init__(self, generator: nn.Module, discriminator: nn.Module, latent_dim: int) -> None:
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Latent codes ``z ~ N(0, I)``, shape (n, latent_dim), on the model's device."""
        return randn((n, self.latent_dim), generator, self.device)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        was_training = self.generator.training
        self.generator.eval()
        x = self.generator(self.noise(n, generator))
        self.generator.train(was_training)
        return ((x + 1.0) / 2.0).clamp_(0.0, 1.0)


def dcgan(latent_dim: int = 100, width: int = 64, channels: int = 1) -> GAN:
    """DCGAN (Radford et al. 2016) for ``channels`` x 32 x 32 images, weights initialised N(0, 0.02) as in
    the paper."""
    model = GAN(DCGANGenerator(latent_dim, width, channels), DCGANDiscriminator(width, channels), latent_dim)
    model.data_shape = (channels, 32, 32)
    model.apply(dcgan_init)
    return model


def article_gan(latent_dim: int = 100, normalised: bool = False) -> GAN:
    """The port of the article's GAN with its minimal fixes (see the TensorFlow chapter); with
    ``normalised``, the same stack with batch normalisation in the generator."""
    return GAN(ArticleGenerator(latent_dim, normalised), ArticleDiscriminator(), latent_dim)


def dcgan_init(m: nn.Module) -> None:
    """DCGAN's initialisation of one module (use with ``apply``): convolution weights N(0, 0.02),
    batch-norm scales N(1, 0.02) and shifts 0."""
    if isinstance(m, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)
