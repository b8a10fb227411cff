"""Verdicts and how a claim's comparisons combine into one.

A :class:`Verdict` is ``supported``, ``refuted``, ``qualified``, ``not measured`` or ``not enough seeds``; a
pair of families is compared metric by metric (:mod:`genstudy.study.compare`) and :func:`agreement`
turns the outcomes into one verdict; :func:`combine` joins several pairs' or readings'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from genstudy.metrics.catalog import info
from genstudy.study import compare as cmp

SUPPORTED, REFUTED, QUALIFIED, NOT_MEASURED = "supported", "refuted", "qualified", "not measured"
NOT_ENOUGH_SEEDS = cmp.FEW_SEEDS
MEASURED, ANALYTIC = "measured", "analytic"
CLASSIC = ("vae", "rbm", "dbn")
#: The yardsticks of sample quality that must agree for a "supported" or "refuted". A family's precision
#: above the real data's own is a collapse signal, not a win: that comparison is flagged and left out of the
#: verdict (:func:`family_comparisons`).
QUALITY = ("fd", "kid", "precision", "recall", "coverage")


@dataclass(frozen=True)
class Verdict:
    """A claim's ``verdict``, the ``evidence`` it rests on (every number, in words), and its
    ``headline``: the deciding numbers in a few words, with their intervals where there are
    any ("" when the verdict rests on no measured number)."""

    verdict: str
    evidence: str
    headline: str = ""


@dataclass(frozen=True)
class Claim:
    """One claim of the article: where (``section``), its words (``quote``, ``english``),
    what tests it (``test``), the rule that decides (``check``) and its ``basis``
    (``measured`` or ``analytic``)."""

    key: str
    section: str
    quote: str
    english: str
    test: str
    check: Callable[[pd.DataFrame, pd.DataFrame], Verdict]
    basis: str = MEASURED


def agreement(comparisons: list[cmp.Comparison]) -> str:
    """One pair's verdict from its metrics' outcomes: supported when every metric says A is
    better, refuted when none does and none is undecided, else qualified; not enough seeds
    when a group is short of seeds."""
    outcomes = {c.outcome for c in comparisons} - {cmp.FLAGGED} or {cmp.UNDECIDED}
    if cmp.FEW_SEEDS in outcomes:
        return NOT_ENOUGH_SEEDS
    if outcomes == {cmp.BETTER}:
        return SUPPORTED
    if outcomes <= {cmp.WORSE, cmp.SAME}:
        return REFUTED
    return QUALIFIED


def combine(verdicts: Iterable[str]) -> str:
    """Several verdicts (of pairs, or of one pair read two ways) as one: a reading not measured
    is left out (the others decide; all not measured → not measured); then all alike → that
    verdict; any short of seeds → not enough seeds; otherwise qualified."""
    values = set(verdicts)
    values = values - {NOT_MEASURED} or values
    if NOT_ENOUGH_SEEDS in values:
        return NOT_ENOUGH_SEEDS
    return values.pop() if len(values) == 1 else QUALIFIED


def pair_text(a: str, other: str, comparisons: list[cmp.Comparison], verdict: str) -> str:
    return f"{a.upper()} vs {other.upper()} ({verdict}): " + "; ".join(c.text() for c in comparisons)


def headline_of(comparisons: dict[str, list[cmp.Comparison]]) -> str:
    """The first metric of each pair in a few words, against the other family's mean over its models:
    ``vs VAE (family mean): FD gain -52.3 [-80.1, -20.4], worse``."""
    parts = []
    for other, cs in comparisons.items():
        c = cs[0]
        title = info(c.metric).title.split(" (")[0].rstrip(" ↑↓")
        parts.append(f"vs {other.upper()}: {cmp.FEW_SEEDS} ({c.n_a} and {c.n_b})" if c.outcome == cmp.FEW_SEEDS
                     else f"vs {other.upper()} (family mean): {title} gain {c.number(c.gain)} [{c.number(c.low)}, "
                          f"{c.number(c.high)}], {c.outcome}")
    return "; ".join(parts)


def missing(*families: str, timed: str = "") -> Verdict:
    """Not measured: no successful run of ``families`` in these records or, given ``timed`` (the
    note of :func:`one_device`), among the runs of the one device and machine whose timings are
    compared; the headline says which families, in a few words."""
    names = ", ".join(families)
    if timed:
        return Verdict(NOT_MEASURED, f"no successful run of {names} among the runs timed on one device and machine "
                                     f"({timed})", f"not measured: no run of {names} on the machine timed")
    return Verdict(NOT_MEASURED, f"no successful run of {names} in these records")


def names(families: list[str]) -> str:
    return ", ".join(f.upper() for f in families)


def tally(holds: list[str], families: list[str], evidence: str, true_of: str, false_of: str,
           headline: str = "") -> Verdict:
    """Supported when the claim holds for all ``families``, refuted for none, else qualified."""
    if len(holds) == len(families):
        return Verdict(SUPPORTED, evidence, headline)
    if not holds:
        return Verdict(REFUTED, evidence, headline)
    return Verdict(QUALIFIED, f"{true_of} {names(holds)}; {false_of} "
                              f"{names([f for f in families if f not in holds])}: {evidence}", headline)
