"""nbval's comparison of the notebooks' outputs, made to compare numbers (a pytest plugin,
loaded with ``-p nbval_numbers``).

The smoke runs are deterministic on the CPU, so the notebooks' stored outputs are compared with
a fresh execution, every number included. Before comparing, each output text is sanitized:

1. what legitimately differs between executions is masked (:data:`MASKS`): wall-clock seconds
   (written with their unit, ``"12.3 s"``, see :func:`genstudy.study.tables.in_seconds`) and
   ratios of them (written ``"0.35×"``, with the multiplication sign), values read at a budget of
   measured seconds (written with a tilde, ``"~80.0 [70.1, 90.2]"``), memory addresses, pandas
   Styler's random table ids, Keras' layer counters, the machine's thread count, CPU (its
   description by :func:`genstudy.machine.describe_cpu`) and GPU name,
   timestamps, the commits of a provenance line;
2. every decimal number is rounded to :data:`SIGNIFICANT` significant digits, so the last
   digits of a float reduction (which may move with a library's kernel choice) do not fail a
   test, while any change a reader would see does;
3. runs of blanks become one blank (a table's column padding follows the width of its values,
   which a masked time may change).

So no cell needs ``nbval-ignore-output``: the book writes every time with its unit.

The kernels nbval starts inherit this process's environment, in which :func:`pytest_configure`
caps the numeric libraries at AVX2 (:mod:`genstudy.site.isa`), as ``genstudy notebooks refresh``
does for the reference outputs: without it, an AVX-512 machine and an AVX2 one train the smoke
models to numbers that differ in the third digit.
"""

from __future__ import annotations

import os
import re

import pytest
from nbval.plugin import IPyNbCell

from genstudy.site.engines import THREAD_VARIABLES
from genstudy.site.isa import pin_avx2

SIGNIFICANT = 3

MASKS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"\b\d+(?:\.\d+)?(?:e[-+]?\d+)? s\b", "<SECONDS> s"),                # wall times: "12.3 s"
    (r"\b\d+(?:\.\d+)?(?:e[-+]?\d+)?×", "<RATIO>×"),                      # ratios of times: "0.35×"
    (r"~-?\d+(?:\.\d+)?(?: \[[^\]]*\]| \(\d+ seeds?\))?", "~<TIMED>"),      # at a timed budget: "~80.0 [70, 90]"
    (r"\b0x[0-9a-f]{6,}\b", "0x<ADDRESS>"),                                # object reprs
    (r"\bT_[0-9a-f]{5}(?=_|\b)", "T_<ID>"),                                # pandas Styler's table ids
    (r"\b(keras_tensor|input_layer|functional|sequential)_\d+", r"\1_N"),  # Keras' layer counters
    (r"cpu \(\d+ threads\)", "cpu (N threads)"),                            # the machine's threads
    (r"cuda: [^\n<\"'|]+", "cuda: <GPU>"),                                  # the GPU's name
    (r"[\w .@()/+-]*; (?:AVX-512|AVX2|no AVX2); kernels (?:capped at \w+|not capped)", " <MACHINE>"),  # the CPU
    (r"\bmedian of \d+\b", "median of N"),                                # repeats a machine's speed decides
    (r"(?<![\w./])\.\./results/", "results/"),                              # a path from notebooks/ (nbval's kernel)
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)?", "<TIME>"),
    (r"\bcommits? (?:[0-9a-f]{7}(?:\+dirty)?|unknown)(?:, (?:[0-9a-f]{7}(?:\+dirty)?|unknown))*", "commit <COMMIT>"),
))
BLANKS = re.compile(r"[ \t]+")
DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])-?\d+[eE][-+]?\d+(?![\w.])")


def round_decimals(text: str, digits: int = SIGNIFICANT) -> str:
    """``text`` with every decimal number written with ``digits`` significant digits
    (``"1319.625050"`` → ``"1.32e+03"``, ``"0.0270"`` → ``"0.027"``); integers, version numbers
    and identifiers are left as they are."""
    return DECIMAL.sub(lambda m: f"{float(m.group()):.{digits}g}", text)


def sanitize(text: str) -> str:
    """The text nbval compares: :data:`MASKS` applied, :func:`round_decimals`, blanks collapsed."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return BLANKS.sub(" ", round_decimals(text))


def _sanitize(self: IPyNbCell, s: object) -> object:
    return sanitize(s) if isinstance(s, str) else s


IPyNbCell.sanitize = _sanitize


def pytest_configure(config: pytest.Config) -> None:
    """Cap every kernel started in this test session at AVX2; where nbval itself executes the
    notebooks (``--nbval``), its kernels also compute MKL's products as the smoke book's do, the
    same on Intel and AMD CPUs (:mod:`genstudy.site.isa`)."""
    pin_avx2(exact=bool(config.option.nbval or config.option.nbval_lax))
    # One CPU thread for everything else this session starts (the command-line papermill runs, the grid's
    # other profiles, torch in this process): the suite runs two workers on two cores, and a second thread
    # per process would only oversubscribe them.
    for name in (*THREAD_VARIABLES, "GENSTUDY_THREADS"):
        os.environ.setdefault(name, "1")
