"""The article's TensorFlow code: verbatim, failing as written, fixed, equal to the PyTorch port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from genstudy.article import code, keras_training, runs
from genstudy.article import tensorflow as tfa
from genstudy.errors import GenstudyError, ParameterError
from genstudy.models import build
from genstudy.runs.evaluate import evaluate_run

SEED_ARTICLE = ROOT.parent / "shared" / "seeds" / "000_21b9193a8f1a40ad.txt"


def test_snippets_are_verbatim_from_the_article() -> None:
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"the source article is not beside this checkout ({SEED_ARTICLE})")
    article = SEED_ARTICLE.read_text()
    for snippet in (code.ARTICLE_GAN, code.ARTICLE_VAE):
        assert f"```python\n{snippet}```" in article


def test_as_written_failures() -> None:
    error, caught = tfa.run_as_written(code.ARTICLE_GAN)
    assert isinstance(error, NameError) and "LeakyReLU" in str(error)
    assert any("input_dim" in w for w in caught)
    error, caught = tfa.run_as_written(code.ARTICLE_GAN_WITH_IMPORTS)
    assert isinstance(error, ValueError) and "expected shape=(None, 64, 64, 3)" in str(error)
    assert any("`alpha` is deprecated" in w for w in caught)
    error, _ = tfa.run_as_written(code.ARTICLE_VAE)
    assert isinstance(error, ValueError) and "not connected" in str(error)


def test_an_expected_failure_is_a_result_and_an_unexpected_outcome_is_an_error() -> None:
    failure = tfa.expect_failure(code.ARTICLE_GAN, NameError)
    assert failure.lines == ("line 8: LeakyReLU(alpha=0.2),",)
    assert any("input_dim" in w for w in failure.warnings)
    assert str(failure) == ("Expected failure, as the text says: the article's code raises NameError.\n"
                            "Traceback (the article's lines only):\n"
                            "  line 8: LeakyReLU(alpha=0.2),\n"
                            "NameError: name 'LeakyReLU' is not defined")
    shown = tfa.expect_failure(code.ARTICLE_GAN_WITH_IMPORTS, ValueError)
    assert shown.lines == ("line 28: gan = Sequential([generator, discriminator])",)
    assert "expected shape=(None, 64, 64, 3)" in str(shown) and "\x1b[" not in str(shown)
    with pytest.raises(GenstudyError, match="ran without error, but the book says it raises ValueError"):
        tfa.expect_failure(code.FIXED_GAN, ValueError)
    with pytest.raises(NameError, match="LeakyReLU"):
        tfa.expect_failure(code.ARTICLE_GAN, ValueError)


def test_fixed_snippets_build_and_match_the_pytorch_port() -> None:
    error, caught = tfa.run_as_written(code.FIXED_GAN)
    assert error is None and caught == [], caught
    generator, discriminator = tfa.define(code.FIXED_GAN, "generator", "discriminator")
    assert generator.output_shape == (None, 32, 32, 1) and discriminator.input_shape == (None, 32, 32, 1)
    port = build("article_gan")
    assert tfa.count_params(generator) == sum(p.numel() for p in port.generator.parameters())
    assert tfa.count_params(discriminator) == sum(p.numel() for p in port.discriminator.parameters())
    vae, decoder = tfa.define(code.FIXED_VAE, "vae", "decoder")
    assert vae.output_shape == (None, 784) and decoder.input_shape == (None, 32)
    assert tfa.count_params(vae) == build("autoencoder").n_parameters()
    assert "-decoded = Dense(784, activation='sigmoid')(decoder_input)" in code.diff(code.ARTICLE_VAE,
                                                                                         code.FIXED_VAE)


def test_normalised_gan_differs_from_the_fixed_one_only_by_batch_norms_and_matches_its_port() -> None:
    error, caught = tfa.run_as_written(code.NORMALISED_GAN)
    assert error is None and caught == [], caught
    changed = [line for line in code.diff(code.FIXED_GAN, code.NORMALISED_GAN).splitlines()
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "+from tensorflow.keras.layers import BatchNormalization, ReLU",
        "+    BatchNormalization(momentum=0.9),",
        "-    Dense(8*8*256, activation='relu'),",
        "+    Dense(8*8*256),",
        "+    BatchNormalization(momentum=0.9),",
        "+    ReLU(),",
        "-    Conv2DTranspose(128, kernel_size=4, strides=2, padding='same', activation='relu'),",
        "+    Conv2DTranspose(128, kernel_size=4, strides=2, padding='same'),",
        "+    BatchNormalization(momentum=0.9),",
        "+    ReLU(),",
    ]
    generator, discriminator = tfa.define(code.NORMALISED_GAN, "generator", "discriminator")
    port = build("article_gan_bn")
    assert tfa.count_params(generator) == sum(p.numel() for p in port.generator.parameters()) == 17_500_161
    assert tfa.count_params(discriminator) == sum(p.numel() for p in port.discriminator.parameters())


def test_every_keras_gan_has_the_parameters_of_its_pytorch_port() -> None:
    """The Keras code of each article GAN and the PyTorch model of the same name are one network."""
    for name, keras_code in code.GAN_CODE.items():
        generator, discriminator = tfa.define(keras_code, "generator", "discriminator")
        port = build(name)
        assert tfa.count_params(generator) == sum(p.numel() for p in port.generator.parameters()), name
        assert tfa.count_params(discriminator) == sum(p.numel() for p in port.discriminator.parameters()), name
    (decoder,) = tfa.define(code.NETWORK_OF_MODEL["autoencoder"][1], "decoder")
    assert tfa.count_params(decoder) == sum(p.numel() for p in build("autoencoder").decoder.parameters())


def test_gan_run_rejects_a_model_it_has_no_code_for() -> None:
    with pytest.raises(ParameterError, match=r"invalid model='dcgan'; allowed: 'article_gan', 'article_gan_bn'"):
        runs.gan_run(model="dcgan")


def test_fixed_gan_trains_with_finite_losses_and_varied_samples() -> None:
    generator, discriminator = tfa.define(code.FIXED_GAN, "generator", "discriminator")
    x = np.random.default_rng(0).uniform(-1, 1, (96, 32, 32, 1)).astype(np.float32)
    run = keras_training.train_gan(generator, discriminator, x, epochs=1, batch_size=32, seed=0, log_every=1)
    assert run.steps == 3 and len(run.history) == 3
    assert all(np.isfinite(v) for row in run.history for v in row.values())
    samples = generator(np.random.default_rng(1).normal(size=(8, 100)).astype(np.float32)).numpy()
    assert samples.min() >= -1 and samples.max() <= 1 and samples.std(axis=0).mean() > 0


def test_the_defects_that_stop_the_code_name_the_errors_it_raises() -> None:
    """Each exception the article's code raises, stage by stage, is the one a defect says it raises."""
    stages = (code.ARTICLE_GAN, code.ARTICLE_GAN_WITH_IMPORTS, code.ARTICLE_VAE)
    raised = {type(tfa.run_as_written(snippet)[0]).__name__ for snippet in stages}
    named = {error for d in code.DEFECTS for error in ("NameError", "ValueError", "TypeError") if error in d.why}
    assert raised == named == {"NameError", "ValueError"}
    assert list(code.defects_table().columns) == ["snippet", "defect", "fix", "why"]


def test_the_library_does_not_import_tensorflow() -> None:
    code = "import sys, genstudy.runs.train, genstudy.site.pipeline, genstudy.site.cli, genstudy.article; " \
           "sys.exit('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_tensorflow_runs_write_standard_records(tmp_path: Path) -> None:
    run = runs.autoencoder_run(profile="smoke", out=tmp_path)
    r = run.record
    assert (r["framework"], r["model"], r["family"]) == ("tensorflow", "autoencoder", "autoencoder")
    assert run.directory.name == "autoencoder-fashion_mnist-seed0-tensorflow"
    assert (run.directory / "record.json").is_file() and (run.directory / "samples.npy").is_file()
    assert r["versions"]["tensorflow"].startswith("2.")
    # Measured with the same yardstick as the PyTorch runs, and reproducible from the saved weights.
    assert {"fd", "kid", "precision", "recall", "class_kl", "parzen_ll"} <= set(r["metrics"])
    assert "log_likelihood" not in r["metrics"]  # an autoencoder defines none
    again = evaluate_run(run.directory, force=True, log=lambda _: None)
    assert again["metrics"] == r["metrics"]
