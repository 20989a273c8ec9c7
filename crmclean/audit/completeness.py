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
    unreachable = int(ctx.frame.select((~reachable).sum()).item())
    counts = fill_rates(ctx)
    scored = [counts.get(f, 0) for f in ctx.config.completeness.fields]
    scored.append(records - unreachable)
    score = round(100.0 * sum(scored) / (len(scored) * records), 1) if records else None
    findings = reject_findings(ctx.rejects, ctx.examples)
    if unreachable:
        examples = ctx.examples.records(ctx.frame, ~reachable)
        findings.append(audit_finding("CT01", None, unreachable, examples))
    metrics = {
        "records": records,
        "rejected": ctx.rejects.select("_source", "_source_id").n_unique(),
        "unreachable": unreachable,
        "filled": counts,
    }
    flags = [flagged("CT01", ctx.frame.lazy().filter(~reachable))]
    return Measure("completeness", score, records, unreachable, metrics, findings, flags)
