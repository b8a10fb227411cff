"""Train and measure the three families on the 2-D mixtures (chapter *Mode collapse in 2-D*).

One call, :func:`train_toy`, trains one model (``gan``, ``vae`` or ``gbrbm``) on one
mixture (``ring8`` or ``grid25``) for a number of steps and returns a :class:`ToyRun`:
samples at evenly spaced steps, the loss history, and the final measurements

* ``modes_captured`` / ``high_quality``: :func:`genstudy.metrics.coverage.mode_coverage`
  (3σ rule; PacGAN's 1/5 share rule for a captured mode);
* ``mode_kl``: KL(p_gen ‖ uniform) of the high-quality samples' mode histogram (0 = every
  mode equally often; log K = a single mode), nats;
* ``kde_ll``: mean log-density of held-out mixture points under a Gaussian KDE of the
  samples (scikit-learn; bandwidth chosen on a validation set), nats per point, the
  same yardstick for every family;
* ``log_likelihood``: the family's own number where it has one: the GB-RBM's exact
  log-likelihood, the VAE's importance-weighted bound (k = 100); ``None`` for the GAN.

Training data is a fixed set of 20,000 points, so "training set" means the same thing as
for the images; every draw comes from generators seeded by ``seed``.

The chapter computes in double precision (:data:`TOY_DTYPE`, :func:`toy_precision`): a 2-D training
amplifies a rounding of its last bit into another model. Measured on the smoke profile (300 steps, seed
0): flipping the last bit of 30% of the parameters after every step changed every trained model's
table row in float32 (the ring's VAE: high-quality share 0.0048 → 0.0044, mode KL 0.375 → 0.359; the
PCD-10 GB-RBM's exact log-likelihood −3.379 → −3.007), and no number to four digits in float64. An Intel
Xeon and an AMD EPYC, whose float32 computations differ somewhere in a last bit (not in MKL's products on
its ``COMPATIBLE`` branch: :mod:`genstudy.site.isa`), trained different float32 models (the chapter's smoke
references failed on the one they were not made on).

A GB-RBM's own quantity is its exact log-likelihood, so its runs log it on :data:`HELD_OUT_POINTS`
held-out points at every logging step (``held_out_log_likelihood``): whether its training had
levelled off is read from that curve (:func:`rbm_reading`, the literature chapter's last-third
rule). What the family *can* represent is shown apart from what training reached:
:func:`grid_rbm` builds by hand a GB-RBM of 8 hidden units whose mixture puts equal mass on the
5×5 grid's 25 modes (:func:`capacity_table` sets it beside the trained ones and the true mixture).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from genstudy.data.toy2d import Mixture, mixture
from genstudy.errors import ParameterError
from genstudy.metrics.coverage import mode_coverage
from genstudy.models.toy2d import GaussianBernoulliRBM, ToyGAN, ToyVAE
from genstudy.runs.record import new_record, write_record
from genstudy.study.literature import last_third_rise
from genstudy.training.adversarial import descend, discriminator_step, generator_step
from genstudy.training.seeding import seed_everything

#: The 2-D models: name → display label in the chapter's tables.
TOY_MODELS: dict[str, str] = {
    "gan": "GAN (MLP, non-saturating)",
    "vae": "VAE (Gaussian decoder)",
    "gbrbm": "GB-RBM, PCD-10",
    "gbrbm_exact": "GB-RBM, exact gradient",
}
#: The family of each 2-D model (the record's ``family``, as for the image runs).
TOY_FAMILIES: dict[str, str] = {"gan": "gan", "vae": "vae", "gbrbm": "rbm", "gbrbm_exact": "rbm"}
#: Hidden units of both GB-RBMs: few enough to enumerate (2^12 states) for exact log Z.
RBM_HIDDEN = 12
TRAIN_POINTS, TEST_POINTS, VALIDATION_POINTS = 20_000, 5_000, 2_000
#: Held-out points of a GB-RBM's exact log-likelihood curve (drawn with the run's seed + 20,000).
HELD_OUT_POINTS = 1_000
#: A GB-RBM's held-out log-likelihood curve has levelled off when it rose by at most this over the
#: last third of its steps (nats per point).
TOY_FLAT_NATS = 0.02
#: Folder of the 2-D runs' records inside ``results/<profile>/``.
TOY_DIR = "toy2d"
KDE_BANDWIDTHS = np.logspace(-2.3, 0, 12)
KDE_RTOL = 1e-4
#: The precision of every 2-D model, its data and its noise (see the module's docstring); samples are
#: stored in float32.
TOY_DTYPE = torch.float64


@contextmanager
def toy_precision() -> Iterator[None]:
    """Make :data:`TOY_DTYPE` torch's default floating type inside the block (so that the models'
    parameters and every draw of noise are made in it), and restore the previous default after."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(TOY_DTYPE)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def _points(mix: Mixture, n: int, seed: int) -> torch.Tensor:
    """``n`` points of ``mix`` drawn with ``seed``, as a (n, 2) tensor of :data:`TOY_DTYPE`."""
    return torch.from_numpy(mix.sample(n, seed=seed)[0]).to(TOY_DTYPE)


@dataclass
class ToyRun:
    """One trained toy model: ``snapshots`` step → (n_show, 2) samples; ``samples`` (n_eval, 2)."""

    model: str
    mixture: str
    seed: int
    steps: int
    snapshots: dict[int, np.ndarray]
    history: pd.DataFrame
    samples: np.ndarray
    metrics: dict[str, Any] = field(default_factory=dict)
    train_s: float = 0.0
    sample_1k_s: float = 0.0
    params_count: int = 0

    def record(self, profile: str) -> dict[str, Any]:
        """The run record (schema of :mod:`genstudy.runs.record`) that :func:`write_toy_run` stores:
        ``dataset`` is the mixture, ``label`` the model's display label."""
        return new_record(
            rid=f"{self.model}-{self.mixture}-seed{self.seed}", model=self.model, family=TOY_FAMILIES[self.model],
            label=TOY_MODELS[self.model], framework="pytorch", dataset=self.mixture, profile=profile, seed=self.seed,
            device="cpu", device_name="cpu", params_count=self.params_count, config={"steps": self.steps},
            training={"steps": self.steps},
            timings={"train_s": round(self.train_s, 3), "sample_1k_s": round(self.sample_1k_s, 5)},
            metrics=self.metrics)


def _kde_log_likelihood(samples: np.ndarray, validation: np.ndarray, test: np.ndarray) -> tuple[float, float]:
    """(mean test log-density, chosen bandwidth) of a Gaussian KDE on ``samples``.

    scikit-learn's tree KDE with a relative tolerance of 1e-4 on each density (3.5x faster
    than exact; the log-densities move by about 1e-4 nats)."""
    from sklearn.neighbors import KernelDensity

    def kde(bw: float) -> KernelDensity:
        return KernelDensity(bandwidth=bw, rtol=KDE_RTOL).fit(samples)

    best = max(KDE_BANDWIDTHS, key=lambda bw: kde(float(bw)).score(validation))
    return float(kde(float(best)).score_samples(test).mean()), float(best)


def measure(samples: np.ndarray, mix: Mixture, seed: int) -> dict[str, Any]:
    """Mode coverage, mode KL and KDE log-likelihood of ``samples`` (N, 2) against ``mix``."""
    cov = mode_coverage(samples, mix)
    hist = cov.counts / max(cov.counts.sum(), 1)
    nz = hist > 0
    mode_kl = float(np.sum(hist[nz] * np.log(hist[nz] * mix.n_modes))) if nz.any() else float("nan")
    validation, _ = mix.sample(VALIDATION_POINTS, seed=seed + 20_000)
    test, _ = mix.sample(TEST_POINTS, seed=seed + 10_000)
    kde_ll, bandwidth = _kde_log_likelihood(samples, validation, test)
    return {"modes_captured": cov.modes_captured, "n_modes": mix.n_modes, "high_quality": round(cov.high_quality, 4),
            "mode_kl": round(mode_kl, 4), "kde_ll": round(kde_ll, 4), "kde_bandwidth": round(bandwidth, 4),
            "mode_counts": cov.counts.tolist()}


def _batches(data: torch.Tensor, batch_size: int, generator: torch.Generator) -> torch.Tensor:
    idx = torch.randint(0, len(data), (batch_size,), generator=generator)
    return data[idx]


def build_toy_model(model: str, generator: torch.Generator, data: torch.Tensor) -> torch.nn.Module:
    """A freshly initialised toy model of kind ``model``."""
    if model == "gan":
        return ToyGAN()
    if model == "vae":
        return ToyVAE()
    if model in ("gbrbm", "gbrbm_exact"):
        rbm = GaussianBernoulliRBM(n_hidden=RBM_HIDDEN, init_std=0.5, generator=generator)
        rbm.init_from_data(data)
        return rbm
    raise ParameterError("model", model, tuple(TOY_MODELS))


def train_toy(model: str, mixture_name: str, steps: int, seed: int = 0, *, batch_size: int = 256,
              n_snapshots: int = 6, n_show: int = 1_000, n_eval: int = 2_500, pcd_k: int = 10) -> ToyRun:
    """Train ``model`` on ``mixture_name`` for ``steps`` minibatch updates on the CPU.

    GAN: Adam (1e-3, β₁ = 0.5), one D step and one G step per batch. VAE: Adam (1e-3) on the
    negative ELBO. GB-RBM (12 hidden units; W, b, c and log σ² learned, Adam 1e-2):
    ``gbrbm`` follows PCD-``pcd_k`` with 256 persistent chains (the free-energy difference),
    ``gbrbm_exact`` the exact log-likelihood gradient (log Z enumerated), which separates
    what the model can represent from what its usual training reaches. Snapshots of ``n_show`` samples
    are taken at ``n_snapshots`` evenly spaced steps including the last; the final
    ``n_eval`` samples are measured with :func:`measure`. Everything is computed in :data:`TOY_DTYPE`.
    """
    if model not in TOY_MODELS:
        raise ParameterError("model", model, tuple(TOY_MODELS))
    if steps < n_snapshots:
        raise ParameterError("steps", steps, f"an integer >= n_snapshots ({n_snapshots})")
    with toy_precision():
        return _train_toy(model, mixture(mixture_name), steps, seed, batch_size, n_snapshots, n_show, n_eval, pcd_k)


def _train_toy(model: str, mix: Mixture, steps: int, seed: int, batch_size: int, n_snapshots: int, n_show: int,
               n_eval: int, pcd_k: int) -> ToyRun:
    """:func:`train_toy` of a validated ``model`` on ``mix``, in the default precision set by its caller."""
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    data = _points(mix, TRAIN_POINTS, seed)
    net = build_toy_model(model, gen, data)
    snap_at = set(np.linspace(steps / n_snapshots, steps, n_snapshots).round().astype(int).tolist())
    snapshots: dict[int, np.ndarray] = {}
    rows: list[dict[str, float]] = []
    start = time.perf_counter()

    if model == "gan":
        assert isinstance(net, ToyGAN)
        opt_d = torch.optim.Adam(net.discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
        opt_g = torch.optim.Adam(net.generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    else:
        opt = torch.optim.Adam(net.parameters(), lr=1e-3 if model == "vae" else 1e-2)
        chains = _batches(data, batch_size, gen).clone() if model == "gbrbm" else None
    held = _points(mix, HELD_OUT_POINTS, seed + 20_000)

    for step in range(1, steps + 1):
        x = _batches(data, batch_size, gen)
        if model == "gan":
            fake = net.generator(torch.randn(batch_size, net.latent_dim, generator=gen))
            loss_d, _, _ = discriminator_step(net.discriminate, opt_d, x, fake)
            losses = {"loss_d": loss_d, "loss_g": generator_step(net.discriminate, opt_g, fake)}
        elif model == "vae":
            losses = {"neg_elbo": descend(opt, -net.elbo(x, gen).mean())}
        elif model == "gbrbm_exact":
            losses = {"neg_log_likelihood": descend(opt, -net.log_likelihood(x).mean())}
        else:
            chains = net.gibbs(chains, pcd_k, gen)
            losses = {"free_energy_gap": descend(opt, net.contrastive_loss(x, chains))}
        if step % max(1, steps // 100) == 0 or step == steps:
            rows.append({"step": step, **{k: float(v.detach()) for k, v in losses.items()}})
            if isinstance(net, GaussianBernoulliRBM):
                with torch.no_grad():
                    rows[-1]["held_out_log_likelihood"] = float(net.log_likelihood(held).mean())
        if step in snap_at:
            snapshots[step] = net.sample(n_show, torch.Generator().manual_seed(seed + step)).numpy().astype(np.float32)
    train_s = time.perf_counter() - start

    t0 = time.perf_counter()
    net.sample(1_000, torch.Generator().manual_seed(seed + 1))
    sample_1k_s = time.perf_counter() - t0
    samples = net.sample(n_eval, torch.Generator().manual_seed(seed + 2)).numpy()
    metrics = measure(samples, mix, seed)
    test = _points(mix, TEST_POINTS, seed + 10_000)
    with torch.no_grad():
        if model in ("gbrbm", "gbrbm_exact"):
            metrics["log_likelihood"] = round(float(net.log_likelihood(test).mean()), 4)
            metrics["log_likelihood_estimator"] = f"exact (2^{RBM_HIDDEN} hidden states)"
        elif model == "vae":
            ll = net.log_likelihood(test, k=100, generator=torch.Generator().manual_seed(seed + 3))
            metrics["log_likelihood"] = round(float(ll.mean()), 4)
            metrics["log_likelihood_estimator"] = "IWAE bound, k=100"
        else:
            metrics["log_likelihood"] = None
            metrics["log_likelihood_estimator"] = "none (implicit model)"
    return ToyRun(model=model, mixture=mix.name, seed=seed, steps=steps, snapshots=snapshots,
                  history=pd.DataFrame(rows), samples=samples.astype(np.float32), metrics=metrics, train_s=train_s,
                  sample_1k_s=sample_1k_s, params_count=sum(p.numel() for p in net.parameters() if p.requires_grad))


def write_toy_run(run: ToyRun, root: Path, profile: str) -> Path:
    """Store ``run`` under ``root/<profile>/toy2d/<model>-<mixture>-seed<k>/`` (record.json,
    history.csv, snapshots.npz); return the folder."""
    directory = Path(root) / profile / TOY_DIR / f"{run.model}-{run.mixture}-seed{run.seed}"
    directory.mkdir(parents=True, exist_ok=True)
    run.history.to_csv(directory / "history.csv", index=False)
    np.savez_compressed(directory / "snapshots.npz", samples=run.samples,
                        **{f"step_{k}": v for k, v in run.snapshots.items()})
    write_record(directory, run.record(profile))
    return directory


def toy_table(runs: list[ToyRun]) -> pd.DataFrame:
    """One row per run (mixture, model): the measurements of :func:`measure` and the costs."""
    rows = []
    for r in runs:
        m = r.metrics
        rows.append({"mixture": r.mixture, "model": TOY_MODELS[r.model],
                     "modes captured": f"{m['modes_captured']}/{m['n_modes']}",
                     "high-quality share": m["high_quality"], "mode KL ↓": m["mode_kl"],
                     "KDE log-lik. ↑": m["kde_ll"], "own log-lik.": m["log_likelihood"],
                     "estimator": m["log_likelihood_estimator"], "train s": round(r.train_s, 1),
                     "1k samples s": round(r.sample_1k_s, 4)})
    return pd.DataFrame(rows).set_index(["mixture", "model"])


def mixture_log_density(mix: Mixture, x: np.ndarray) -> np.ndarray:
    """The mixture's own log-density at the points ``x`` (N, 2), nats per point: the ceiling of
    every model's mean log-likelihood on its points (up to sampling noise)."""
    d = x[:, None, :] - mix.centers[None, :, :]
    log_k = -(d**2).sum(-1) / (2 * mix.std**2) - np.log(2 * np.pi * mix.std**2)
    return np.logaddexp.reduce(log_k, axis=1) - np.log(mix.n_modes)


def grid_rbm(mix: Mixture) -> GaussianBernoulliRBM:
    """A GB-RBM built by hand for a square grid mixture of ``m × m`` modes, ``m - 1`` hidden units per
    axis (8 for the 5×5 grid): σ the modes' std, ``b`` the lowest corner, every unit of an axis adds
    one spacing along it, so ``n`` units on place a component ``n`` spacings further. The quadratic
    term of ``p(h)`` (``(‖b + W h‖² − ‖b‖²) / 2σ²``) favours far corners; biases that fall steeply
    along each axis (``c_j = s²(m - 2 - 2j) / 2σ²`` for the axis's ``j``-th unit, ``s`` the spacing:
    2,400, 800, −800 and −2,400 nats on the 5×5 grid) cancel it for the states "the first ``n`` units
    of each axis on", and leave every other state at least ``s²/σ²`` nats (1,600) below: all ``m²``
    modes equally likely, nearly nothing elsewhere. A ParameterError for a mixture that is not such a
    grid (e.g. the ring). Built in :data:`TOY_DTYPE`."""
    centres = np.asarray(mix.centers)
    ticks = np.unique(centres[:, 0])
    m = len(ticks)
    spacing = float(np.diff(ticks).mean()) if m > 1 else 0.0
    grid = {(round(x, 9), round(y, 9)) for x in ticks for y in ticks}
    if m < 2 or not np.allclose(np.diff(ticks), spacing) or {tuple(np.round(c, 9)) for c in centres} != grid:
        raise ParameterError("mixture", mix.name, "a square grid of equally spaced modes")
    units = m - 1
    with toy_precision():
        rbm = GaussianBernoulliRBM(n_visible=2, n_hidden=2 * units)
    var = mix.std**2
    with torch.no_grad():
        rbm.W.zero_()
        rbm.W[0, :units] = spacing
        rbm.W[1, units:] = spacing
        rbm.b.fill_(float(ticks[0]))
        rbm.log_var.fill_(float(np.log(var)))
        axis = torch.tensor([spacing**2 * (units - 1 - 2 * j) / (2 * var) for j in range(units)],
                            dtype=rbm.c.dtype)
        rbm.c.copy_(torch.cat([axis, axis]))
    return rbm


def rbm_reading(run: ToyRun, ceiling: float, built: bool) -> str:
    """What a GB-RBM run's held-out exact log-likelihood curve says: still rising over its last third
    by more than :data:`TOY_FLAT_NATS` (the budget was too short), or levelled off, and how far below
    ``ceiling`` (nats per point) it settled: the hand-built RBM's when ``built`` (so the family can
    hold the modes and this training did not find them), else the mixture's own density (which the
    family may not reach: the reading names no cause)."""
    rise = last_third_rise(run.history, "held_out_log_likelihood")
    if rise is None:
        return "no curve"
    if rise.rise > TOY_FLAT_NATS:
        return f"still rising (+{rise.rise:.3f} nats over the last third): the budget was too short"
    below = ceiling - rise.end
    if built:
        return (f"levelled off ({rise.rise:+.3f} nats over the last third), {below:.2f} nats below the RBM built "
                f"by hand: the family holds the modes, this training did not find them")
    return (f"levelled off ({rise.rise:+.3f} nats over the last third), {below:.2f} nats below the mixture's own "
            f"density (no RBM built by hand for it: capacity and training not told apart)")


def capacity_table(runs: list[ToyRun], seed: int = 0, n_eval: int = 2_500) -> pd.DataFrame:
    """Per mixture of the GB-RBM runs among ``runs``: the mixture's own mean log-density on the runs'
    test points, the hand-built GB-RBM's (:func:`grid_rbm`, grids only) with its modes captured, and
    each trained GB-RBM's exact log-likelihood, modes and :func:`rbm_reading` (against the hand-built
    RBM where there is one, else the mixture's own density). Rows ``(mixture, model)``; columns ``hidden units``,
    ``exact log-lik. (test)``, ``modes captured``, ``high-quality share``, ``held-out curve``."""
    with toy_precision():
        rows = _capacity_rows(runs, seed, n_eval)
    return pd.DataFrame(rows).set_index(["mixture", "model"])


def _capacity_rows(runs: list[ToyRun], seed: int, n_eval: int) -> list[dict[str, Any]]:
    """The rows of :func:`capacity_table`, in the default precision set by its caller."""
    rows = []
    for name in dict.fromkeys(r.mixture for r in runs if isinstance(r.model, str) and r.model.startswith("gbrbm")):
        mix = mixture(name)
        test = mix.sample(TEST_POINTS, seed=seed + 10_000)[0]
        truth = float(mixture_log_density(mix, test.astype(np.float64)).mean())
        rows.append({"mixture": name, "model": "the mixture itself", "hidden units": "",
                     "exact log-lik. (test)": round(truth, 3), "modes captured": f"{mix.n_modes}/{mix.n_modes}",
                     "high-quality share": "", "held-out curve": ""})
        ceiling = truth
        try:
            built = grid_rbm(mix)
        except ParameterError:
            built = None
        if built is not None:
            with torch.no_grad():
                ll = float(built.log_likelihood(torch.from_numpy(test).to(TOY_DTYPE)).mean())
            metrics = measure(built.sample(n_eval, torch.Generator().manual_seed(seed + 2)).numpy(), mix, seed)
            ceiling = ll
            rows.append({"mixture": name, "model": "GB-RBM built by hand", "hidden units": built.n_hidden,
                         "exact log-lik. (test)": round(ll, 3),
                         "modes captured": f"{metrics['modes_captured']}/{mix.n_modes}",
                         "high-quality share": metrics["high_quality"], "held-out curve": ""})
        for r in runs:
            if r.mixture == name and r.model.startswith("gbrbm"):
                rows.append({"mixture": name, "model": TOY_MODELS[r.model], "hidden units": RBM_HIDDEN,
                             "exact log-lik. (test)": r.metrics["log_likelihood"],
                             "modes captured": f"{r.metrics['modes_captured']}/{r.metrics['n_modes']}",
                             "high-quality share": r.metrics["high_quality"],
                             "held-out curve": rbm_reading(r, ceiling, built is not None)})
    return rows
