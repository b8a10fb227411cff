"""One update of each player of a GAN, shared by every GAN this project trains (the image
GANs' task, the 2-D chapter's GAN, the remedies benchmark).

Both players output logits; the sigmoid lives in ``binary_cross_entropy_with_logits``.
The discriminator maximises ``log D(x) + log(1 - D(G(z)))`` (written as the BCE it
minimises); the generator minimises the non-saturating ``-log D(G(z))``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Critic = Callable[[torch.Tensor], torch.Tensor]


def descend(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> torch.Tensor:
    """One gradient step of ``optimizer`` on ``loss``; returns the loss, detached."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach()


def _noisy(x: torch.Tensor, std: float) -> torch.Tensor:
    return x + std * torch.randn_like(x) if std else x


def discriminator_step(discriminator: Critic, optimizer: torch.optim.Optimizer, real: torch.Tensor,
                       fake: torch.Tensor, *, real_label: float = 1.0, noise_std: float = 0.0
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One step of the discriminator on a batch of ``real`` and (detached) ``fake`` examples.

    Loss: ``BCE(D(real), real_label) + BCE(D(fake), 0)``, the mean over each batch.
    ``real_label`` < 1 is one-sided label smoothing; ``noise_std`` > 0 adds Gaussian
    instance noise to both inputs (torch's global RNG). Returns the detached loss and
    the logits of the real and fake batches, each (N,).
    """
    logit_real, logit_fake = discriminator(_noisy(real, noise_std)), discriminator(_noisy(fake.detach(), noise_std))
    loss = F.binary_cross_entropy_with_logits(logit_real, torch.full_like(logit_real, real_label)) + \
        F.binary_cross_entropy_with_logits(logit_fake, torch.zeros_like(logit_fake))
    return descend(optimizer, loss), logit_real.detach(), logit_fake.detach()


def generator_step(discriminator: Critic, optimizer: torch.optim.Optimizer, fake: torch.Tensor, *,
                   noise_std: float = 0.0) -> torch.Tensor:
    """One step of the generator that made ``fake`` (not detached): the non-saturating loss
    ``BCE(D(fake), 1)`` = mean ``-log D(G(z))`` through the current discriminator; returns it, detached."""
    logit = discriminator(_noisy(fake, noise_std))
    return descend(optimizer, F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit)))
