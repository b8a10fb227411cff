"""The machine a process computes on, in words: its CPU's model, its widest vector instructions
and the cap on torch's kernels, read from ``/proc/cpuinfo`` and the environment.

Seconds measured on two machines do not compare: under the same label ``cpu (2 threads)`` this
project's CPU machines have trained the article's TensorFlow GAN in 109 s and in 287 s. So every
run record (:func:`genstudy.runs.record.new_record`) and every execution record of the book's
grid names its machine with :func:`describe_cpu`, and the book compares timings between runs of
one description only (:func:`genstudy.study.claims.one_device`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")


@functools.cache
def _cpuinfo_fields(cpuinfo: Path) -> dict[str, str]:
    """The fields of the first CPU in ``cpuinfo`` (empty where it is absent or unreadable); read once
    per path and process (the CPU does not change while a process runs)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if not sep:
            if fields:  # the blank line after the first CPU
                break
            continue
        fields.setdefault(name.strip(), value.strip())
    return fields


def cpu_field(field: str, cpuinfo: Path = CPUINFO) -> str | None:
    """The value of ``field`` for the first CPU in ``cpuinfo`` (None where it is absent or unreadable)."""
    return _cpuinfo_fields(cpuinfo).get(field)


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The instruction-set flags of the first CPU in ``cpuinfo`` (empty where it cannot be read)."""
    return frozenset((cpu_field("flags", cpuinfo) or "").split())


def describe_cpu(cpuinfo: Path = CPUINFO, environ: Mapping[str, str] | None = None) -> str:
    """The machine in words: the CPU's model, its widest vector instructions, and the cap on torch's
    kernels in ``environ`` (default ``os.environ``), e.g. ``"AMD EPYC; AVX2; kernels capped at avx2"``.
    Training seconds compare only between runs with the same description (threads are recorded apart)."""
    environ = os.environ if environ is None else environ
    flags = cpu_flags(cpuinfo)
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    cap = environ.get("ATEN_CPU_CAPABILITY")
    return f"{cpu_field('model name', cpuinfo) or 'CPU model unknown'}; {widest}; " + (
        f"kernels capped at {cap}" if cap else "kernels not capped")
