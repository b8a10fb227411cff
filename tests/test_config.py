"""Profiles and run-parameter validation: every bad value names the parameter and the allowed values."""

from __future__ import annotations

import pytest
import torch

from genstudy.config import MODELS, PROFILES, RunParams, get_profile, resolve_device
from genstudy.errors import ParameterError


def test_profiles_are_ordered_by_cost() -> None:
    smoke, quick, full = (PROFILES[n] for n in ("smoke", "quick", "full"))
    assert smoke.train_size < quick.train_size and full.train_size is None
    assert smoke.epochs <= quick.epochs < full.epochs
    assert len(full.seeds) >= 3
    assert smoke.eval_samples < quick.eval_samples < full.eval_samples


def test_defaults_come_from_the_profile() -> None:
    p = RunParams(model="dcgan", profile="smoke")
    assert (p.epochs, p.batch_size) == (PROFILES["smoke"].epochs, PROFILES["smoke"].batch_size)
    assert p.family == "gan"
    assert RunParams(model="rbm", profile="smoke", epochs=3).epochs == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "wgan"}, r"invalid model='wgan'; allowed: 'dcgan', 'article_gan', 'article_gan_bn', 'autoencoder'"),
        ({"epochs": -1}, r"invalid epochs=-1; allowed: a positive integer"),
        ({"epochs": 0}, r"invalid epochs=0; allowed: a positive integer"),
        ({"batch_size": 2.5}, r"invalid batch_size=2.5; allowed: a positive integer"),
        ({"dataset": "cifar10"}, r"invalid dataset='cifar10'; allowed: 'fashion_mnist', 'mnist', 'digits', 'ring8'"),
        ({"profile": "huge"}, r"invalid profile='huge'; allowed: 'smoke', 'quick', 'full'"),
        ({"seed": -3}, r"invalid seed=-3; allowed: an integer >= 0"),
        ({"device": "tpu"}, r"invalid device='tpu'; allowed: 'auto', 'cpu', 'cuda', 'cuda:N'"),
        ({"data_dir": "/definitely/not/here"}, r"invalid data_dir='/definitely/not/here'"),
    ],
)
def test_bad_parameters_are_named(changes: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        RunParams(**{"model": "dcgan", **changes})


def test_cuda_request_matches_the_machine() -> None:
    if torch.cuda.is_available():
        assert resolve_device("cuda").type == "cuda"
        with pytest.raises(ParameterError, match=r"invalid device='cuda:999'"):
            resolve_device("cuda:999")
    else:
        with pytest.raises(ParameterError, match=r"invalid device='cuda'; allowed: auto, cpu \(no CUDA GPU"):
            RunParams(model="dcgan", device="cuda")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_every_model_has_a_family_and_profiles_are_named() -> None:
    assert set(MODELS.values()) == {"gan", "autoencoder", "vae", "rbm", "dbn"}
    assert get_profile("quick").name == "quick"
    assert RunParams(model="vae_mlp").with_(seed=5).seed == 5
    with pytest.raises(ParameterError):
        RunParams(model="vae_mlp").with_(seed=-1)


def test_budgets_apply_per_model_overrides() -> None:
    quick = PROFILES["quick"]
    assert quick.budget("dcgan").options == {"width": 32}
    assert quick.budget("dcgan").epochs == 3 and quick.budget("rbm").epochs == quick.epochs
    assert quick.budget("article_gan").train_size == 10_000
    assert quick.budget("seed_gan") == quick.budget("article_gan")  # the former name, still accepted
    assert RunParams(model="seed_gan_bn").model == "article_gan_bn"
    assert RunParams(model="dcgan", profile="quick").epochs == 3
    assert RunParams(model="dcgan", profile="quick", epochs=7).budget.epochs == 7
    with pytest.raises(ParameterError, match="invalid model='gan'"):
        quick.budget("gan")
