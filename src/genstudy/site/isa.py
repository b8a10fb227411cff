"""The CPU instruction set every notebook kernel computes with: capped at AVX2, so that a smoke
run gives the same numbers on every x86-64 machine that has AVX2, AVX-512 or not.

torch, TensorFlow and numpy choose their kernels at run time from the CPU's instruction sets,
and an AVX-512 kernel sums in another order than an AVX2 one: the same seed then trains to
numbers that differ in the third digit (measured on the smoke profile: the report's Kendall
tau between two embeddings' FD rankings 0.897 on an AVX-512 machine, 0.872 on an AVX2 one, and
16 such outputs of the GAN chapters; CI's machines have been of both kinds). Each library reads a variable
that caps its choice, when it loads or first computes; a kernel started with :data:`AVX2_PINS`
in its environment uses the AVX2 code everywhere:

* ``ATEN_CPU_CAPABILITY``: torch's own vectorised operators (ATen);
* ``ONEDNN_MAX_CPU_ISA``: oneDNN, torch's and TensorFlow's convolutions and matrix products;
* ``OPENBLAS_CORETYPE``: OpenBLAS, numpy's and scipy's BLAS and LAPACK;
* ``TF_ENABLE_ONEDNN_OPTS=0``: TensorFlow's own oneDNN operators off, so that it computes with its
  Eigen kernels, which are compiled into the wheel for one instruction set and so are the same on
  every machine. TensorFlow's oneDNN does not obey ``ONEDNN_MAX_CPU_ISA`` (nor
  ``DNNL_MAX_CPU_ISA``): on an AMD EPYC with AVX-512 the TensorFlow chapter's smoke GAN scored 267
  where the AVX2 machines that made the reference notebooks scored 266 (it failed CI); with this
  variable it scores 266 there too, and every other smoke output of the chapter is unchanged.

Intel MKL, torch's BLAS, picks its own code path by CPU vendor and model, and no AVX2 cap makes
an Intel CPU and an AMD one agree: ``MKL_CBWR=AVX2`` is honoured on Intel CPUs only (MKL falls back
to its ``AUTO`` branch elsewhere). Measured on the smoke profile: an Intel Xeon (Sapphire Rapids,
AVX-512) differed from the AMD EPYCs' references in 15 cells of 8 notebooks, from the third digit of
an FD (7.23e+03 against 7.2e+03) to the toy chapter's GAN, whose 2-D training amplifies the last bit
of a matrix product into another run (grid coverage 0.357 against 0.557). MKL's one branch that
gives the same bits on every Intel and Intel-compatible CPU is ``COMPATIBLE`` (SSE2, with a fixed
number of threads): :data:`EXACT_PINS`. Its products are slower (a 64x784 by 784x500 product and its
transpose: 2.2 ms against 0.57 ms on the Xeon), so it is set only where numbers are compared with
stored ones: the smoke profile's kernels (:func:`genstudy.site.engines.execute_job`, which the
reference outputs and the tests both come from). Checked on an AMD EPYC (Zen 4) against references made on
the Xeon: every chapter agreed but the 2-D one, whose float32 training amplified a last bit that differed
elsewhere; it computes in float64 (:data:`genstudy.study.toy.TOY_DTYPE`).

On a machine without AVX2 (or not x86-64) nothing is pinned: forcing ``avx2`` there would make
torch run instructions the CPU lacks. A variable already set is left as it is, so a person may
choose otherwise (for speed on an AVX-512 machine, say) by setting it. The machine and the cap in
effect are described by :func:`genstudy.machine.describe_cpu`.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from genstudy.machine import cpu_flags

#: The variable of each numeric library, and the value that caps it at AVX2 (with FMA), or (TensorFlow)
#: turns its run-time choice of kernels off.
AVX2_PINS: dict[str, str] = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}
#: What makes Intel MKL compute the same bits on Intel and AMD CPUs (its conditional numerical
#: reproducibility, SSE2 branch), for kernels whose numbers are compared with stored ones.
EXACT_PINS: dict[str, str] = {"MKL_CBWR": "COMPATIBLE"}
#: The profile whose executions are compared with stored outputs (the notebooks' references).
EXACT_PROFILE = "smoke"
#: Its kernels' CPU threads, whatever the machine: MKL's reproducibility holds for a fixed number of threads,
#: and torch's reductions depend on it too. One: the smoke models are too small to gain from a second
#: thread, and two kernels side by side (the test suite's two workers) then share two cores without
#: oversubscribing them (two 2-thread kernels on 2 cores ran about 4 times slower, their OpenMP threads
#: spinning while they waited for each other).
EXACT_THREADS = 1
#: The CPU flags (as ``/proc/cpuinfo`` names them) that the pinned code needs.
REQUIRED_FLAGS = frozenset({"avx2", "fma"})


def pin_avx2(environ: MutableMapping[str, str] | None = None,
             flags: frozenset[str] | None = None, *, exact: bool = False) -> dict[str, str]:
    """Set each of :data:`AVX2_PINS` in ``environ`` (default ``os.environ``, which kernels
    started afterwards inherit) where it is not set yet, if the CPU has :data:`REQUIRED_FLAGS`
    (default: read from ``/proc/cpuinfo``), and, with ``exact``, :data:`EXACT_PINS` whatever the CPU.
    Return the variables it set (empty when the CPU lacks AVX2 and ``exact`` is off, or every variable
    was already set)."""
    environ = os.environ if environ is None else environ
    flags = cpu_flags() if flags is None else flags
    wanted = {**(AVX2_PINS if flags >= REQUIRED_FLAGS else {}), **(EXACT_PINS if exact else {})}
    added = {name: value for name, value in wanted.items() if name not in environ}
    environ.update(added)
    return added
