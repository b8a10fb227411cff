"""The installed `genstudy` command: data info, profiles, error lines and exit codes."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from genstudy.site.cli import main

GENSTUDY = [sys.executable, "-m", "genstudy"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GENSTUDY, *args], capture_output=True, text=True, env=env, timeout=300)


def test_data_info_on_the_installed_dataset(fashion_dir: Path) -> None:
    proc = run("data", "info", "--dataset", "fashion_mnist", "--data-dir", str(fashion_dir))
    assert proc.returncode == 0, proc.stderr
    assert "splits: train 60000, test 10000; image shape: 28x28" in proc.stdout
    assert "Ankle boot   6000  1000" in proc.stdout


def test_truncated_file_is_one_line_naming_it(fashion_copy: Path) -> None:
    path = fashion_copy / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-10]))
    proc = run("data", "info", "--dataset", "fashion_mnist", "--data-dir", str(fashion_copy))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("genstudy: error: ") and str(path) in lines[0] and "truncated IDX file" in lines[0]


def test_corrupt_gzip_and_missing_file(fashion_copy: Path) -> None:
    path = fashion_copy / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    proc = run("data", "info", "--dataset", "fashion_mnist", "--data-dir", str(fashion_copy))
    assert proc.returncode == 2 and f"{path}: truncated or corrupt gzip file" in proc.stderr
    path.unlink()
    proc = run("data", "info", "--dataset", "fashion_mnist", "--data-dir", str(fashion_copy))
    assert proc.returncode == 2 and f"{path}: file not found" in proc.stderr


def test_unknown_dataset_is_refused_with_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["data", "info", "--dataset", "cifar10"])
    assert exc.value.code == 2
    expected = "invalid choice: 'cifar10' (choose from 'fashion_mnist', 'mnist', 'digits', 'ring8', 'grid25')"
    assert expected in capsys.readouterr().err


def test_mixture_info_and_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "--dataset", "grid25"]) == 0
    assert "modes: 25, std: 0.05" in capsys.readouterr().out
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "smoke" in out and "quick" in out and "full" in out and "train_size" in out


def test_models_lists_the_registry_and_the_former_names(capsys: pytest.CaptureFixture[str]) -> None:
    from genstudy.models.registry import SPECS

    assert main(["models"]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.splitlines()[2:2 + len(SPECS)]]
    assert rows == [s.name for s in SPECS]
    assert "former names: seed_gan = article_gan, seed_gan_bn = article_gan_bn" in out
