"""The overall score: a weighted mean of the dimensions measured, and the grade words."""

from __future__ import annotations

from crmclean.audit.config import AuditConfig
from crmclean.audit.measure import Measure


def overall(measures: list[Measure], config: AuditConfig) -> float | None:
    """``sum(weight * score) / sum(weight)`` over measured dimensions with a weight above 0."""
    scored = [(config.weight(m.dimension), m.score) for m in measures if m.score is not None]
    total = sum(weight for weight, _ in scored)
    if total == 0:
        return None
    mean = round(sum(weight * score for weight, score in scored) / total, 1)
    return min(mean, 99.9) if any(score < 100 for _, score in scored) else mean


def grade(score: float | None, config: AuditConfig) -> str:
    """``good``, ``fair`` or ``poor`` by the configured bands; ``n/a`` when not measured."""
    if score is None:
        return "n/a"
    if score >= config.grades.good:
        return "good"
    return "fair" if score >= config.grades.fair else "poor"
