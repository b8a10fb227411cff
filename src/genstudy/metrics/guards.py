"""Checks a log-likelihood must pass before the book shows it as a number.

An estimate that fails any check is *withheld*: the run record keeps the value and the
reasons (``evaluation.likelihood_guard``), and the tables show ``unreliable: <reason>``.

The checks, all in nats per image:

* **Hard floor on log Z** (RBM and the DBN's top RBM). ``Z = Σ_v exp(−F(v))`` over every
  state, so the sum over any set of distinct states is smaller:
  ``log Z ≥ logsumexp_{v ∈ S} −F(v)`` for the distinct training vectors S the AIS base
  rate was fitted to. An AIS estimate below this floor is certainly wrong (it would
  make those training vectors' probabilities sum to more than 1).
* **Entropy ceiling** (binarized data). The test images are binarized by drawing each pixel
  from Bernoulli(grey level). No model can beat the data's own randomness on average: for
  grey images x_i, ``E[log p(b)] ≤ −H(mixture) ≤ −(1/N) Σ_i Σ_d h(x_id)`` with ``h`` the
  binary entropy, since the cross-entropy is at least the entropy of the binarizing
  distribution, itself at least the mean entropy of its components. A reported mean
  log-likelihood above the ceiling is impossible up to the fluctuation of one draw.
* **Effective sample size** of the AIS weights: at least :data:`ESS_MIN_FRACTION` of the
  chains. Below it, a handful of chains carry the whole estimate, and its interval
  (which assumes many) means nothing.
* **Independent runs agree**. The chains of the run used are split into two halves, two
  independent AIS runs, whose log Z must agree within :data:`AGREEMENT_NATS`. And AIS is run
  along a second path, annealed over the RBM's other side
  (:class:`~genstudy.metrics.ais.TwoWayAIS`), sharing no chain and no base model: when that
  run's own effective sample size passes, it must agree too. Chains that all stay in the
  modes their base model favours look fine by their own weights; a second path can show it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

from genstudy.metrics.ais import TwoWayAIS
from genstudy.models.rbm import RBM

#: The effective sample size must reach this fraction of the AIS chains.
ESS_MIN_FRACTION = 0.1
#: Independent AIS runs (the halves of one, and the other side's) must agree on log Z within this many nats.
AGREEMENT_NATS = 1.0


@torch.no_grad()
def log_z_floor(rbm: RBM, vectors: torch.Tensor) -> float:
    """``logsumexp(−F(v))`` over the distinct rows of binary ``vectors`` (N, V): a true lower
    bound on the RBM's log Z (nats)."""
    distinct = torch.unique(vectors.flatten(1).to(rbm.device), dim=0)
    return float(torch.logsumexp((-rbm.free_energy(distinct)).double(), 0))


def binarization_ceiling(grey: torch.Tensor) -> float:
    """``−(1/N) Σ_i Σ_d h(x_id)``: the highest mean log-likelihood (nats per image) any model
    can reach, in expectation, on Bernoulli binarizations of ``grey`` (N, …) in [0, 1]."""
    p = grey.flatten(1).double().clamp(0.0, 1.0)
    h = -(torch.xlogy(p, p) + torch.xlogy(1 - p, 1 - p))
    return float(-h.sum(1).mean())


@dataclass(frozen=True)
class Guard:
    """The outcome of :func:`check`: ``passed``, the ``reasons`` it failed (empty when it
    passed) and the quantities each check compared (``checks``, JSON-ready)."""

    passed: bool
    reasons: tuple[str, ...] = ()
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reasons in one line (empty when passed)."""
        return "; ".join(self.reasons)

    def as_dict(self, value: float) -> dict[str, Any]:
        """The record's ``evaluation.likelihood_guard``: the estimate, pass/fail, reasons, checks."""
        return {"value": value, "passed": self.passed, "reasons": list(self.reasons), **self.checks}


def check(value: float, *, ceiling: float | None = None, ais: TwoWayAIS | None = None,
          floor: float | None = None, ess_min_fraction: float = ESS_MIN_FRACTION,
          agreement_nats: float = AGREEMENT_NATS) -> Guard:
    """Check the mean log-likelihood ``value`` (nats per image).

    ``ceiling``: the binarization-entropy ceiling (:func:`binarization_ceiling`; None for
    continuous data, whose densities have none). ``ais``: the two AIS paths behind ``value``;
    the one used (``ais.best``) must have log Z at least ``floor`` (:func:`log_z_floor`), an
    effective sample size of at least ``ess_min_fraction`` of its chains and halves that agree
    within ``agreement_nats``; the other path must agree with it too when its own effective
    sample size passes.
    """
    reasons: list[str] = []
    checks: dict[str, Any] = {}
    if not math.isfinite(value):
        reasons.append("not a finite number")
    if ceiling is not None:
        checks["ceiling"] = round(ceiling, 3)
        if value > ceiling:
            reasons.append(f"{value:.1f} nats is above the data's entropy ceiling {ceiling:.1f}")
    if ais is not None:
        best = ais.best
        chains = len(best.log_weights)
        ess, ess_min = best.effective_sample_size, ess_min_fraction * chains
        halves = best.half_log_z()
        other = ais.other
        other_usable = other.effective_sample_size >= ess_min_fraction * len(other.log_weights)
        checks.update({"ess": round(ess, 2), "ess_min": round(ess_min, 2), "chains": chains,
                       "annealed_over": "visible side" if best is ais.visible else "hidden side",
                       "half_log_z": [round(h, 3) for h in halves],
                       "log_z_other_side": round(other.log_z, 3),
                       "ess_other_side": round(other.effective_sample_size, 2), "agreement_nats": agreement_nats})
        if floor is not None:
            checks["log_z_floor"] = round(floor, 3)
            if best.log_z < floor:
                reasons.append(f"AIS log Z {best.log_z:.1f} is below its hard lower bound {floor:.1f}")
        if ess < ess_min:
            reasons.append(f"AIS effective sample size {ess:.1f} of {chains} chains (needs {ess_min:.3g})")
        gap = abs(halves[0] - halves[1])
        if not gap <= agreement_nats:
            reasons.append(f"two halves of the AIS chains differ by {gap:.1f} nats (tolerance {agreement_nats:g})")
        if other_usable and not ais.disagreement <= agreement_nats:
            reasons.append(f"AIS over the RBM's other side differs by {ais.disagreement:.1f} nats "
                           f"(tolerance {agreement_nats:g})")
    return Guard(not reasons, tuple(reasons), checks)


@dataclass(frozen=True)
class OneSided:
    """What a withheld AIS-based estimate still says, in nats per image: ``expected`` bounds log p(v)
    from above in expectation (AIS's log Z is a stochastic lower bound on log Z, by Jensen's
    inequality, so ``−F − log Ẑ`` sits above the truth on average; the larger of the two paths'
    log Ẑ gives the tighter bound), and ``certain`` bounds it from above for sure (log Z is at least
    its hard floor, :func:`log_z_floor`); None where the guard recorded no floor."""

    expected: float
    certain: float | None

    def text(self) -> str:
        """The reading in words, its direction first."""
        sure = "" if self.certain is None else f", and at most {self.certain:.1f} for certain (log Z's hard floor)"
        return (f"at most {self.expected:.1f} in expectation (AIS's log Z is a stochastic lower bound; the "
                f"larger of its two paths' used){sure}")


def one_sided(guard: dict[str, Any], log_z: float) -> OneSided | None:
    """The one-sided reading of an AIS-based estimate from its record: ``guard`` is the record's
    ``evaluation.likelihood_guard`` (:meth:`Guard.as_dict`: ``value`` = mean ``−F − log_z``, and the
    other path's ``log_z_other_side`` and the ``log_z_floor``), ``log_z`` the log Z it used. None for
    an estimate that is not AIS-based (a bound needs no such reading)."""
    value = guard.get("value")
    other = guard.get("log_z_other_side")
    if value is None or other is None or not math.isfinite(value):
        return None
    expected = value - max(0.0, other - log_z)
    floor = guard.get("log_z_floor")
    return OneSided(expected, None if floor is None else value + log_z - floor)
