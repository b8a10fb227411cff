"""Shapes and contracts of every family through the shared surface."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from genstudy.config import MODELS
from genstudy.data import IMAGE_SIDES, load_images
from genstudy.errors import ParameterError
from genstudy.models import ALIASES, DBN, build, canonical_name
from genstudy.models.registry import check_dataset
from genstudy.runs.chapter import ModelChapter


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_samples_images_in_unit_range(name: str) -> None:
    torch.manual_seed(0)
    options = {"width": 8} if name == "dcgan" else {}
    model = build(name, gibbs_steps=2, **options)
    g = torch.Generator().manual_seed(0)
    x = model.sample(4, g)
    assert model.gibbs_steps == (2 if model.family in ("rbm", "dbn") else 0)
    assert x.shape == (4, *model.data_shape)
    assert x.shape[-1] == (32 if model.family == "gan" else 28)
    assert torch.isfinite(x).all() and x.min() >= 0 and x.max() <= 1
    assert model.n_parameters() > 0


def test_article_gan_keeps_the_articles_layer_stack() -> None:
    gan = build("article_gan")
    linear = [m for m in gan.generator.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(100, 128), (128, 1024), (1024, 16384)]
    assert gan.generator(torch.zeros(2, 100)).shape == (2, 1, 32, 32)
    assert gan.discriminator(torch.zeros(2, 1, 32, 32)).shape == (2,)
    # Parameter counts of the article's stack, layer by layer (weights + biases); the
    # TensorFlow chapter's Keras model must report the same numbers.
    generator = (100 * 128 + 128) + (128 * 1024 + 1024) + (1024 * 16384 + 16384) \
        + (256 * 128 * 4 * 4 + 128) + (128 * 1 * 4 * 4 + 1)
    discriminator = (1 * 64 * 4 * 4 + 64) + (64 * 128 * 4 * 4 + 128) + (128 * 8 * 8 + 1)
    assert sum(p.numel() for p in gan.generator.parameters()) == generator == 17_465_089
    assert sum(p.numel() for p in gan.discriminator.parameters()) == discriminator == 140_481


def test_article_gan_bn_is_the_same_stack_with_three_batch_norms() -> None:
    plain, normalised = build("article_gan"), build("article_gan_bn")
    kinds = lambda gan: [type(m).__name__ for m in gan.generator.net]  # noqa: E731
    assert kinds(plain) == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear", "ReLU", "Unflatten",
                            "ConvTranspose2d", "ReLU", "ConvTranspose2d", "Tanh"]
    assert kinds(normalised) == ["Linear", "LeakyReLU", "Linear", "BatchNorm1d", "LeakyReLU", "Linear", "BatchNorm1d",
                                 "ReLU", "Unflatten", "ConvTranspose2d", "BatchNorm2d", "ReLU", "ConvTranspose2d",
                                 "Tanh"]
    norms = [m for m in normalised.generator.modules() if isinstance(m, torch.nn.BatchNorm1d | torch.nn.BatchNorm2d)]
    assert [m.num_features for m in norms] == [1024, 16384, 128]
    assert all(m.eps == 1e-3 and m.momentum == 0.1 for m in norms)  # Keras' BatchNormalization(momentum=0.9)
    extra = sum(p.numel() for p in normalised.parameters()) - sum(p.numel() for p in plain.parameters())
    assert extra == 2 * (1024 + 16384 + 128)  # a scale and a shift per feature
    # The discriminator is untouched.
    assert str(normalised.discriminator) == str(plain.discriminator)


def test_dbn_of_the_usual_widths_samples_the_right_shapes() -> None:
    dbn = DBN([784, 500, 200], side=28)
    assert [(r.n_visible, r.n_hidden) for r in dbn.rbms] == [(784, 500), (500, 200)]
    g = torch.Generator().manual_seed(0)
    assert dbn.up(torch.rand(3, 1, 28, 28), 2).shape == (3, 200)
    assert dbn.down(torch.rand(3, 500), g).shape == (3, 784)
    dbn.gibbs_steps = 5
    x = dbn.sample(6, g)
    assert x.shape == (6, 1, 28, 28) and x.min() >= 0 and x.max() <= 1
    with pytest.raises(ParameterError, match=r"invalid sizes=\[784, 500\]"):
        DBN([784, 500])


def test_build_rejects_unknown_options_and_wrong_image_sizes() -> None:
    with pytest.raises(ParameterError, match=r"invalid dcgan option='depth'; allowed: 'latent_dim', 'width'"):
        build("dcgan", depth=3)
    with pytest.raises(ParameterError, match=r"28x28 images for dcgan"):
        build("dcgan", side=8)
    assert build("rbm", side=8).n_visible == 64


def test_the_former_names_of_the_article_gans_build_the_same_networks() -> None:
    for old, new in ALIASES.items():
        torch.manual_seed(0)
        a = build(old)
        torch.manual_seed(0)
        b = build(new)
        assert canonical_name(old) == new and str(a) == str(b)
        assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))
    with pytest.raises(ParameterError, match=r"invalid model='seed'; allowed: 'dcgan', 'article_gan'"):
        build("seed")


def test_a_chain_sample_is_its_chains_of_the_models_own_length() -> None:
    """``sample(n, g)`` of an RBM runs ``gibbs_steps`` sweeps: the same draws as ``chains(n, steps, g)``."""
    torch.manual_seed(0)
    rbm = build("rbm", side=8, gibbs_steps=7, generator=torch.Generator().manual_seed(0))
    a = rbm.sample(5, torch.Generator().manual_seed(3))
    b = rbm.chains(5, 7, torch.Generator().manual_seed(3))
    c = rbm.chains(5, 6, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_every_model_implements_the_abstract_sampling_surface() -> None:
    from genstudy.models.base import GenerativeModel

    class Incomplete(GenerativeModel):
        pass

    with pytest.raises(TypeError, match="abstract method"):
        Incomplete()


def test_the_autoencoders_fitted_code_density_samples_where_its_codes_are() -> None:
    from genstudy.models.autoencoder import Autoencoder

    torch.manual_seed(0)
    x = torch.rand(300, 1, 8, 8)
    model = build("autoencoder_gmm", side=8, code_dim=4, n_components=3)
    assert model.n_parameters() == build("autoencoder", side=8, code_dim=4).n_parameters()  # buffers only
    model.after_training(x, seed=0)
    assert float(model.gmm_weights.sum()) == pytest.approx(1.0) and model.gmm_means.shape == (3, 4)
    codes = model.codes(x)
    # The mixture's mean is the codes' mean (EM preserves the first moment).
    mixture_mean = (model.gmm_weights[:, None] * model.gmm_means).sum(0)
    torch.testing.assert_close(mixture_mean, codes.mean(0), atol=1e-3, rtol=1e-3)
    samples = model.sample(5, torch.Generator().manual_seed(2))
    assert samples.shape == (5, 1, 8, 8) and bool(((samples >= 0) & (samples <= 1)).all())
    again = build("autoencoder_gmm", side=8, code_dim=4, n_components=3)
    again.load_state_dict(model.state_dict())  # the mixture travels with the weights
    torch.testing.assert_close(again.sample(5, torch.Generator().manual_seed(2)), samples)
    with pytest.raises(ParameterError, match="code_density"):
        Autoencoder(8, 4, code_density="flow")


def test_check_dataset_refuses_in_one_line_naming_the_dataset_and_the_reason() -> None:
    check_dataset("mnist", ["dcgan", "rbm", "vae_conv"])  # all of them train on 28x28 images
    check_dataset("digits", ["rbm", "vae_conv", "autoencoder"])  # these take any side
    with pytest.raises(ParameterError) as caught:
        check_dataset("digits", ["rbm", "seed_gan", "dcgan"])
    assert str(caught.value) == ("invalid dataset='digits'; allowed: fashion_mnist, mnist "
                                 "(article_gan, dcgan need 28x28 images; digits has 8x8)")
    with pytest.raises(ParameterError, match="invalid dataset='cifar10'"):
        check_dataset("cifar10", ["rbm"])


def test_a_model_chapter_refuses_a_dataset_before_training_and_trains_only_its_models(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"invalid dataset='digits'.*dcgan need 28x28"):
        ModelChapter(("dcgan", "rbm"), dataset="digits", results=tmp_path)
    assert not any(tmp_path.iterdir())
    chapter = ModelChapter(("seed_gan", "rbm"), dataset="mnist", results=tmp_path)
    assert chapter.models == ("article_gan", "rbm")
    with pytest.raises(ParameterError, match="invalid model='dbn'; allowed: 'article_gan', 'rbm'"):
        chapter.train("dbn")


def test_each_datasets_side_is_the_side_of_its_images() -> None:
    assert load_images("digits").image_shape == (IMAGE_SIDES["digits"],) * 2
    assert load_images("fashion_mnist").image_shape == (IMAGE_SIDES["fashion_mnist"],) * 2
    assert IMAGE_SIDES["mnist"] == IMAGE_SIDES["fashion_mnist"]  # the same IDX layout (sources.py)


@pytest.mark.parametrize("profile", ["smoke", "quick", "full"])
def test_the_matched_pair_shares_its_networks_and_its_budget(profile: str) -> None:
    from genstudy.config import get_profile
    from genstudy.models.gan import DCGANGenerator, DCGANTrunk

    prof = get_profile(profile)
    gan_budget, vae_budget = prof.budget("dcgan"), prof.budget("vae_dcgan")
    assert (gan_budget.epochs, gan_budget.batch_size, gan_budget.train_size) == \
        (vae_budget.epochs, vae_budget.batch_size, vae_budget.train_size)
    gan = build("dcgan", **gan_budget.options)
    vae = build("vae_dcgan", **{k: v for k, v in vae_budget.options.items()})
    generator, decoder = gan.generator, vae.decoder[0]
    trunk, encoder_trunk = gan.discriminator.trunk, vae.encoder[1]
    assert type(generator) is type(decoder) is DCGANGenerator
    assert type(trunk) is type(encoder_trunk) is DCGANTrunk

    def count(m: torch.nn.Module) -> int:
        return sum(p.numel() for p in m.parameters())

    assert count(generator) == count(decoder) and count(trunk) == count(encoder_trunk)
    shapes = [p.shape for p in generator.parameters()], [p.shape for p in decoder.parameters()]
    assert shapes[0] == shapes[1]
    # what differs: the GAN's logit head (4w·16 weights) against the encoder's [μ, log σ²] head (σ is calibrated)
    head = gan.discriminator.head.weight.numel()
    assert count(vae) - count(gan) == count(vae.encoder[2]) - head


def test_the_matched_vae_decodes_the_same_function_the_generator_would() -> None:
    torch.manual_seed(0)
    vae = build("vae_dcgan", width=8)
    vae.eval()
    gan_generator = build("dcgan", width=8).generator.eval()
    gan_generator.load_state_dict(vae.decoder[0].state_dict(), strict=False)
    z = torch.randn(4, 100)
    as_gan = ((gan_generator(z) + 1) / 2)[:, :, 2:30, 2:30]  # the GAN's sample, cropped to 28x28
    as_vae = torch.sigmoid(2 * vae.decoder(z))  # tanh(a) = 2·sigmoid(2a) − 1
    torch.testing.assert_close(as_gan, as_vae)
    assert vae.sample(3, torch.Generator().manual_seed(0)).shape == (3, 1, 28, 28)
    with pytest.raises(ParameterError, match="invalid output='softmax'"):
        build("dcgan").generator.__class__(output="softmax")


def test_the_book_shows_the_pairs_networks_role_by_role() -> None:
    pytest.importorskip("IPython", reason="the book's display layer (not on the GPU machines' stack)")
    from genstudy.study.source import matched_networks

    table = matched_networks("quick")
    image, reader = table.iloc[0], table.iloc[1]
    assert image["dcgan module"] == image["vae_dcgan module"] == "DCGANGenerator"
    assert image["dcgan parameters"] == image["vae_dcgan parameters"] > 0
    assert reader["dcgan module"] == reader["vae_dcgan module"] == "DCGANTrunk"
    assert reader["dcgan parameters"] == reader["vae_dcgan parameters"] > 0
    assert table.loc["whole model", "dcgan parameters"] == build("dcgan", width=32).n_parameters()
