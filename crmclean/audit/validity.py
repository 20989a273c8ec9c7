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


def field_validity(ctx: Context, field: str, invalid: pl.DataFrame) -> tuple[int, int]:
    """``(present, invalid)`` for ``field``: values seen (kept or dropped) and invalid ones."""
    bad = invalid.filter(pl.col("field") == field).select(KEYS)
    kept = ctx.frame.select(*KEYS, filled(ctx.frame, field).alias("kept"))
    dropped = bad.join(kept, on=KEYS, how="left").filter(~pl.col("kept").fill_null(False))
    present = int(kept["kept"].sum()) + dropped.height
    return present, bad.height


def measure_validity(ctx: Context) -> Measure:
    """Score: ``100 * (1 - invalid values / values)`` over the fields of the checked types."""
    fields = ctx.present(ctx.model.of_type(*ctx.config.validity.types))
    invalid = invalid_records(ctx, fields)
    per_field = {f: field_validity(ctx, f, invalid) for f in fields}
    checked = sum(present for present, _ in per_field.values())
    failed = sum(bad for _, bad in per_field.values())
    metrics = {
        "fields": {f: {"present": p, "invalid": b} for f, (p, b) in per_field.items()},
        "records_with_invalid": invalid.select(KEYS).n_unique() if invalid.height else 0,
    }
    findings = normalizer_findings(ctx.findings, ctx.examples)
    return Measure("validity", score_of(failed, checked), checked, failed, metrics, findings)
