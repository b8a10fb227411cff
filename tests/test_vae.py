"""The VAE's ELBO against a hand computation, and its importance-weighted bound against exact log p(x)."""

from __future__ import annotations

import math

import torch
from torch import nn

from genstudy.models.vae import VAE, vae_conv, vae_mlp


def tiny_vae(likelihood: str = "bernoulli") -> VAE:
    """2x2 images, 1 latent unit, linear encoder and decoder with fixed weights."""
    enc = nn.Sequential(nn.Flatten(), nn.Linear(4, 2)).double()
    dec = nn.Sequential(nn.Linear(1, 4), nn.Unflatten(1, (1, 2, 2))).double()
    with torch.no_grad():
        enc[1].weight.copy_(torch.tensor([[0.5, -0.25, 0.1, 0.0], [0.2, 0.2, -0.4, 0.3]], dtype=torch.float64))
        enc[1].bias.copy_(torch.tensor([0.1, -1.0], dtype=torch.float64))
        dec[0].weight.copy_(torch.tensor([[1.5], [-2.0], [0.5], [1.0]], dtype=torch.float64))
        dec[0].bias.copy_(torch.tensor([-0.5, 0.25, 0.0, 0.75], dtype=torch.float64))
    return VAE(enc, dec, latent_dim=1, side=2, likelihood=likelihood).double()


X = torch.tensor([[[[1.0, 0.0], [1.0, 1.0]]]], dtype=torch.float64)


def test_elbo_equals_the_hand_computation() -> None:
    vae = tiny_vae()
    eps = torch.tensor([[0.3]], dtype=torch.float64)
    terms = vae.elbo(X, eps=eps)
    x = [1.0, 0.0, 1.0, 1.0]
    mu = 0.5 * 1 - 0.25 * 0 + 0.1 * 1 + 0.0 * 1 + 0.1          # 0.7
    logvar = 0.2 * 1 + 0.2 * 0 - 0.4 * 1 + 0.3 * 1 - 1.0         # -0.9
    z = mu + math.exp(0.5 * logvar) * 0.3
    logits = [1.5 * z - 0.5, -2.0 * z + 0.25, 0.5 * z, 1.0 * z + 0.75]
    rec = sum(xi * math.log(1 / (1 + math.exp(-lg))) + (1 - xi) * math.log(1 - 1 / (1 + math.exp(-lg)))
              for xi, lg in zip(x, logits, strict=True))
    kl = 0.5 * (mu**2 + math.exp(logvar) - 1 - logvar)
    assert math.isclose(terms.reconstruction.item(), rec, rel_tol=1e-12)
    assert math.isclose(terms.kl.item(), kl, rel_tol=1e-12)
    assert math.isclose(terms.elbo.item(), rec - kl, rel_tol=1e-12)


def test_gaussian_decoder_log_density() -> None:
    vae = tiny_vae("gaussian")
    with torch.no_grad():
        vae.log_sigma.fill_(math.log(0.5))
    eps = torch.zeros(1, 1, dtype=torch.float64)
    terms = vae.elbo(X, eps=eps)
    mean = torch.sigmoid(vae.decoder(torch.tensor([[0.7]], dtype=torch.float64))).flatten()
    expected = sum(-0.5 * ((xi - m) / 0.5) ** 2 - math.log(0.5) - 0.5 * math.log(2 * math.pi)
                   for xi, m in zip([1.0, 0.0, 1.0, 1.0], mean.tolist(), strict=True))
    assert math.isclose(terms.reconstruction.item(), expected, rel_tol=1e-12)


def test_calibrated_gaussian_uses_the_batch_maximum_likelihood_sigma_then_its_running_average() -> None:
    vae = tiny_vae("calibrated_gaussian").train()
    x = torch.cat([X, 1 - X])
    logits = vae.decoder(torch.tensor([[0.7], [-0.2]], dtype=torch.float64))
    squared = (x - torch.sigmoid(logits)) ** 2
    variance = squared.mean().item()
    trained = vae.log_px_given_z(x, logits)
    expected = (-0.5 * squared / variance - 0.5 * math.log(variance) - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)
    torch.testing.assert_close(trained, expected)
    # σ² = the mean squared error maximises the batch's summed log-density over σ
    for other in (0.5 * variance, 2 * variance):
        at_other = (-0.5 * squared / other - 0.5 * math.log(other) - 0.5 * math.log(2 * math.pi)).sum()
        assert at_other < trained.sum()
    assert math.isclose(vae.running_variance.item(), 0.9 * 1.0 + 0.1 * variance, rel_tol=1e-12)
    vae.eval()
    in_eval = vae.log_px_given_z(x, logits)
    running = vae.running_variance.item()
    torch.testing.assert_close(in_eval, (-0.5 * squared / running - 0.5 * math.log(running)
                                         - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1))
    assert vae.running_variance.item() == running, "evaluation does not move the running σ²"


def exact_log_px(vae: VAE, x: torch.Tensor) -> float:
    """log p(x) = log ∫ p(x|z) N(z; 0, 1) dz by the trapezoid rule on [-10, 10]."""
    z = torch.linspace(-10, 10, 200_001, dtype=torch.float64)[:, None]
    log_joint = vae.log_px_given_z(x.expand(len(z), -1, -1, -1), vae.decoder(z)) - 0.5 * z[:, 0] ** 2 \
        - 0.5 * math.log(2 * math.pi)
    dz = z[1, 0] - z[0, 0]
    return (torch.logsumexp(log_joint, 0) + torch.log(dz)).item()


def test_iwae_bound_rises_with_k_and_stays_below_log_px() -> None:
    vae = tiny_vae()
    exact = exact_log_px(vae, X)
    xs = X.repeat(4_000, 1, 1, 1)  # average over many independent estimates
    bounds = {}
    for k in (1, 10, 100):
        bounds[k] = vae.log_likelihood(xs, k=k, generator=torch.Generator().manual_seed(k)).mean().item()
    assert bounds[1] < bounds[10] < bounds[100] <= exact + 1e-3
    assert exact - bounds[100] < 0.01, "with 100 samples the bound is tight on a 1-D latent"
    elbo = vae.elbo(xs, generator=torch.Generator().manual_seed(0)).elbo.mean().item()
    assert abs(bounds[1] - elbo) < 0.02, "k = 1 is the ELBO"


def test_shapes_of_the_two_architectures() -> None:
    g = torch.Generator().manual_seed(0)
    for vae in (vae_mlp(latent_dim=8, hidden=64), vae_conv(latent_dim=8, width=8)):
        x = torch.rand(5, 1, 28, 28)
        terms = vae.elbo(x, generator=g)
        assert terms.elbo.shape == terms.kl.shape == (5,)
        assert (terms.kl >= 0).all()
        assert vae.sample(3, g).shape == (3, 1, 28, 28)
        assert vae.reconstruct(x).shape == x.shape
