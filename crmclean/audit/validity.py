"""Validity: the share of values the normalizers accept, per field, by their findings.

A value is invalid when its field has a ``warning`` or ``error`` finding for that record; new
finding codes count as soon as the normalizers emit them.
"""

from __future__ import annotations

import polars as pl

from crmclean.audit.exprs import KEYS, filled
from crmclean.audit.findings import normalizer_findings
from crmclean.audit.measure import Context, Measure, score_of

PROBLEMS = ("warning", "error")


def invalid_records(ctx: Context, fields: list[str]) -> pl.DataFrame:
    """``_source, _source_id, field`` of every record with an invalid value in ``fields``."""
    problems = ctx.findings.filter(
        pl.col("severity").is_in(PROBLEMS) & pl.col("field").is_in(fields)
    )
    return problems.select(*KEYS, "field").unique()


def field_counts(
    ctx: Context, fields: list[str], invalid: pl.DataFrame
) -> dict[str, tuple[int, int]]:
    """``(present, invalid)`` per field: values seen (kept, or dropped by a normalizer that
    found them invalid) and invalid ones. One join of the invalid values to the records."""
    if not fields:
        return {}
    kept = ctx.frame.select(*KEYS, *(filled(ctx.frame, f).alias(f) for f in fields))
    kept_counts = kept.select(pl.col(fields).sum()).row(0, named=True)
    own_kept = pl.coalesce(pl.when(pl.col("field") == f).then(pl.col(f)) for f in fields)
    per_field = (
        invalid.join(kept, on=KEYS, how="left")
        .group_by("field")
        .agg(bad=pl.len(), dropped=(~own_kept.fill_null(False)).sum())
    )
    counts = {f: (int(kept_counts[f]), 0) for f in fields}
    for field, bad, dropped in per_field.iter_rows():
        counts[field] = (counts[field][0] + dropped, bad)
    return counts


def measure_validity(ctx: Context) -> Measure:
    """Score: ``100 * (1 - invalid values / values)`` over the fields of the checked types."""
    fields = ctx.present(ctx.model.of_type(*ctx.config.validity.types))
    invalid = invalid_records(ctx, fields)
    per_field = field_counts(ctx, fields, invalid)
    checked = sum(present for present, _ in per_field.values())
    failed = sum(bad for _, bad in per_field.values())
    metrics = {
        "fields": {f: {"present": p, "invalid": b} for f, (p, b) in per_field.items()},
        "records_with_invalid": invalid.select(KEYS).n_unique() if invalid.height else 0,
    }
    findings = normalizer_findings(ctx.findings, ctx.examples)
    return Measure("validity", score_of(failed, checked), checked, failed, metrics, findings)
