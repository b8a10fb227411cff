"""How long an RBM's or DBN's Gibbs chains must run (genstudy.runs.chapter.chain_length_study)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch

from genstudy.data import load_images, to_tensor
from genstudy.errors import ParameterError
from genstudy.models import build
from genstudy.runs.chapter import CHAIN_STARTS, chain_length_study, mixing_summary
from genstudy.runs.evaluate import reference


@pytest.fixture(scope="module")
def digits() -> tuple[torch.Tensor, object]:
    ds = load_images("digits")
    return to_tensor(ds.train.images[:64]), reference("digits", "smoke")


def test_the_study_measures_both_starts_at_each_length_and_is_deterministic(digits: tuple) -> None:
    train, ref = digits
    torch.manual_seed(0)
    rbm = build("rbm", side=8, generator=torch.Generator().manual_seed(0))
    table = chain_length_study(rbm, ref, train, [5, 1, 5], n=40, seed=3)
    assert list(zip(table["start"], table["sweeps"], strict=True)) == [(s, k) for s in CHAIN_STARTS for k in (1, 5)]
    assert (table["fd"] > 0).all() and table["classes_covered"].between(0, 10).all()
    assert table["top_class_share"].between(0.1 - 1e-9, 1.0).all()
    pd.testing.assert_frame_equal(table, chain_length_study(rbm, ref, train, [1, 5], n=40, seed=3))
    # measuring at 1 sweep does not change the chain that reaches 5
    only5 = chain_length_study(rbm, ref, train, [5], n=40, seed=3)
    pd.testing.assert_frame_equal(only5.reset_index(drop=True),
                                  table[table["sweeps"] == 5].reset_index(drop=True))


def test_chains_started_at_the_data_begin_nearer_the_data_than_chains_from_noise(digits: tuple) -> None:
    train, ref = digits
    rbm = build("rbm", side=8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():  # an RBM that reconstructs: each visible unit copies itself through one hidden unit
        rbm.W.zero_()
        rbm.W[:, :64] = 8.0 * torch.eye(64)
        rbm.b.fill_(-4.0)
        rbm.c[:64] = -4.0
    table = chain_length_study(rbm, ref, train, [1], n=60, seed=0).set_index("start")
    assert table.loc[CHAIN_STARTS[1], "fd"] < 0.5 * table.loc[CHAIN_STARTS[0], "fd"]


def test_a_dbn_is_studied_through_its_top_rbm_and_other_families_are_refused(digits: tuple) -> None:
    train, ref = digits
    dbn = build("dbn", side=8, generator=torch.Generator().manual_seed(0), hidden=(32, 16))
    table = chain_length_study(dbn, ref, train, [2], n=30, seed=0)
    assert list(table["start"]) == list(CHAIN_STARTS)
    with pytest.raises(ParameterError, match="an RBM or a DBN"):
        chain_length_study(build("vae_mlp", side=8), ref, train, [2], n=30, seed=0)
    with pytest.raises(ParameterError, match="invalid n=100; allowed: at most the 64 training images given"):
        chain_length_study(dbn, ref, train, [2], n=100, seed=0)


def test_a_pooled_study_measures_each_chains_last_states_together(digits: tuple) -> None:
    """With ``pool`` 2 and ``thinning`` 2, the measure at 5 sweeps is the FD of the chains' images at sweeps 3
    and 5 together (computed here by hand for the chains from noise); a pool of 1 is the plain study."""
    from genstudy.metrics import classifier as clf
    from genstudy.metrics.distances import frechet_distance
    from genstudy.models.rbm import TemperedChains
    from genstudy.sampling import bernoulli

    train, ref = digits
    rbm = build("rbm", side=8, generator=torch.Generator().manual_seed(0))
    pooled = chain_length_study(rbm, ref, train, [5], n=30, seed=3, pool=2, thinning=2)
    assert list(pooled["images"]) == [60, 60]
    chain = torch.Generator().manual_seed(3)
    chains = TemperedChains(rbm, bernoulli(torch.full((30, 64), 0.5), generator=chain), 1, chain)
    states = [chains.run(3), chains.run(2)]
    features = torch.cat([clf.predict(ref.classifier, ref.classifier.crop(s.reshape(30, 1, 8, 8)))[0] for s in states])
    assert pooled["fd"].iloc[0] == pytest.approx(frechet_distance(ref.features, features), rel=1e-9)
    plain = chain_length_study(rbm, ref, train, [5], n=30, seed=3)
    assert "images" not in plain and plain.equals(chain_length_study(rbm, ref, train, [5], n=30, seed=3, pool=1,
                                                                     thinning=7))
    with pytest.raises(ParameterError, match="lengths above the pooled window of 4 sweeps"):
        chain_length_study(rbm, ref, train, [4, 10], n=30, seed=3, pool=3, thinning=2)


def test_the_summary_says_whether_the_starts_agree_and_whether_chains_still_improve() -> None:
    def table(noise: list[float], data: list[float]) -> pd.DataFrame:
        rows = [{"start": s, "sweeps": k, "fd": f, "classes_covered": 10, "top_class_share": 0.2}
                for s, fds in zip(CHAIN_STARTS, (noise, data), strict=True)
                for k, f in zip((100, 1000), fds, strict=True)]
        return pd.DataFrame(rows)

    mixed = mixing_summary(table([200.0, 100.0], [90.0, 95.0]))
    assert mixed == ("after 1,000 sweeps the chains from noise (FD 100.0, commonest class 20%) and from training "
                     "images (FD 95.0, 20%) agree within 10%: the chains have forgotten their start, so the "
                     "samples show the model; the chains from noise were still improving (FD down by more than "
                     "10% over the last step), so longer chains would give better samples.")
    stuck = mixing_summary(table([300.0, 290.0], [50.0, 60.0]))
    assert "still differ by 79%: the chains have not mixed" in stuck and "still improving" not in stuck


def _study(fds: dict[str, list[float]], lengths: tuple[int, ...] = (10, 100, 300, 1000)) -> pd.DataFrame:
    return pd.DataFrame([{"start": start, "sweeps": n, "fd": fd, "classes_covered": 10, "top_class_share": 0.1}
                         for start, values in fds.items() for n, fd in zip(lengths, values, strict=True)])


def test_a_planted_chain_that_does_not_mix_is_caught_and_one_that_mixes_is_read_from_where_it_does() -> None:
    from genstudy.runs.chapter import mixed_at, mixes, starts_gap

    stuck = _study({"noise": [900.0, 800.0, 700.0, 650.0], "training images": [120.0, 200.0, 300.0, 400.0]})
    assert starts_gap(stuck, 1000) == pytest.approx(250 / 650)
    assert mixed_at(stuck) is None and not mixes(stuck, 1000)  # still 38% apart at the longest chains
    mixing = _study({"noise": [900.0, 500.0, 330.0, 320.0], "training images": [120.0, 250.0, 310.0, 318.0]})
    assert mixed_at(mixing) == 300  # 6% apart at 300 and 0.6% at 1,000; 50% at 100
    assert mixes(mixing, 300) and mixes(mixing, 3000) and not mixes(mixing, 100)
    flicker = _study({"noise": [300.0, 500.0, 330.0, 320.0], "training images": [300.0, 250.0, 310.0, 318.0]})
    assert mixed_at(flicker) == 300  # agreeing at 10 sweeps, not at 100: agreement is read to the end
    assert mixed_at(mixing, band=0.001) is None
    with pytest.raises(ParameterError, match="sweeps"):
        starts_gap(mixing, 200)


def test_a_literature_run_writes_its_mixing_study_once_and_the_chapter_reads_it(tmp_path: Path) -> None:
    from genstudy.runs.literature import MIXING_FILE, mixing
    from genstudy.runs.train import TrainedRun
    from genstudy.study.literature import mixing_table

    model = build("rbm", side=28, n_hidden=16, generator=torch.Generator().manual_seed(0))
    record = {"run_id": "r", "family": "rbm", "dataset": "fashion_mnist", "profile": "smoke", "seed": 0,
              "status": "ok", "row": "rbm", "dir": str(tmp_path),
              "config": {"gibbs_steps": 2, "train_size": 600}}
    lines: list[str] = []
    path = mixing(TrainedRun(record, tmp_path, model, None), record, log=lines.append)
    assert path == tmp_path / MIXING_FILE and sorted(set(pd.read_csv(path)["sweeps"])) == [2, 10]
    assert lines and "mixing: after 10 sweeps" in lines[0]
    assert mixing(TrainedRun(record, tmp_path, None, None), record, log=lines.append) == path and len(lines) == 1
    table = mixing_table([record])
    assert list(table["sweeps used"]) == [2] and table["samples from chains shown to mix"].iloc[0] in ("yes", "no")
    assert list(table["sampler"]) == ["independent Gibbs chains"]
    tempered = {**record, "evaluation": {"settings": {"tempering": {"temperatures": 16, "burn_in": 10}}}}
    table = mixing_table([tempered])  # a tempered run's samples begin after its burn-in
    assert list(table["sampler"]) == ["parallel tempering, 16 replicas"] and list(table["sweeps used"]) == [10]
    assert "least swap acceptance" not in table  # a study without it (of Gibbs chains) shows none
    (tmp_path / "tempered").mkdir()  # rows: noise after 2 and 10 sweeps, then the training images'
    pd.read_csv(path).assign(least_swap_acceptance=[0.5, 0.25, 0.0, 0.75], least_swap_beta=[1.0, 0.5, 1.0, 0.25]
                             ).to_csv(tmp_path / "tempered" / MIXING_FILE, index=False)
    table = mixing_table([{**tempered, "dir": str(tmp_path / "tempered")}])
    assert list(table["least swap acceptance"]) == ["25.00% (β 0.50 and the next)"]  # at the burn-in, both starts
    assert "images per start" not in table
    pd.read_csv(path).assign(images=80).to_csv(tmp_path / "tempered" / MIXING_FILE, index=False)
    assert list(mixing_table([{**tempered, "dir": str(tmp_path / "tempered")}])["images per start"]) == [80]
    assert mixing(TrainedRun(record, tmp_path / "none", None, None), record) is None  # no weights: nothing to study
    retrained = {**record, "created": "2026-12-07T09:00:00+00:00"}  # the same folder, trained again
    assert mixing(TrainedRun(retrained, tmp_path, None, None), retrained) == path and len(lines) == 1  # no weights
    mixing(TrainedRun(retrained, tmp_path, model, None), retrained, log=lines.append)
    assert len(lines) == 2 and set(pd.read_csv(path)["run_created"]) == {retrained["created"]}
    assert mixing(TrainedRun(retrained, tmp_path, model, None), retrained, log=lines.append) == path and len(lines) == 2


def test_one_replica_is_the_plain_study_and_more_replicas_temper_it(digits: tuple) -> None:
    """``temperatures=1`` is the Gibbs study itself, number for number; 4 replicas give another, seeded one."""
    train, ref = digits
    rbm = build("rbm", side=8, generator=torch.Generator().manual_seed(0))
    plain = chain_length_study(rbm, ref, train, [1, 5], n=40, seed=3)
    assert plain.equals(chain_length_study(rbm, ref, train, [1, 5], n=40, seed=3, temperatures=1))
    tempered = chain_length_study(rbm, ref, train, [1, 5], n=40, seed=3, temperatures=4)
    assert tempered.equals(chain_length_study(rbm, ref, train, [1, 5], n=40, seed=3, temperatures=4))
    assert not tempered["fd"].equals(plain["fd"])
    assert "least_swap_acceptance" not in plain  # no swaps in a Gibbs study
    assert tempered["least_swap_acceptance"].between(0.0, 1.0).all()
    assert set(tempered["least_swap_beta"]) <= {1.0, 4 / 9, 1 / 9}  # an upper β of the ladder's pairs
    dbn = build("dbn", side=8, hidden=[16, 8], generator=torch.Generator().manual_seed(0))
    assert len(chain_length_study(dbn, ref, train, [2], n=40, seed=3, temperatures=3)) == 2


def test_a_tempering_profile_studies_its_tempered_chains_where_its_samples_begin(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile without tempering studies the record's Gibbs sweeps and five times as many; one with it,
    the tempered chains at a fifth of the burn-in and at the burn-in, with the evaluation's chains. The
    evaluation settings name the tempering for RBMs and DBNs only, so other families' records stay current."""
    import dataclasses

    from genstudy import config
    from genstudy.runs.chapter import MixingPlan
    from genstudy.runs.evaluate import settings
    from genstudy.runs.literature import MIXING_CHAINS, mixing_plan

    record = {"profile": "smoke", "config": {"gibbs_steps": 200}}
    assert mixing_plan(record) == MixingPlan((200, 1_000), MIXING_CHAINS, 1, pool=1, thinning=1)
    tempering = config.Tempering(temperatures=48, chains=50, burn_in=3_000, thinning=25)
    assert config.PROFILES["literature"].tempering == tempering
    # 50 chains pool their last 40 states, 25 sweeps apart: 2,000 images a start, in a window under 1,000 sweeps
    assert mixing_plan({**record, "profile": "literature"}) == MixingPlan((1_000, 3_000), 50, 48, pool=40, thinning=25)
    short = dataclasses.replace(tempering, burn_in=300)  # the window shrinks to fit under a third of the burn-in
    monkeypatch.setitem(config.PROFILES, "literature", dataclasses.replace(config.PROFILES["literature"],
                                                                            tempering=short))
    assert mixing_plan({**record, "profile": "literature"}) == MixingPlan((100, 300), 50, 48, pool=4, thinning=25)
    monkeypatch.setitem(config.PROFILES, "literature", dataclasses.replace(config.PROFILES["literature"],
                                                                            tempering=tempering))
    assert settings("literature", "rbm")["tempering"] == dataclasses.asdict(tempering)
    assert "tempering" not in settings("literature", "vae") and "tempering" not in settings("smoke", "rbm")
    monkeypatch.setitem(config.PROFILES, "smoke", dataclasses.replace(config.PROFILES["smoke"], tempering=None))
    assert settings("smoke", "dbn") == settings("smoke", "vae")


def test_the_evaluation_draws_tempered_images_of_an_rbm_and_a_dbn(digits: tuple) -> None:
    """One call draws all the images (shared chains, thinned), in [0, 1], the same for the same seed;
    other families are refused."""
    from genstudy.config import Tempering
    from genstudy.errors import GenstudyError
    from genstudy.runs.evaluate import tempered_sampler

    train, _ = digits
    tempering = Tempering(temperatures=3, chains=10, burn_in=4, thinning=2)
    for model in (build("rbm", side=8, generator=torch.Generator().manual_seed(0)),
                  build("dbn", side=8, hidden=[16, 8], generator=torch.Generator().manual_seed(0))):
        sampler = tempered_sampler(model, tempering, train)
        images = sampler(25, torch.Generator().manual_seed(1))
        assert images.shape == (25, 1, 8, 8) and float(images.min()) >= 0 and float(images.max()) <= 1
        assert torch.equal(images, sampler(25, torch.Generator().manual_seed(1)))
    with pytest.raises(GenstudyError, match="parallel tempering samples an RBM or a DBN"):
        tempered_sampler(build("vae_mlp", side=8), tempering, train)


def test_a_tempered_mixing_study_without_its_swaps_acceptance_or_its_pool_is_made_again() -> None:
    from genstudy.runs.chapter import MixingPlan
    from genstudy.runs.literature import _studies

    record = {"created": "2026-12-07T09:00:00+00:00"}
    study = pd.DataFrame({"start": ["noise"], "sweeps": [10], "fd": [1.0], "run_created": [record["created"]]})
    gibbs, tempered = MixingPlan((2, 10), 500, 1), MixingPlan((2, 10), 50, 16)
    assert _studies(study.assign(temperatures=1), record, gibbs)
    assert not _studies(study.assign(temperatures=16), record, tempered)  # made before the swaps were counted
    swaps = study.assign(temperatures=16, least_swap_acceptance=0.3, least_swap_beta=1.0)
    assert _studies(swaps, record, tempered)
    assert not _studies(swaps, record, MixingPlan((2, 10), 50, 8))
    pooled = MixingPlan((5, 10), 50, 16, pool=4, thinning=1)
    assert not _studies(swaps, record, pooled)  # each chain's last state alone: made before the pooling
    assert _studies(swaps.assign(images=200), record, pooled)
    assert not _studies(swaps.assign(images=100), record, pooled)  # another pool


def test_a_model_chapter_studies_the_chains_its_profile_samples_by(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gibbs chains at the profile's ``chain_lengths``; where the profile tempers, the evaluation's tempered chains."""
    import dataclasses

    from genstudy import config
    from genstudy.runs.chapter import MixingPlan, ModelChapter, tempered_plan

    smoke = config.PROFILES["smoke"]
    chapter = ModelChapter(("rbm",), profile="smoke")
    assert chapter.chain_plan() == MixingPlan(tuple(smoke.chain_lengths), smoke.chain_count, 1)
    tempering = config.Tempering(temperatures=8, chains=20, burn_in=90, thinning=5)
    monkeypatch.setitem(config.PROFILES, "smoke", dataclasses.replace(smoke, tempering=tempering))
    assert chapter.chain_plan() == tempered_plan(tempering) == MixingPlan((30, 90), 20, 8, pool=6, thinning=5)
