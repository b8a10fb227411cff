"""Every kernel computes with AVX2 code, so a smoke number is the same on an AVX-512 machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import conftest
from genstudy.machine import cpu_flags, describe_cpu
from genstudy.runs import executions
from genstudy.site.engines import Job, execute_job
from genstudy.site.isa import AVX2_PINS, REQUIRED_FLAGS, pin_avx2
from genstudy.site.pipeline import plan

HAS_AVX2 = cpu_flags() >= REQUIRED_FLAGS


def test_the_flags_are_read_from_the_first_cpu(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx avx2 fma\n\n"
                       "processor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(cpuinfo) == frozenset({"fpu", "sse2", "avx", "avx2", "fma"})
    assert cpu_flags(tmp_path / "missing") == frozenset()
    (tmp_path / "arm").write_text("processor\t: 0\nFeatures\t: fp asimd\n")
    assert cpu_flags(tmp_path / "arm") == frozenset()


def test_the_machine_is_described_by_its_model_its_widest_instructions_and_the_cap(tmp_path: Path) -> None:
    intel = tmp_path / "intel"
    intel.write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz\n"
                     "flags\t\t: fpu avx avx2 fma avx512f avx512bw\n")
    assert describe_cpu(intel, {"ATEN_CPU_CAPABILITY": "avx2"}) == (
        "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz; AVX-512; kernels capped at avx2")
    amd = tmp_path / "amd"
    amd.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx avx2 fma\n")
    assert describe_cpu(amd, {}) == "AMD EPYC; AVX2; kernels not capped"
    assert describe_cpu(tmp_path / "missing", {}) == "CPU model unknown; no AVX2; kernels not capped"


def test_the_pins_are_set_where_unset_and_only_on_a_cpu_with_avx2() -> None:
    environ = {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE", "PATH": "/bin"}
    added = pin_avx2(environ, frozenset({"sse2", "avx", "avx2", "fma", "avx512f"}))
    assert added == {"ATEN_CPU_CAPABILITY": "avx2", "OPENBLAS_CORETYPE": "Haswell", "TF_ENABLE_ONEDNN_OPTS": "0"}
    assert environ == {**AVX2_PINS, "ONEDNN_MAX_CPU_ISA": "AVX512_CORE", "PATH": "/bin"}  # a person's choice is kept
    assert pin_avx2(environ, frozenset({"avx2", "fma"})) == {}  # all set already
    bare: dict[str, str] = {}
    assert pin_avx2(bare, frozenset({"sse2", "avx", "fma"})) == {} and bare == {}  # no AVX2: nothing forced


@pytest.mark.skipif(not HAS_AVX2, reason="this CPU has no AVX2: nothing is pinned")
def test_a_process_started_with_the_pins_runs_torchs_avx2_kernels() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in AVX2_PINS}
    pin_avx2(environ)
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "AVX2"
    environ["ATEN_CPU_CAPABILITY"] = "default"  # the variable is what decides: a lower cap is obeyed too
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "DEFAULT"


@pytest.mark.skipif(not HAS_AVX2, reason="this CPU has no AVX2: nothing is pinned")
def test_a_process_started_with_the_pins_runs_tensorflow_without_its_onednn_kernels() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in AVX2_PINS}
    code = "from tensorflow.python.util import _pywrap_util_port as port; print(port.IsMklEnabled())"
    unpinned = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    pin_avx2(environ)
    pinned = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    assert (unpinned.stdout.strip(), pinned.stdout.strip()) == ("True", "False")


@pytest.mark.skipif(not HAS_AVX2, reason="this CPU has no AVX2: nothing is pinned")
def test_a_notebook_kernel_inherits_the_pins_and_this_process_gets_its_environment_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in AVX2_PINS:  # the test session pinned them (nbval_numbers): start without
        monkeypatch.delenv(name, raising=False)
    root = conftest.make_project(tmp_path / "project")
    source = root / "notebooks" / "07_isa.ipynb"
    nb = nbformat.v4.new_notebook()
    show = (f"import os, torch\nnames = {sorted(AVX2_PINS)!r}\n"
            "print([os.environ.get(n) for n in names], torch.backends.cpu.get_cpu_capability())")
    nb.cells = [nbformat.v4.new_code_cell('profile = "smoke"', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(show)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, source)
    run = next(r for r in plan("smoke", root) if r.name == "07_isa")
    directory = executions.execution_dir(root / "results", "smoke", run.execution_id)
    record = execute_job(Job(run.execution_id, str(run.source), str(directory), str(root), run.parameters,
                             threads=2, record={"execution_id": run.execution_id}))
    assert record["status"] == "ok", record["error"]
    out = nbformat.read(directory / executions.NOTEBOOK, as_version=4)
    assert out.cells[-1].outputs[0].text == f"{[AVX2_PINS[n] for n in sorted(AVX2_PINS)]} AVX2\n"
    assert not set(AVX2_PINS) & set(os.environ)
    assert record["machine"] == describe_cpu(environ=AVX2_PINS)  # the machine, as the kernel computed on it
