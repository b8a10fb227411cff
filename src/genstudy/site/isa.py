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

Intel MKL, torch's BLAS, is left to choose: the chapters whose numbers rest on its matrix
products (the VAEs, the RBM, the DBN, the toy models) already gave the same smoke numbers on the
AVX-512 and the AVX2 machines, and its only cap, ``MKL_CBWR``, changes them (measured: with
``MKL_CBWR=AVX2`` the toy chapter's GAN covers 0.651 of its grid instead of 0.557 on an AMD
EPYC) without a promise that an Intel CPU would then agree.

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
#: The CPU flags (as ``/proc/cpuinfo`` names them) that the pinned code needs.
REQUIRED_FLAGS = frozenset({"avx2", "fma"})


def pin_avx2(environ: MutableMapping[str, str] | None = None,
             flags: frozenset[str] | None = None) -> dict[str, str]:
    """Set each of :data:`AVX2_PINS` in ``environ`` (default ``os.environ``, which kernels
    started afterwards inherit) where it is not set yet, if the CPU has :data:`REQUIRED_FLAGS`
    (default: read from ``/proc/cpuinfo``). Return the variables it set (empty when the CPU
    lacks AVX2 or every variable was already set)."""
    environ = os.environ if environ is None else environ
    flags = cpu_flags() if flags is None else flags
    if not flags >= REQUIRED_FLAGS:
        return {}
    added = {name: value for name, value in AVX2_PINS.items() if name not in environ}
    environ.update(added)
    return added
