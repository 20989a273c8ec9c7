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
RECORD, KEPT = "_record", "_kept"


def invalid_values(ctx: Context, fields: list[str]) -> pl.DataFrame:
    """``_source, _source_id, field, _record, _kept`` once per record and field of ``fields``
    with an invalid value: the record's row in the frame (null: not among the records) and
    whether the record kept a value in that field. One join of the findings to the records."""
    problem = pl.col("severity").is_in(PROBLEMS) & pl.col("field").is_in(fields)
    invalid = ctx.findings.lazy().filter(problem).select(*KEYS, "field").unique()
    filled_in = (filled(ctx.frame, f).alias(f) for f in fields)
    records = ctx.frame.lazy().select(*KEYS, *filled_in).with_row_index(RECORD)
    own = pl.coalesce(pl.when(pl.col("field") == f).then(pl.col(f)) for f in fields)
    kept = (own if fields else pl.lit(None, pl.Boolean)).fill_null(False).alias(KEPT)
    joined = invalid.join(records, on=KEYS, how="left")
    return joined.select(*KEYS, "field", RECORD, kept).collect()


def field_counts(
    ctx: Context, fields: list[str], invalid: pl.DataFrame
) -> dict[str, tuple[int, int]]:
    """``(present, invalid)`` per field: values seen (kept, or dropped by a normalizer that
    found them invalid) and invalid ones (``invalid``: :func:`invalid_values`)."""
    if not fields:
        return {}
    kept = ctx.frame.select(filled(ctx.frame, f).sum().alias(f) for f in fields).row(0, named=True)
    per_field = invalid.group_by("field").agg(bad=pl.len(), dropped=(~pl.col(KEPT)).sum())
    counts = {f: (int(kept[f]), 0) for f in fields}
    for field, bad, dropped in per_field.iter_rows():
        counts[field] = (counts[field][0] + dropped, bad)
    return counts


def records_with_invalid(invalid: pl.DataFrame) -> int:
    """Records with an invalid value, by their row (by their ids when not among the records)."""
    unmatched = invalid.filter(pl.col(RECORD).is_null())
    outside = unmatched.select(KEYS).n_unique() if unmatched.height else 0
    return invalid[RECORD].drop_nulls().n_unique() + outside


def measure_validity(ctx: Context) -> Measure:
    """Score: ``100 * (1 - invalid values / values)`` over the fields of the checked types."""
    fields = ctx.present(ctx.model.of_type(*ctx.config.validity.types))
    invalid = invalid_values(ctx, fields)
    per_field = field_counts(ctx, fields, invalid)
    checked = sum(present for present, _ in per_field.values())
    failed = sum(bad for _, bad in per_field.values())
    metrics = {
        "fields": {f: {"present": p, "invalid": b} for f, (p, b) in per_field.items()},
        "records_with_invalid": records_with_invalid(invalid),
    }
    findings = normalizer_findings(ctx.findings, ctx.examples)
    return Measure("validity", score_of(failed, checked), checked, failed, metrics, findings)
