"""What every dimension's measure receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from crmclean.audit.config import AuditConfig
from crmclean.audit.findings import Examples, Finding
from crmclean.model import ContactModel


@dataclass(frozen=True)
class Context:
    """The audited records (after normalize and dedupe) and the settings."""

    frame: pl.DataFrame
    findings: pl.DataFrame
    rejects: pl.DataFrame
    model: ContactModel
    config: AuditConfig
    as_of: date
    examples: Examples

    def present(self, columns: list[str]) -> list[str]:
        """The ``columns`` the frame has."""
        return [c for c in columns if c in self.frame.columns]


@dataclass(frozen=True)
class Measure:
    """One dimension's result: a 0-100 score (None when nothing could be measured),
    how many units were checked and failed, its own figures and findings."""

    dimension: str
    score: float | None
    checked: int
    failed: int
    metrics: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    records: list[pl.LazyFrame] = field(default_factory=list)  # per record (audit.records)


def score_of(failed: int, checked: int) -> float | None:
    """``100 * (1 - failed / checked)``, None when nothing was checked; never 100 while a
    record fails (2 failing of 100 000 is 99.9, not 100)."""
    if checked == 0:
        return None
    score = round(100.0 * (1 - failed / checked), 1)
    return min(score, 99.9) if failed else score
