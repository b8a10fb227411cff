"""The claims read from definitions (genstudy.study.claims.definitions): declared, never decided by a number."""

from __future__ import annotations

from pathlib import Path

from genstudy.study import claims, report


def test_complexity_is_declared_unmeasured(study: Path) -> None:
    verdict = claims.check_classic_complex(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    assert verdict.verdict == claims.NOT_MEASURED and "no agreed measure" in verdict.evidence


def test_interpretability_is_declared_unmeasured_never_decided(study: Path) -> None:
    verdict = claims.check_interpretability(report.runs_frame(study, "quick"), claims.toy_frame(study, "quick"))
    assert verdict.verdict == claims.NOT_MEASURED and "no measure of interpretability" in verdict.evidence
