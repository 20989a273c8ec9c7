"""The findings table: the normalizers' findings, the rejects and the audit's own checks."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from crmclean.audit.mask import mask_email, mask_name, masker
from crmclean.codes import BY_CODE, BY_RULE, SEVERITY_RANK, VALIDITY
from crmclean.model import ContactModel

NORMALIZE_DIMENSION = VALIDITY
LABELLED = ("full_name", "email")  # what an example record shows (Examples.label)


@dataclass(frozen=True)
class Finding:
    """One row of the findings table: a rule on a field, how many, and a few examples."""

    code: str
    rule: str
    severity: str
    dimension: str
    field: str | None
    count: int
    description: str
    examples: list[str] = dataclasses.field(default_factory=list)  # `field` is an attribute

    @property
    def key(self) -> str:
        """What identifies the same finding in two audits: code and field."""
        return f"{self.code}:{self.field or ''}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Examples:
    """Picks (and masks, with ``--mask-pii``) the example values shown per finding."""

    model: ContactModel
    mask: bool = False
    limit: int = 3

    def values(self, field: str | None, values: list[str]) -> list[str]:
        shown = values[: self.limit]
        return [masker(self.model, field)(v) for v in shown] if self.mask else shown

    def records(self, frame: pl.DataFrame, where: pl.Expr | None = None) -> list[str]:
        """``Name <e-mail>`` of the first records of ``frame`` (those meeting ``where``: only
        the few shown are gathered)."""
        shown = [name for name in LABELLED if name in frame.columns]
        rows = frame.lazy() if where is None else frame.lazy().filter(where)
        first = rows.select(shown).head(self.limit).collect()
        return [self.label(row) for row in first.iter_rows(named=True)]

    def label(self, row: dict[str, Any]) -> str:
        name, email = row.get("full_name"), row.get("email")
        if self.mask:
            name = name and mask_name(name)
            email = email and mask_email(email)
        parts = [name or "(no name)", f"<{email}>" if email else ""]
        return " ".join(p for p in parts if p)


def audit_finding(code: str, field: str | None, count: int, examples: list[str]) -> Finding:
    """A finding of one of the audit's own codes."""
    spec = BY_CODE[code]
    return Finding(
        spec.code, spec.rule, spec.severity, spec.dimension, field, count, spec.description,
        examples,
    )  # fmt: skip


def normalizer_findings(findings: pl.DataFrame, examples: Examples) -> list[Finding]:
    """The normalizers' (and matcher's) findings counted per code and field."""
    grouped = findings.group_by("code", "rule", "severity", "field").agg(
        count=pl.len(),
        examples=pl.col("before").drop_nulls().unique(maintain_order=True).head(examples.limit),
    )
    return [
        Finding(
            row["code"],
            row["rule"],
            row["severity"],
            NORMALIZE_DIMENSION,
            row["field"],
            row["count"],
            _describe(row["rule"]),
            examples.values(row["field"], row["examples"]),
        )
        for row in grouped.iter_rows(named=True)
    ]


def _describe(rule: str) -> str:
    code = BY_RULE.get(rule)
    return code.description if code is not None else rule


def reject_findings(rejects: pl.DataFrame, examples: Examples) -> list[Finding]:
    """Rejected records counted per reason, with their ``source:id`` as examples."""
    per_record = rejects.unique(["_source", "_source_id"], keep="first", maintain_order=True)
    grouped = per_record.group_by("rule", maintain_order=True).agg(
        count=pl.len(),
        examples=pl.format("{}:{}", "_source", "_source_id").head(examples.limit),
    )
    spec = BY_CODE["RJ01"]
    return [
        Finding(
            spec.code,
            row["rule"],
            spec.severity,
            spec.dimension,
            None,
            row["count"],
            spec.description,
            row["examples"],
        )
        for row in grouped.iter_rows(named=True)
    ]


def ordered(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; the most frequent first within each."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), -f.count, f.key))
