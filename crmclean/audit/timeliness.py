"""Timeliness: records with no sign of life for too long, dates in the future, undated records."""

from __future__ import annotations

import polars as pl

from crmclean.audit.exprs import as_date, latest, months_before
from crmclean.audit.findings import audit_finding
from crmclean.audit.measure import Context, Measure, score_of
from crmclean.audit.records import flagged


def future_dates(ctx: Context) -> pl.Expr:
    """True where any of the configured date fields lies after the audit date."""
    fields = ctx.present(ctx.config.timeliness.future_dates)
    if not fields:
        return pl.lit(False)
    return pl.any_horizontal((as_date(f) > ctx.as_of).fill_null(False) for f in fields)


def measure_timeliness(ctx: Context) -> Measure:
    """Score: ``100 * (1 - (stale or future) / dated records)``; None when nothing is dated."""
    settings = ctx.config.timeliness
    cutoff = months_before(ctx.as_of, settings.stale_months)
    flags = ctx.frame.with_columns(
        last=latest(settings.dates, ctx.frame.columns), future=future_dates(ctx)
    )
    flags = flags.with_columns(stale=(pl.col("last") < cutoff).fill_null(False))
    dated = pl.col("last").is_not_null() | pl.col("future")
    undated = pl.col("last").is_null() & ~pl.col("future")
    checks = (("TM01", pl.col("stale")), ("TM02", pl.col("future")), ("TM03", undated))
    sums = flags.select(
        *(check.sum().alias(code) for code, check in checks),
        dated.sum().alias("dated"),
        (dated & (pl.col("stale") | pl.col("future"))).sum().alias("failed"),
    ).row(0, named=True)
    findings = [
        audit_finding(code, None, sums[code], ctx.examples.records(flags, check))
        for code, check in checks
        if sums[code]
    ]
    metrics = {
        "as_of": ctx.as_of.isoformat(),
        "stale_before": cutoff.isoformat(),
        "dated": sums["dated"],
        "stale": sums["TM01"],
        "future": sums["TM02"],
        "undated": sums["TM03"],
    }
    rows_flagged = [flagged(code, flags.lazy().filter(check)) for code, check in checks]
    return Measure("timeliness", score_of(sums["failed"], sums["dated"]), sums["dated"],
                   sums["failed"], metrics, findings, rows_flagged)  # fmt: skip
