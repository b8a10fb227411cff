"""How each family learns: its data transform, its optimizers, one training step.

A task owns a model and its optimizers. The shared loop (:mod:`genstudy.training.loop`)
feeds it mini-batches of the tensor that :meth:`Task.prepare` made once on the device,
and checkpoints whatever :meth:`Task.state_dict` returns. ``step`` returns detached
0-dim tensors; the loop converts them to floats only at logging intervals, so a step
never waits for the device.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from genstudy.data.transforms import binarize_dynamic, to_tensor
from genstudy.models.autoencoder import Autoencoder
from genstudy.models.base import bernoulli
from genstudy.models.dbn import DBN
from genstudy.models.gan import GAN
from genstudy.models.rbm import RBM
from genstudy.models.vae import VAE

Losses = dict[str, torch.Tensor]


def descend(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> torch.Tensor:
    """One gradient step of ``optimizer`` on ``loss``; returns the loss, detached."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach()


def _adam(params: Any, lr: float, betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Adam:
    return torch.optim.Adam(params, lr=lr, betas=betas)


class Task:
    """Base class. Subclasses set ``model`` and ``optimizers`` and implement ``prepare`` / ``step``."""

    model: torch.nn.Module
    optimizers: dict[str, torch.optim.Optimizer]

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        """uint8 (N, H, W) → the float tensor the model trains on, on ``device``."""
        raise NotImplementedError

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        """One optimisation step on ``batch``; returns detached scalar losses."""
        raise NotImplementedError

    def total_epochs(self, epochs: int) -> int:
        """Epochs the loop runs for a requested ``epochs`` (a DBN runs them once per layer)."""
        return epochs

    def state_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        for k, o in self.optimizers.items():
            o.load_state_dict(state["optimizers"][k])


class GANTask(Task):
    """Alternating updates: D on real and fake, then G with the non-saturating loss ``-log D(G(z))``.

    Adam(2e-4, β1 = 0.5) for both networks, as in DCGAN. Reported: ``loss_d``, ``loss_g``
    and the mean probabilities ``d_real`` = D(x), ``d_fake`` = D(G(z)).
    """

    def __init__(self, model: GAN, lr: float = 2e-4, beta1: float = 0.5) -> None:
        self.model = model
        self.optimizers = {
            "generator": _adam(model.generator.parameters(), lr, (beta1, 0.999)),
            "discriminator": _adam(model.discriminator.parameters(), lr, (beta1, 0.999)),
        }

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        return to_tensor(images, scale="symmetric", pad_to=self.model.data_shape[-1], device=device)

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        G, D = self.model.generator, self.model.discriminator
        opt_g, opt_d = self.optimizers["generator"], self.optimizers["discriminator"]
        fake = G(self.model.noise(batch.shape[0], generator))

        logit_real, logit_fake = D(batch), D(fake.detach())
        loss_d = F.binary_cross_entropy_with_logits(logit_real, torch.ones_like(logit_real)) + \
            F.binary_cross_entropy_with_logits(logit_fake, torch.zeros_like(logit_fake))
        descend(opt_d, loss_d)

        logit_gen = D(fake)
        loss_g = F.binary_cross_entropy_with_logits(logit_gen, torch.ones_like(logit_gen))
        descend(opt_g, loss_g)
        return {
            "loss_d": loss_d.detach(),
            "loss_g": loss_g.detach(),
            "d_real": torch.sigmoid(logit_real).mean().detach(),
            "d_fake": torch.sigmoid(logit_fake).mean().detach(),
        }


class AutoencoderTask(Task):
    """The article's objective: mean squared reconstruction error, Adam."""

    def __init__(self, model: Autoencoder, lr: float = 1e-3) -> None:
        self.model = model
        self.optimizers = {"model": _adam(model.parameters(), lr)}

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        return to_tensor(images, scale="unit", device=device)

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        return {"loss": descend(self.optimizers["model"], self.model.loss(batch))}


class VAETask(Task):
    """Maximise the ELBO with Adam; Bernoulli decoders see dynamically binarized images.

    Reported per example, in nats: ``loss`` = -ELBO, ``reconstruction`` = E_q log p(x|z),
    ``kl`` = KL(q(z|x) || p(z)).
    """

    def __init__(self, model: VAE, lr: float = 1e-3) -> None:
        self.model = model
        self.optimizers = {"model": _adam(model.parameters(), lr)}

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        return to_tensor(images, scale="unit", device=device)

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        x = binarize_dynamic(batch, generator) if self.model.likelihood == "bernoulli" else batch
        terms = self.model.elbo(x, generator=generator)
        loss = descend(self.optimizers["model"], -terms.elbo.mean())
        return {"loss": loss, "reconstruction": terms.reconstruction.mean().detach(),
                "kl": terms.kl.mean().detach()}


class RBMTrainer:
    """CD-k or PCD-k updates of one RBM with SGD (momentum, weight decay).

    ``persistent`` keeps ``chains`` (one per example of a batch) across updates (PCD);
    otherwise each negative phase starts at the data (CD). Reported: ``free_energy_gap``
    = mean F(data) - mean F(model samples) (the surrogate loss) and ``recon_error``, the
    mean squared error of one deterministic up-down pass (a monitor, not the objective).
    """

    def __init__(self, rbm: RBM, *, lr: float, k: int, persistent: bool, momentum: float, weight_decay: float) -> None:
        self.rbm, self.k, self.persistent = rbm, k, persistent
        self.optimizer = torch.optim.SGD(rbm.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
        self.chains: torch.Tensor | None = None

    def step(self, v: torch.Tensor, generator: torch.Generator) -> Losses:
        if self.persistent:
            if self.chains is None or self.chains.shape != v.shape:
                self.chains = bernoulli(torch.full_like(v, 0.5), generator=generator)
            self.chains, _ = self.rbm.gibbs(self.chains, self.k, generator)
            v_model = self.chains
        else:
            v_model, _ = self.rbm.gibbs(v, self.k, generator)
        loss = descend(self.optimizer, self.rbm.contrastive_loss(v, v_model))
        with torch.no_grad():
            recon = (v - self.rbm.p_v(self.rbm.p_h(v))).pow(2).mean()
        return {"free_energy_gap": loss, "recon_error": recon}


def _rbm_options(lr: float, k: int, persistent: bool, momentum: float, weight_decay: float) -> dict[str, Any]:
    return {"lr": lr, "k": k, "persistent": persistent, "momentum": momentum, "weight_decay": weight_decay}


class RBMTask(Task):
    """Train an RBM on dynamically binarized images with CD-k (default k = 1) or PCD."""

    def __init__(self, model: RBM, lr: float = 0.05, k: int = 1, persistent: bool = False,
                 momentum: float = 0.5, weight_decay: float = 1e-4) -> None:
        self.model = model
        self.trainer = RBMTrainer(model, **_rbm_options(lr, k, persistent, momentum, weight_decay))
        self.optimizers = {"model": self.trainer.optimizer}

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        x = to_tensor(images, scale="unit", device=device).flatten(1)
        self.model.init_visible_bias(x)
        return x

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        return self.trainer.step(binarize_dynamic(batch, generator), generator)

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "chains": self.trainer.chains}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.trainer.chains = state.get("chains")


class DBNTask(Task):
    """Greedy layer-wise training: ``epochs`` epochs of RBM 1 on the data, then of RBM 2 on
    samples of RBM 1's hidden units, and so on. Reports the active ``layer`` too."""

    def __init__(self, model: DBN, lr: float = 0.05, k: int = 1, persistent: bool = False,
                 momentum: float = 0.5, weight_decay: float = 1e-4) -> None:
        self.model = model
        options = _rbm_options(lr, k, persistent, momentum, weight_decay)
        self.trainers = [RBMTrainer(rbm, **options) for rbm in model.rbms]
        self.optimizers = {f"layer{i}": t.optimizer for i, t in enumerate(self.trainers)}
        self.epochs_per_layer = 1

    def total_epochs(self, epochs: int) -> int:
        self.epochs_per_layer = epochs
        return epochs * self.model.n_layers

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        x = to_tensor(images, scale="unit", device=device).flatten(1)
        self.model.rbms[0].init_visible_bias(x)
        return x

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        layer = epoch // self.epochs_per_layer
        v = binarize_dynamic(batch, generator)
        if layer > 0:
            v = bernoulli(self.model.up(v, layer), generator=generator)
        losses = self.trainers[layer].step(v, generator)
        return {**losses, "layer": torch.tensor(float(layer))}

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "chains": [t.chains for t in self.trainers]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        for t, chains in zip(self.trainers, state.get("chains", []), strict=False):
            t.chains = chains
