"""What each metric of a run record is: its table title, which direction is better, the
decimals the book shows. The one place that knows "higher is better" (as torchmetrics keeps
``higher_is_better`` on each metric); tables, plots and the claims' rules read it here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricInfo:
    """``key`` in a record's ``metrics`` block; ``title`` in the book's tables; ``higher_is_better``
    (None: neither, e.g. density, whose ideal is 1); ``digits`` shown after the decimal point;
    ``band``: the no-difference band of a comparison, a difference within which two models
    count as the same (a share of the reference value when ``relative``, else absolute)."""

    key: str
    title: str
    higher_is_better: bool | None
    digits: int = 3
    band: float = 0.0
    relative: bool = False

    def band_for(self, reference: float) -> float:
        """The band in the metric's units, for a comparison against ``reference``."""
        return self.band * abs(reference) if self.relative else self.band


CATALOG: tuple[MetricInfo, ...] = (
    MetricInfo("fd", "FD ↓", False, 1, band=0.10, relative=True),
    MetricInfo("kid", "KID ↓", False, 1, band=0.10, relative=True),
    MetricInfo("precision", "precision ↑", True, band=0.02),
    MetricInfo("recall", "recall ↑", True, band=0.02),
    MetricInfo("density", "density", None),
    MetricInfo("coverage", "coverage ↑", True, band=0.02),
    MetricInfo("class_kl", "class KL ↓", False),
    MetricInfo("classes_covered", "classes covered", True, 1),
    MetricInfo("fd_second", "FD, 2nd embedding ↓", False, 1, band=0.10, relative=True),
    MetricInfo("nn_ratio", "NN-distance ratio", None, 2),
    MetricInfo("copies", "copies ↓", False),
    MetricInfo("parzen_ll", "Parzen log-density", True, 1),
    MetricInfo("log_likelihood", "log-likelihood", True, 1),
    MetricInfo("log_likelihood_train", "train log-likelihood", None, 1),
    MetricInfo("bits_per_dim", "bits/dim ↓", False, 3),
)
METRICS: dict[str, MetricInfo] = {m.key: m for m in CATALOG}
#: The costs the claims' rules rank models by: less is better.
COSTS: dict[str, MetricInfo] = {
    m.key: m for m in (MetricInfo("sample_1k_s", "1k samples s", False, 2, band=0.10, relative=True),
                       # training seconds to a probe FD every compared run reached (study.report.time_to_quality)
                       MetricInfo("time_to_quality_s", "s to common FD", False, 2, band=0.10, relative=True))}


def info(key: str) -> MetricInfo:
    """The :class:`MetricInfo` of a metric or cost ``key``."""
    return {**METRICS, **COSTS}[key]


def higher_is_better(key: str) -> bool:
    """Whether a larger value of metric or cost ``key`` is better (a KeyError for an unknown key
    or a metric with no direction)."""
    direction = {**METRICS, **COSTS}[key].higher_is_better
    if direction is None:
        raise KeyError(f"metric {key!r} has no better direction")
    return direction
