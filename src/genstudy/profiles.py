"""The profiles' settings (smoke, quick, full; tiny, the test suite's; literature, the chapter *Against the
literature*'s) as plain data: one dict per profile of :class:`genstudy.config.Profile`'s fields (its
``tempering`` a dict of :class:`~genstudy.config.Tempering`'s), from which :mod:`genstudy.config` builds
the profiles (:data:`genstudy.config.PROFILES`). It imports nothing of the package.

A run's code digest (:func:`genstudy.runs.record.code_digest`) leaves this module out: every setting a run's
numbers depend on is kept in its record and compared there instead (its training ``config`` by
:func:`~genstudy.runs.train.train_run`, its evaluation settings by :func:`~genstudy.runs.evaluate.is_current`),
so a change of one model's budget retrains that model alone, and a change of the parallel tempering
re-measures the RBMs and DBNs alone. So this module holds no function, no class and no import of the
package (a test checks): no rule hides here from the digests.
"""

from __future__ import annotations

from typing import Any

_NARROW_DCGAN = {"options": {"width": 32}}
#: DCGAN's quick budget; the matched VAE (``vae_dcgan``) gets the same one: same networks, same
#: batch, same number of steps.
_DCGAN_QUICK = {"epochs": 3, "batch_size": 64, **_NARROW_DCGAN}
#: The article's GANs on quick: 468 steps. At 624 (4 epochs) the normalised one's probe FD was 545
#: against 661 at 468 (seed 0), but its four trainings (TensorFlow and PyTorch, with and without
#: batch normalisation) then took 44% of a 22-minute quick book; the remedies were run at 624.
_ARTICLE_GAN_QUICK = {"train_size": 10_000, "epochs": 3, "batch_size": 64}

#: The RBM's recipe in every book profile, the literature chapter's (genstudy.literature_plan): persistent CD
#: (PCD-1, Tieleman 2008) with a step of 0.05 decayed geometrically to a hundredth over the run, for CD-1 at a
#: constant 0.05. On Fashion-MNIST (the full profile's batch, seed 0; AIS of 14,500 β and 100 chains on its
#: 2,000 likelihood images, two-way) it read -247.85 nats after 20 epochs, -238.62 after 60 and -234.56 after
#: 150, where the CD-1 runs of 20 epochs were withheld (one-sided: at most -252 to -256).
_RBM_RECIPE = {"k": 1, "persistent": True, "lr": 0.05, "lr_schedule": "geometric"}
#: The DBN's: its first RBM by the RBM's recipe; its top RBM of 1,000 units (at least the 784 pixels, so that it
#: starts as exactly the first RBM's model of its hidden units: init_from_below, Hinton et al. 2006's greedy
#: step) by CD-1, whose chains start at the data that model already fits, at a fifth of the step, decayed alike.
#: Trained by PCD-1 from there, the top RBM lowered the bound on Fashion-MNIST (seed 0, the 150-epoch first RBM
#: above at -234.56): to -259.6 within one epoch at a step of 0.01 (to -246.7 after 30 epochs; -260.4 with its
#: persistent chains started at the data; with 2,000 units -259.4), to -241.5 after 30 epochs at 0.001.
_DBN = {"options": {"hidden": [500, 1_000]},
        "train_options": {"k": 1, "persistent": [True, False], "lr": [0.05, 0.01], "lr_schedule": "geometric",
                          "init_from_below": True}}

#: Parallel tempering of the RBMs and DBNs, where a profile's evaluation samples them so (full, literature):
#: 48 replicas, 50 chains, a burn-in of 3,000 sweeps, a sample every 25 (each profile says what it measured).
_TEMPERING = {"temperatures": 48, "chains": 50, "burn_in": 3_000, "thinning": 25}

#: The full profile's budgets beyond its default (20 epochs of 60,000 images at batch 128), set by the long
#: runs of ``genstudy budgets`` (``results/budgets/full/``, seed 0, shown in the comparison chapter) read by
#: the book's flatness rule (``study.flatness``: less than 2% better over the last fifth of training). Where
#: a curve was still improving at the end of its long run, the budget is that run's length, the longest
#: measured: DCGAN (probe FD 52 at 8 epochs, ~20 at 24, still 6.7% better over its last fifth) and its
#: matched VAE (same networks, batch and steps) 24 epochs of batch 64 at the quick width (32; 64 costs ~4x a
#: step); the convolutional VAE 30 (274 at 10, 226 at 30; 4.0%). The MLP VAE 90: its FD falls roughly like a
#: power of the epochs, whose improvement over a last fifth is about the same at every length, and reads
#: 1.7-2.6% from ~80 epochs to 150; 90 is the first stretch read flat (FD 218 at 90, 208 at 150). The RBM and
#: the DBN's first layer 300 epochs of their recipe (above), read from their log-likelihood, not their FD
#: (``genstudy budgets --probe likelihood``): the recipe gained 9 nats from 20 to 60 epochs and 4 from 60 to
#: 150; the DBN's top layer 30 epochs. Unchanged where a longer run did not improve beyond its probes' noise:
#: the autoencoder and the GMM on its codes (flat at 20 on three seeds). The article's GANs keep their quick
#: budget: they test the article's code, not a family.
_FULL_DCGAN = {"epochs": 24, "batch_size": 64, **_NARROW_DCGAN}
_FULL_OVERRIDES: dict[str, dict[str, Any]] = {
    "dcgan": _FULL_DCGAN, "vae_dcgan": _FULL_DCGAN,
    "article_gan": _ARTICLE_GAN_QUICK, "article_gan_bn": _ARTICLE_GAN_QUICK,
    "vae_conv": {"epochs": 30}, "vae_mlp": {"epochs": 90},
    "rbm": {"epochs": 300, "train_options": _RBM_RECIPE},
    "dbn": {"epochs": 300, "options": _DBN["options"],
            "train_options": {**_DBN["train_options"], "layer_epochs": [300, 30]}},
}

SETTINGS: dict[str, dict[str, Any]] = {
    p["name"]: p
    for p in (
        dict(name="smoke", description="CI and nbval: every notebook < 60 s on a 2-core CPU",
                train_size=2_000, epochs=1, seeds=(0,), eval_samples=500, batch_size=64,
                stats_size=2_000, gibbs_steps=100,
                # the article's GANs (17.6 million parameters, ~0.6 s a step under the exact pins): 4 steps
                overrides={"dcgan": _NARROW_DCGAN, "vae_dcgan": _NARROW_DCGAN, "article_gan": {"train_size": 256},
                           "article_gan_bn": {"train_size": 256}, "rbm": {"train_options": _RBM_RECIPE}, "dbn": _DBN},
                likelihood_size=500, iwae_k=20, ais_steps=300, ais_chains=32, toy_steps=300,
                chain_lengths=(10, 100, 300), chain_count=100,
                probes=3, probe_samples=200, probe_gibbs_steps=50, sampling_repeats=1),
        dict(name="quick", description="the default book on a laptop-class CPU: whole book <= 20 min on 2 cores",
                train_size=20_000, epochs=10, seeds=(0,), eval_samples=2_000, batch_size=128,
                stats_size=None, gibbs_steps=1_000,
                overrides={
                    # GAN steps cost ~0.06 s (DCGAN) and ~0.23 s (the article's GAN) on
                    # 2 AVX-512 cores at batch 64; smaller batches buy more updates for the same
                    # compute. At 468 steps the normalised article GAN draws garments.
                    "dcgan": _DCGAN_QUICK,
                    "vae_dcgan": _DCGAN_QUICK,
                    "article_gan": _ARTICLE_GAN_QUICK,
                    "article_gan_bn": _ARTICLE_GAN_QUICK,
                    "vae_conv": {"epochs": 4},
                    "rbm": {"train_options": _RBM_RECIPE},
                    "dbn": {"epochs": 5, **_DBN},
                },
                # 2,000 β left the trained RBM's AIS with an effective sample size of 1.5 of 100 chains.
                likelihood_size=1_000, iwae_k=100, ais_steps=10_000, ais_chains=100, toy_steps=4_000,
                # 6,000 sweeps of 200 chains: about 40 s for the 784-500 RBM on 2 cores
                chain_lengths=(100, 300, 1_000, 3_000), chain_count=200,
                # From noise, the RBM's and DBN's chains had the same FD (within 4%) after 100 and
                # after 3,000 sweeps (chain-length study, quick, seed 0): 100 sweeps serve a probe.
                probes=8, probe_samples=500, probe_gibbs_steps=100),
        dict(name="full", description="the published study: full training set, 3 seeds, budgets set by long runs; "
                "a GPU's work (on 2 CPU cores many hours: the RBM's and DBN's tempered sampling among them)",
                train_size=None, epochs=20, seeds=(0, 1, 2), eval_samples=10_000, batch_size=128,
                stats_size=None, gibbs_steps=1_000, overrides=_FULL_OVERRIDES,
                # The IWAE bound costs one decoder pass per image and sample (vae_conv: ~66 µs on 2 cores):
                # 2,000 x 1,000 is ~2 min a run. Salakhutdinov & Murray's (2008) AIS schedule.
                likelihood_size=2_000, iwae_k=1_000, ais_steps=14_500, ais_chains=100, toy_steps=10_000,
                chain_lengths=(100, 300, 1_000, 3_000), chain_count=500,
                # 10 probes: the flatness rule (study.flatness) compares the mean of the last two (the last fifth
                # of training) with the mean of the two before.
                probes=10, probe_samples=1_000, probe_gibbs_steps=200, published=True,
                # The RBM of the recipe above (150 epochs, seed 0): Gibbs chains from noise and from training
                # images still 36% apart in FD after 3,000 sweeps (500 chains); tempered ones of 48 replicas
                # (50 chains, each start's FD pooling every chain's last 40 states) 2.7% apart after 3,000, every
                # neighbouring pair swapping in at least 8.6% of proposals. The literature's tempering.
                tempering=_TEMPERING),
    )
}


#: The profiles a whole book is built on; ``literature`` is the chapter *Against the literature*'s own.
BOOK_PROFILES = tuple(SETTINGS)
#: The test suite's profile for the chapter × dataset pairs it runs with the papermill command line, whose only
#: question is whether a chapter runs to its end (or refuses) on a dataset: every code path of the smoke
#: profile, with a fraction of its work. Not a book's profile.
SETTINGS["tiny"] = dict(
    name="tiny",
    description="the test suite's run-or-refuse pairs: every chapter's code on a dataset, with the least work",
    train_size=512, epochs=1, seeds=(0,), eval_samples=200, batch_size=64, stats_size=512, gibbs_steps=20,
    overrides={"dcgan": _NARROW_DCGAN, "vae_dcgan": _NARROW_DCGAN, "article_gan": {"train_size": 256},
               "article_gan_bn": {"train_size": 256}},
    likelihood_size=100, iwae_k=5, ais_steps=100, ais_chains=16, toy_steps=100, chain_lengths=(5, 20),
    chain_count=50, probes=3, probe_samples=100, probe_gibbs_steps=10, sampling_repeats=1)
SETTINGS["literature"] = dict(
    name="literature",
    description="the chapter 'Against the literature' on binarized MNIST: all rows, 3 seeds; a GPU's work "
                "(on a CPU, hours per RBM or DBN run: parallel tempering)",
    train_size=None, epochs=10, seeds=(0, 1, 2), eval_samples=10_000, batch_size=100, stats_size=None,
    # 200 sweeps: the chain-length study (quick, Fashion-MNIST) found the chains' FD flat from 100 to 3,000.
    gibbs_steps=200,
    # The papers' evaluation: all 10,000 test images, Burda et al.'s k = 5,000, Salakhutdinov & Murray's
    # 14,500 β and 100 chains; Goodfellow et al.'s Parzen window on 10,000 samples (eval_samples).
    likelihood_size=10_000, iwae_k=5_000, ais_steps=14_500, ais_chains=100,
    chain_lengths=(100, 300), chain_count=200, probes=10, probe_samples=500, probe_gibbs_steps=100,
    # committed with the full book's results (results/literature/literature/)
    published=True, parzen="goodfellow",
    # Gibbs chains of the MNIST RBM from noise and from training images stay 22-65% apart in FD after
    # 1,000 sweeps, and so do tempered ones of 16 replicas, whose model's pair swapped in 0.06-0.13% of
    # proposals. With 48 replicas on the same ladder every pair swapped in at least 20%, and the two starts
    # agreed within 4.5% in FD after 3,000 sweeps (RBM seed 0, 250 chains). 50 chains, each sampled for
    # 5,000 sweeps after its burn-in, cost a third of 250 chains sampled for 1,000 (a sweep costs one pass
    # per replica); the mixing study pools each chain's last 40 states (runs.literature.mixing_plan).
    tempering=_TEMPERING)
