"""The benchmarks' tooling (bench/): every script starts, and the book page *Benchmarks* is generated
from result files. The measurements themselves run in `make bench`, never in a timed test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BENCH = ROOT / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if p.name != "common.py")


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_script_starts(script: str) -> None:
    proc = subprocess.run([sys.executable, script, "--help"], cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage:" in proc.stdout


def test_the_performance_section_is_generated_from_result_files(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(BENCH))
    import common
    import report

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    assert "No benchmark has been run yet" in report.section(report.load())
    common.write_result("rbm_vs_sklearn", title="RBM", rows=[{"library": "a|b", "ratio": 1.5}],
                        columns=["library", "ratio"], settings={},
                        targets=[{"what": "throughput", "measured": "1.50x", "target": ">= 1.5x", "met": True},
                                 {"what": "quality", "measured": "-3", "target": ">= -1", "met": False}])
    stored = json.loads((tmp_path / "rbm_vs_sklearn.json").read_text())
    assert stored["host"]["cores"] >= 1 and stored["versions"]["torch"]
    text = report.section(report.load())
    assert text.startswith(report.START) and text.endswith(report.END)
    assert "| `rbm_vs_sklearn` | throughput | 1.50x | >= 1.5x | yes |" in text
    assert "| `rbm_vs_sklearn` | quality | -3 | >= -1 | **no** |" in text
    assert "| a\\|b | 1.5 |" in text  # table cells are escaped


def test_the_benchmarks_page_has_the_markers_the_report_replaces_and_is_current() -> None:
    sys.path.insert(0, str(BENCH))
    import report

    text = (ROOT / report.PAGE).read_text()
    assert text.count(report.START) == 1 and text.count(report.END) == 1
    before, rest = text.split(report.START, 1)
    assert before + report.section(report.load()) + rest.split(report.END, 1)[1] == text
