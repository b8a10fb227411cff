"""How each family learns: its data transform, its optimizers, one training step.

A task owns a model and its optimizers. The shared loop (:mod:`genstudy.training.loop`)
feeds it mini-batches of the tensor that :meth:`Task.prepare` made once on the device,
and checkpoints whatever :meth:`Task.state_dict` returns. ``step`` returns detached
0-dim tensors; the loop converts them to floats only at logging intervals, so a step
never waits for the device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from genstudy.data.transforms import binarize_dynamic, to_tensor
from genstudy.errors import ParameterError
from genstudy.models.autoencoder import Autoencoder
from genstudy.models.base import bernoulli
from genstudy.models.dbn import DBN
from genstudy.models.gan import GAN
from genstudy.models.rbm import RBM
from genstudy.models.vae import VAE
from genstudy.training.adversarial import descend, discriminator_step, generator_step
from genstudy.training.schedules import learning_rate, momentum

Losses = dict[str, torch.Tensor]


def _adam(params: Any, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
          ) -> torch.optim.Adam:
    """Adam with its fused kernel (one pass over all parameters; CPU and CUDA)."""
    return torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, fused=True)


def set_lr(optimizer: torch.optim.Optimizer, lr: float, momentum_: float | None = None) -> None:
    """Set every parameter group's step size (and SGD's momentum, when given) in place."""
    for group in optimizer.param_groups:
        group["lr"] = lr
        if momentum_ is not None:
            group["momentum"] = momentum_


def use_channels_last(model: torch.nn.Module) -> bool:
    """Put a convolutional ``model`` in channels-last memory layout (in place) and say whether it
    is one. oneDNN's and cuDNN's fastest convolutions use that layout: the same float32
    arithmetic in another memory order (measured on 2 CPU cores: a DCGAN step 53 -> 41 ms).
    The task then gives it channels-last batches (:func:`channels_last`)."""
    if not any(isinstance(m, torch.nn.Conv2d | torch.nn.ConvTranspose2d) for m in model.modules()):
        return False
    model.to(memory_format=torch.channels_last)
    return True


def channels_last(x: torch.Tensor, enabled: bool) -> torch.Tensor:
    """``x`` (N, C, H, W) in channels-last layout when ``enabled`` (a no-op when it already is)."""
    return x.contiguous(memory_format=torch.channels_last) if enabled and x.dim() == 4 else x


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

    def monitor(self) -> Losses:
        """Quantities the update does not need but the history shows, computed only at logging
        steps (e.g. an RBM's reconstruction error); none by default."""
        return {}

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
        self.channels_last = use_channels_last(model)
        self.optimizers = {
            "generator": _adam(model.generator.parameters(), lr, (beta1, 0.999)),
            "discriminator": _adam(model.discriminator.parameters(), lr, (beta1, 0.999)),
        }

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        return to_tensor(images, scale="symmetric", pad_to=self.model.data_shape[-1], device=device)

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        batch = channels_last(batch, self.channels_last)
        D = self.model.discriminator
        fake = self.model.generator(self.model.noise(batch.shape[0], generator))
        loss_d, logit_real, logit_fake = discriminator_step(D, self.optimizers["discriminator"], batch, fake)
        loss_g = generator_step(D, self.optimizers["generator"], fake)
        return {"loss_d": loss_d, "loss_g": loss_g, "d_real": torch.sigmoid(logit_real).mean(),
                "d_fake": torch.sigmoid(logit_fake).mean()}


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

    Adam(``lr``, β1 = ``beta1``, β2 = 0.999, ``eps``), its step size following ``lr_schedule``
    (:mod:`genstudy.training.schedules`; Burda et al. (2016): ``"burda"`` with ``eps`` = 1e-4).
    Reported per example, in nats: ``loss`` = -ELBO, ``reconstruction`` = E_q log p(x|z),
    ``kl`` = KL(q(z|x) || p(z)).
    """

    def __init__(self, model: VAE, lr: float = 1e-3, beta1: float = 0.9, eps: float = 1e-8,
                 lr_schedule: str = "constant") -> None:
        self.model, self.lr, self.lr_schedule, self.epochs = model, lr, lr_schedule, 1
        learning_rate(lr_schedule, lr, 0, 1)  # a schedule's name is checked before any training
        self.channels_last = use_channels_last(model)
        self.optimizers = {"model": _adam(model.parameters(), lr, (beta1, 0.999), eps)}

    def total_epochs(self, epochs: int) -> int:
        self.epochs = epochs
        return epochs

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        return to_tensor(images, scale="unit", device=device)

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        batch = channels_last(batch, self.channels_last)
        x = binarize_dynamic(batch, generator) if self.model.likelihood == "bernoulli" else batch
        if self.lr_schedule != "constant":
            set_lr(self.optimizers["model"], learning_rate(self.lr_schedule, self.lr, epoch, self.epochs))
        terms = self.model.elbo(x, generator=generator)
        loss = descend(self.optimizers["model"], -terms.elbo.mean())
        return {"loss": loss, "reconstruction": terms.reconstruction.mean().detach(),
                "kl": terms.kl.mean().detach()}


Gradients = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


@torch.no_grad()
def contrastive_gradients(rbm: RBM, v_data: torch.Tensor, pre_data: torch.Tensor, v_model: torch.Tensor,
                          pre_model: torch.Tensor) -> Gradients:
    """The CD/PCD update of ``rbm``, written out: ``(dW, db, dc, p(h | v_model))``.

    ``dW, db, dc`` are the gradients of the surrogate ``mean F(v_data) - mean F(v_model)``
    (:meth:`RBM.contrastive_loss`, free energy ``F``), i.e. minus the CD/PCD estimate of the
    log-likelihood gradient::

        dW = (v_modelᵀ p(h|v_model) - v_dataᵀ p(h|v_data)) / N,   db = mean(v_model - v_data),
        dc = mean(p(h|v_model) - p(h|v_data))

    ``pre_data`` = ``v_data W + c`` and ``pre_model`` = ``v_model W + c`` (N, H) are the
    pre-activations (the caller has them); ``p(h | v_model)`` (N, H) is returned for the
    chains' next half-sweep. :func:`free_energy_gap` gives the surrogate's value.
    """
    ph_data, ph_model = torch.sigmoid(pre_data), torch.sigmoid(pre_model)
    n = v_data.shape[0]
    # 1/N folded into the (N, H) factor and the second product accumulated in place: an
    # ``addmm`` with beta != 1 rescales the whole (V, H) result first, 3x slower on the CPU.
    d_w = torch.mm(v_model.t(), ph_model.mul(1.0 / n))
    d_w.addmm_(v_data.t(), ph_data, alpha=-1.0 / n)
    d_b = (v_model - v_data).mean(0)
    d_c = (ph_model - ph_data).mean(0)
    return d_w, d_b, d_c, ph_model


@torch.no_grad()
def free_energy_gap(rbm: RBM, v_data: torch.Tensor, pre_data: torch.Tensor, v_model: torch.Tensor,
                    pre_model: torch.Tensor) -> torch.Tensor:
    """``mean F(v_data) - mean F(v_model)`` from the pre-activations (0-dim)."""
    return ((v_model - v_data).mean(0) @ rbm.b) + (F.softplus(pre_model).sum(1).mean()
                                                    - F.softplus(pre_data).sum(1).mean())


class RBMTrainer:
    """CD-k or PCD-k updates of one RBM with SGD (momentum, weight decay).

    ``persistent`` keeps ``chains`` (one per example of a batch) across updates (PCD): each
    step continues them from ``chain_hidden`` = ``p(h | chains)``, which the previous
    gradient computed anyway (as scikit-learn's ``BernoulliRBM`` does), with a down-pass
    and ``k - 1`` further sweeps. Otherwise each negative phase starts at the data (CD), its
    first up-pass reusing ``p(h | v_data)`` of the positive phase. The gradient is
    :func:`contrastive_gradients` (no autograd): 5 matrix products per CD-1 or PCD-1 step
    (8 through autograd, with the monitors below). The step returns no losses: its
    monitors, computed only when the loop logs, are ``free_energy_gap`` = mean F(data) -
    mean F(model samples) (the surrogate loss, on the last batch) and ``recon_error`` (one
    deterministic up-down pass of the last batch; a monitor of learning, not the objective).
    """

    def __init__(self, rbm: RBM, *, lr: float, k: int, persistent: bool, momentum: float, weight_decay: float,
                 lr_schedule: str = "constant", final_momentum: float | None = None, momentum_epochs: int = 5
                 ) -> None:
        self.rbm, self.k, self.persistent = rbm, k, persistent
        self.lr, self.lr_schedule, self.momentum = lr, lr_schedule, momentum
        self.final_momentum, self.momentum_epochs = final_momentum, momentum_epochs
        learning_rate(lr_schedule, lr, 0, 1)  # a schedule's name is checked before any training
        # fused: one kernel for all parameters (measured 108 µs against 262 µs per step for a 784x500 RBM)
        self.optimizer = torch.optim.SGD(rbm.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay,
                                         fused=True)
        self.chains: torch.Tensor | None = None
        self.chain_hidden: torch.Tensor | None = None
        self.last: tuple[torch.Tensor, ...] | None = None

    def set_epoch(self, epoch: int, epochs: int) -> None:
        """Set SGD's step size and momentum for ``epoch`` (0-based) of ``epochs`` from the schedules
        (:mod:`genstudy.training.schedules`); nothing changes for a constant step and momentum."""
        if self.lr_schedule != "constant" or self.final_momentum is not None:
            set_lr(self.optimizer, learning_rate(self.lr_schedule, self.lr, epoch, epochs),
                   momentum(self.momentum, self.final_momentum, epoch, self.momentum_epochs))

    def step(self, v: torch.Tensor, generator: torch.Generator) -> Losses:
        rbm = self.rbm
        with torch.no_grad():
            pre_data = torch.addmm(rbm.c, v, rbm.W)
            if self.persistent:
                if self.chains is None or self.chains.shape != v.shape:
                    self.chains, self.chain_hidden = bernoulli(torch.full_like(v, 0.5), generator=generator), None
                if self.chain_hidden is None:
                    self.chain_hidden = rbm.p_h(self.chains)
                hidden = self.chain_hidden
            else:
                hidden = torch.sigmoid(pre_data)
            v_model = bernoulli(rbm.p_v(bernoulli(hidden, generator=generator)), generator=generator)
            if self.k > 1:
                v_model, _ = rbm.gibbs(v_model, self.k - 1, generator)
            pre_model = torch.addmm(rbm.c, v_model, rbm.W)
            rbm.W.grad, rbm.b.grad, rbm.c.grad, ph_model = contrastive_gradients(rbm, v, pre_data, v_model, pre_model)
            if self.persistent:
                self.chains, self.chain_hidden = v_model, ph_model
        self.last = (v, pre_data, v_model, pre_model)
        self.optimizer.step()
        return {}

    def state(self) -> dict[str, torch.Tensor | None]:
        """The persistent chains (visible states and their hidden probabilities), for checkpoints."""
        return {"chains": self.chains, "chain_hidden": self.chain_hidden}

    def load_state(self, state: dict[str, torch.Tensor | None] | torch.Tensor | None) -> None:
        """Restore :meth:`state` (from a bare tensor, as older checkpoints stored, the chains' hidden
        side is recomputed at the next step)."""
        if isinstance(state, dict):
            self.chains, self.chain_hidden = state.get("chains"), state.get("chain_hidden")
        else:
            self.chains, self.chain_hidden = state, None

    @torch.no_grad()
    def monitors(self) -> Losses:
        """``free_energy_gap`` of the last update (before it) and ``recon_error`` of its batch
        under the current weights; {} before any step."""
        if self.last is None:
            return {}
        v, pre_data, v_model, pre_model = self.last
        return {"free_energy_gap": free_energy_gap(self.rbm, v, pre_data, v_model, pre_model),
                "recon_error": (v - self.rbm.p_v(self.rbm.p_h(v))).pow(2).mean()}


#: SGD's default step size for an RBM and for each layer of a DBN.
RBM_LR = 0.05


def per_layer(value: Any, n: int) -> list[Any]:
    """``value`` for each of ``n`` layers, bottom first: a sequence as given, anything else ``n`` times
    (``per_layer(3, 2)`` → ``[3, 3]``; ``per_layer([25, 3], 2)`` → ``[25, 3]``)."""
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value] * n


def _layer_values(name: str, value: Any, n: int, valid: Callable[[Any], bool], wanted: str) -> list[Any]:
    """:func:`per_layer` of a DBN option, checked: one value per layer, each ``valid``, or a
    :class:`ParameterError` naming ``wanted`` (e.g. "a positive integer") and the layers."""
    values = per_layer(value, n)
    if len(values) != n or not all(not isinstance(x, bool) and valid(x) for x in values):
        raise ParameterError(name, value, f"{wanted} or {n} of them, one per layer")
    return values


def _rbm_options(lr: float, k: int, persistent: bool, momentum: float, weight_decay: float,
                 **schedules: Any) -> dict[str, Any]:
    return {"lr": lr, "k": k, "persistent": persistent, "momentum": momentum, "weight_decay": weight_decay,
            **schedules}


class RBMTask(Task):
    """Train an RBM with CD-k (default k = 1) or PCD on dynamically binarized images, or, with
    ``binarize=False``, on the grey levels taken as probabilities (scikit-learn's way). SGD's step
    follows ``lr_schedule`` and its momentum goes from ``momentum`` to ``final_momentum`` (when
    given) after ``momentum_epochs`` epochs (:mod:`genstudy.training.schedules`)."""

    def __init__(self, model: RBM, lr: float = RBM_LR, k: int = 1, persistent: bool = False,
                 momentum: float = 0.5, weight_decay: float = 1e-4, binarize: bool = True,
                 lr_schedule: str = "constant", final_momentum: float | None = None, momentum_epochs: int = 5
                 ) -> None:
        self.model, self.binarize, self.epochs = model, binarize, 1
        self.trainer = RBMTrainer(model, **_rbm_options(lr, k, persistent, momentum, weight_decay,
                                                        lr_schedule=lr_schedule, final_momentum=final_momentum,
                                                        momentum_epochs=momentum_epochs))
        self.optimizers = {"model": self.trainer.optimizer}

    def total_epochs(self, epochs: int) -> int:
        self.epochs = epochs
        return epochs

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        x = to_tensor(images, scale="unit", device=device).flatten(1)
        self.model.init_visible_bias(x)
        return x

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        self.trainer.set_epoch(epoch, self.epochs)
        return self.trainer.step(binarize_dynamic(batch, generator) if self.binarize else batch, generator)

    def monitor(self) -> Losses:
        return self.trainer.monitors()

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "chains": self.trainer.state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.trainer.load_state(state.get("chains"))


class DBNTask(Task):
    """Greedy layer-wise training: ``epochs`` epochs of RBM 1 on the data, then of RBM 2 on
    samples of RBM 1's hidden units, and so on. Reports the active ``layer`` too. ``k`` (the
    Gibbs steps of CD-k) and ``lr`` (SGD's step size) hold for every layer, or are given one per
    layer (bottom first): a wide top RBM may need a smaller step than the first; so may ``persistent``
    (PCD or CD, e.g. ``[True, False]``: a top RBM started from the layer below fits its data from the first
    step, and CD's chains start there). The schedules
    (``lr_schedule``, ``final_momentum`` after ``momentum_epochs``) restart with each layer.
    With ``init_from_below``, each layer above the first starts from the transpose of the layer
    below (:meth:`~genstudy.models.dbn.DBN.init_from_below`, Hinton et al. 2006's greedy
    procedure: the DBN then starts as good as the stack below it). ``layer_epochs`` gives each
    layer its own number of epochs (bottom first) instead of the run's ``epochs`` for every layer."""

    def __init__(self, model: DBN, lr: float | Sequence[float] = RBM_LR, k: int | Sequence[int] = 1,
                 persistent: bool | Sequence[bool] = False, momentum: float = 0.5, weight_decay: float = 1e-4,
                 lr_schedule: str = "constant", final_momentum: float | None = None, momentum_epochs: int = 5,
                 init_from_below: bool = False, layer_epochs: Sequence[int] | None = None) -> None:
        self.model = model
        n = model.n_layers
        self.layer_epochs = None if layer_epochs is None else _layer_values(
            "layer_epochs", list(layer_epochs), n, lambda x: isinstance(x, int) and x >= 1, "a positive integer")
        ks = _layer_values("k", k, n, lambda x: isinstance(x, int) and x >= 1, "a positive integer")
        lrs = _layer_values("lr", lr, n, lambda x: isinstance(x, int | float) and x > 0, "a positive number")
        persistents = per_layer(persistent, n)
        if len(persistents) != n or not all(isinstance(x, bool) for x in persistents):
            raise ParameterError("persistent", persistent, f"True or False, or {n} of them, one per layer")
        schedules = {"lr_schedule": lr_schedule, "final_momentum": final_momentum, "momentum_epochs": momentum_epochs}
        self.trainers = [RBMTrainer(rbm, **_rbm_options(float(step), layer_k, layer_persistent, momentum,
                                                        weight_decay, **schedules))
                         for rbm, step, layer_k, layer_persistent in zip(model.rbms, lrs, ks, persistents, strict=True)]
        self.optimizers = {f"layer{i}": t.optimizer for i, t in enumerate(self.trainers)}
        self.epochs_per_layer = 1
        self.layer = 0
        self.init_from_below = init_from_below
        #: The layers that have taken a step (a layer is initialised from the one below before its first).
        self.started: set[int] = set()

    def total_epochs(self, epochs: int) -> int:
        """``epochs`` per layer, or with ``layer_epochs`` the sum of those (the run's ``epochs`` then unused)."""
        self.epochs_per_layer = epochs
        return sum(self.layer_epochs) if self.layer_epochs else epochs * self.model.n_layers

    def _layer_of(self, epoch: int) -> tuple[int, int, int]:
        """``(layer, epoch within it, its epochs)`` of the run's ``epoch`` (0-based)."""
        if not self.layer_epochs:
            layer = epoch // self.epochs_per_layer
            return layer, epoch - layer * self.epochs_per_layer, self.epochs_per_layer
        start = 0
        for layer, length in enumerate(self.layer_epochs):
            if epoch < start + length:
                return layer, epoch - start, length
            start += length
        return len(self.layer_epochs) - 1, epoch - start + self.layer_epochs[-1], self.layer_epochs[-1]

    def prepare(self, images: np.ndarray, device: torch.device) -> torch.Tensor:
        x = to_tensor(images, scale="unit", device=device).flatten(1)
        self.model.rbms[0].init_visible_bias(x)
        return x

    def step(self, batch: torch.Tensor, epoch: int, generator: torch.Generator) -> Losses:
        layer, within, length = self._layer_of(epoch)
        self.layer = layer
        if layer not in self.started:
            if layer > 0 and self.init_from_below:
                self.model.init_from_below(layer, generator)
            self.started.add(layer)
        v = binarize_dynamic(batch, generator)
        if layer > 0:
            v = bernoulli(self.model.up(v, layer), generator=generator)
        trainer = self.trainers[layer]
        trainer.set_epoch(within, length)
        losses = trainer.step(v, generator)
        return {**losses, "layer": torch.tensor(float(layer))}

    def monitor(self) -> Losses:
        return self.trainers[self.layer].monitors()

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "chains": [t.state() for t in self.trainers], "started": sorted(self.started)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        for t, chains in zip(self.trainers, state.get("chains", []), strict=False):
            t.load_state(chains)
        self.started = set(state.get("started", ()))
