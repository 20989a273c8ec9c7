"""Compliance (LGPD/GDPR): consent, opt-outs still marked for marketing, retention."""

from __future__ import annotations

import polars as pl

from crmclean.audit.exprs import fold, latest, months_before
from crmclean.audit.findings import audit_finding
from crmclean.audit.measure import Context, Measure, score_of
from crmclean.audit.records import flagged as per_record


def _is_true(ctx: Context, field: str) -> pl.Expr:
    if field not in ctx.frame.columns:
        return pl.lit(False)
    return (pl.col(field) == "true").fill_null(False)


def marketable(ctx: Context) -> pl.Expr:
    """Marked for marketing: consent given, or a marketing value in the marketing field."""
    settings = ctx.config.compliance
    field = settings.marketing_field
    consent = _is_true(ctx, settings.consent_field)
    if field is None or field not in ctx.frame.columns:
        return consent
    values = pl.Series([v for v in settings.marketing_values]).to_frame("v")
    folded = values.select(fold(pl.col("v")))["v"]
    return consent | fold(pl.col(field)).is_in(folded.implode()).fill_null(False)


def flags(ctx: Context) -> pl.DataFrame:
    """The frame with ``no_consent``, ``opted_out_marketable`` and ``past_retention`` flags."""
    settings = ctx.config.compliance
    opted_out = _is_true(ctx, settings.opt_out_field)
    cutoff = months_before(ctx.as_of, settings.retention_months)
    last = latest(settings.retention_dates, ctx.frame.columns)
    return ctx.frame.with_columns(
        no_consent=~_is_true(ctx, settings.consent_field) & ~opted_out,
        opted_out_marketable=opted_out & marketable(ctx),
        past_retention=(last < cutoff).fill_null(False),
    )


def measure_compliance(ctx: Context) -> Measure:
    """Score: ``100 * (1 - records with any compliance problem / records)``."""
    flagged = flags(ctx)
    checks = (("CP02", "opted_out_marketable"), ("CP01", "no_consent"), ("CP03", "past_retention"))
    problem = pl.any_horizontal(flag for _, flag in checks).alias("with_problem")
    sums = flagged.select(*(pl.col(flag).sum() for _, flag in checks), problem.sum())
    counts = {flag: int(sums[flag][0]) for _, flag in checks}
    findings, records = [], []
    for code, flag in checks:
        records.append(per_record(code, flagged.lazy().filter(flag)))
        if counts[flag]:
            examples = ctx.examples.records(flagged, pl.col(flag))
            findings.append(audit_finding(code, None, counts[flag], examples))
    failed = int(sums["with_problem"][0])
    metrics = {**counts, "records": flagged.height, "with_problem": failed}
    return Measure("compliance", score_of(failed, flagged.height), flagged.height, failed,
                   metrics, findings, records)  # fmt: skip
