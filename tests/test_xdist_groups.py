"""The test suite's xdist groups hold: a group's items run on one worker (tests/xdist_groups.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import conftest

CONFTEST = '''
import sys
sys.path.insert(0, {tests!r})
from xdist_groups import group

def pytest_collection_modifyitems(config, items):
    for item in items:
        group(item, "low" if item.callspec.params["x"] < 4 else "high")
'''
TESTS = '''
import os, time
import pytest

@pytest.mark.parametrize("x", range(8))
def test_x(x):
    time.sleep(0.1)
    with open("ran.txt", "a") as f:
        f.write(f"{x} {os.environ['PYTEST_XDIST_WORKER']}\\n")
'''


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST.format(tests=str(conftest.ROOT / "tests")))
    (tmp_path / "test_x.py").write_text(TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                           "-n", "2", "--dist", "loadgroup", "test_x.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    ran = [line.split() for line in (tmp_path / "ran.txt").read_text().splitlines()]
    workers = {low: {w for x, w in ran if (int(x) < 4) == low} for low in (True, False)}
    assert len(ran) == 8 and all(len(w) == 1 for w in workers.values()), ran
