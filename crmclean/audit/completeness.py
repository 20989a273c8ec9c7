"""Completeness: the fill rate of every canonical field, and contacts nobody can reach."""

from __future__ import annotations

import polars as pl

from crmclean.audit.exprs import filled
from crmclean.audit.findings import audit_finding, reject_findings
from crmclean.audit.measure import Context, Measure
from crmclean.audit.records import flagged


def fill_rates(ctx: Context) -> dict[str, int]:
    """Records with a value, per canonical field (in model order)."""
    fields = ctx.present(ctx.model.names)
    counts = ctx.frame.select(filled(ctx.frame, f).sum().alias(f) for f in fields)
    return {f: int(counts[f][0]) for f in fields}


def measure_completeness(ctx: Context) -> Measure:
    """Score: the mean of the configured fields' fill rates and the reachable share, x100."""
    records = ctx.frame.height
    reach = ctx.present(ctx.config.completeness.reach)
    reachable = pl.any_horizontal(filled(ctx.frame, f) for f in reach) if reach else pl.lit(False)
    unreachable = ctx.frame.filter(~reachable)
    counts = fill_rates(ctx)
    scored = [counts.get(f, 0) for f in ctx.config.completeness.fields]
    scored.append(records - unreachable.height)
    score = round(100.0 * sum(scored) / (len(scored) * records), 1) if records else None
    findings = reject_findings(ctx.rejects, ctx.examples)
    if unreachable.height:
        examples = ctx.examples.records(unreachable)
        findings.append(audit_finding("CT01", None, unreachable.height, examples))
    metrics = {
        "records": records,
        "rejected": ctx.rejects.select("_source", "_source_id").n_unique(),
        "unreachable": unreachable.height,
        "filled": counts,
    }
    flags = [flagged("CT01", unreachable)]
    return Measure("completeness", score, records, unreachable.height, metrics, findings, flags)
