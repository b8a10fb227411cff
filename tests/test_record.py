"""The run record: one schema, one constructor, validated on writing and reading, older
records migrated or refused with a clear message."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from genstudy.machine import describe_cpu
from genstudy.runs.record import SCHEMA, RecordError, git_commit, new_record, read_record, write_record


def _record(**changes: object) -> dict:
    return new_record(**{"model": "dcgan", "family": "gan", "framework": "pytorch", "dataset": "fashion_mnist",
                         "profile": "smoke", "seed": 0, "device": "cpu", "device_name": "cpu (2 threads)",
                         "params_count": 10, "config": {"epochs": 1}, **changes})


def test_new_record_fills_the_schema() -> None:
    r = _record(framework="tensorflow")
    assert (r["schema"], r["run_id"], r["label"], r["status"]) == (SCHEMA, "dcgan-fashion_mnist-seed0-tensorflow",
                                                                  "dcgan (TF)", "ok")
    assert {"python", "torch", "numpy", "genstudy"} <= set(r["versions"]) and r["created"]
    assert r["machine"] == describe_cpu()  # the CPU in words: "cpu (2 threads)" does not tell machines apart


def test_the_commit_is_dirty_for_changed_code_but_not_for_changed_results(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    for name in ("results/full/run/record.json", "src/code.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("1\n")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "first")
    head = git("rev-parse", "HEAD").strip()
    (tmp_path / "results/full/run/record.json").write_text("2\n")  # a refresh rewriting a committed result
    (tmp_path / "src/new.py").write_text("untracked\n")
    assert git_commit(tmp_path) == head
    assert git_commit(tmp_path / "src") == head  # the exclusion is from the top, whatever the working folder
    (tmp_path / "src/code.py").write_text("2\n")
    assert git_commit(tmp_path / "results") == f"{head}+dirty"


@pytest.mark.parametrize(("changes", "message"), [
    ({"status": "interrupted"}, r"status='interrupted'; allowed: ok, diverged"),
    ({"family": "flow"}, r"family='flow'; allowed: gan, vae, autoencoder, rbm, dbn, data"),
    ({"seed": True}, r"field 'seed' is bool, expected int"),
    ({"params_count": 1.5}, r"field 'params_count' is float, expected int"),
])
def test_a_record_off_the_schema_is_refused_naming_the_field(changes: dict, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        _record(**changes)


def test_written_records_read_back_equal(tmp_path: Path) -> None:
    r = _record()
    write_record(tmp_path, r)
    assert read_record(tmp_path) == r
    assert read_record(tmp_path / "none") is None


def test_a_missing_field_is_refused_on_reading(tmp_path: Path) -> None:
    r = _record()
    del r["config"]
    (tmp_path / "record.json").write_text(json.dumps(r))
    with pytest.raises(RecordError, match=r"record.json: missing field 'config'"):
        read_record(tmp_path)


def test_a_schema_1_record_of_the_article_gan_is_migrated(tmp_path: Path) -> None:
    old = {k: v for k, v in _record(model="article_gan").items() if k not in ("label", "git_commit", "created")}
    old.update(schema=1, model="seed_gan", run_id="seed_gan-fashion_mnist-seed0",
               config={"model": "seed_gan", "epochs": 1})
    (tmp_path / "record.json").write_text(json.dumps(old))
    r = read_record(tmp_path)
    assert (r["schema"], r["model"], r["config"]["model"], r["label"]) == (SCHEMA, "article_gan", "article_gan",
                                                                           "article_gan")
    assert r["run_id"] == "seed_gan-fashion_mnist-seed0"  # the folder it lives in


def test_a_schema_1_toy_record_is_migrated(tmp_path: Path) -> None:
    old = {"schema": 1, "model": "gbrbm", "mixture": "ring8", "seed": 0, "steps": 300, "train_s": 1.0,
           "sample_1k_s": 0.1, "metrics": {"modes_captured": 8}, "profile": "smoke",
           "family": "GB-RBM, PCD-10", "versions": {}}
    (tmp_path / "record.json").write_text(json.dumps(old))
    r = read_record(tmp_path)
    assert (r["family"], r["label"], r["dataset"], r["run_id"]) == ("rbm", "GB-RBM, PCD-10", "ring8",
                                                                    "gbrbm-ring8-seed0")


def test_a_record_of_an_unknown_schema_is_refused(tmp_path: Path) -> None:
    (tmp_path / "record.json").write_text(json.dumps({**_record(), "schema": 7}))
    with pytest.raises(RecordError, match=r"schema 7 is not one this genstudy reads \(1 or 2\)"):
        read_record(tmp_path)


def test_an_atomic_write_gets_the_permissions_of_a_plain_one(tmp_path: Path) -> None:
    """The record is readable as any file the process creates (0o666 less the umask: 0o644 under
    the usual 0o022), not owner-only as a ``tempfile.mkstemp`` file (0o600); no temporary is left."""
    import os
    import stat

    from genstudy.io import write_json

    umask = os.umask(0o022)
    os.umask(umask)
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    path = write_json(tmp_path / "record.json", {"a": 1})
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~umask
    assert json.loads(path.read_text()) == {"a": 1} and not list(tmp_path.glob(".*.tmp"))
