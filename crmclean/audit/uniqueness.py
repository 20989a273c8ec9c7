"""Uniqueness: duplicate records, by the matcher's golden ids, and the largest clusters."""

from __future__ import annotations

from typing import Any

import polars as pl

from crmclean.audit.findings import audit_finding
from crmclean.audit.measure import Context, Measure, score_of
from crmclean.audit.records import flagged
from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID

MEMBER_FIELDS = ("full_name", "email", "phone", "company")


def cluster_sizes(frame: pl.DataFrame) -> pl.DataFrame:
    """``golden_id, size`` of every cluster of two or more records, largest first."""
    sizes = frame.lazy().group_by(GOLDEN_ID).agg(size=pl.len()).filter(pl.col("size") > 1)
    return sizes.sort(["size", GOLDEN_ID], descending=[True, False]).collect()


def top_clusters(ctx: Context, sizes: pl.DataFrame) -> list[dict[str, Any]]:
    """The largest clusters with their first member records (masked with ``--mask-pii``)."""
    top = sizes.head(ctx.config.uniqueness.top_clusters)
    fields = ctx.present(list(MEMBER_FIELDS))
    members = ctx.frame.join(top, on=GOLDEN_ID).select(GOLDEN_ID, SOURCE, SOURCE_ID, *fields)
    clusters = []
    for golden_id, size in top.iter_rows():
        rows = members.filter(pl.col(GOLDEN_ID) == golden_id).sort(SOURCE, SOURCE_ID)
        rows = rows.head(ctx.config.uniqueness.records_shown)
        clusters.append({"golden_id": golden_id, "size": size, "records": _members(ctx, rows)})
    return clusters


def _members(ctx: Context, rows: pl.DataFrame) -> list[dict[str, Any]]:
    shown = []
    for row in rows.iter_rows(named=True):
        values = {f: row.get(f) for f in MEMBER_FIELDS}
        values = {f: v and ctx.examples.values(f, [v])[0] for f, v in values.items()}
        shown.append({"source": row[SOURCE], "source_id": row[SOURCE_ID], **values})
    return shown


def measure_uniqueness(ctx: Context) -> Measure:
    """Score: ``100 * (1 - duplicate records / records)``; a cluster of n has n - 1 duplicates."""
    if GOLDEN_ID not in ctx.frame.columns:
        return Measure("uniqueness", None, 0, 0)
    records = ctx.frame.height
    sizes = cluster_sizes(ctx.frame)
    in_clusters = int(sizes["size"].sum())
    duplicates = in_clusters - sizes.height
    top = top_clusters(ctx, sizes)
    metrics = {
        "records": records,
        "golden": records - duplicates,
        "clusters": sizes.height,
        "records_in_clusters": in_clusters,
        "duplicates": duplicates,
        "largest_cluster": int(sizes.select(pl.col("size").max()).item() or 0),
        "top_clusters": top,
    }
    labels = [" = ".join(_label(ctx, c)) for c in top[: ctx.examples.limit]]
    findings = [audit_finding("DU01", None, duplicates, labels)] if duplicates else []
    return Measure("uniqueness", score_of(duplicates, records), records, duplicates, metrics,
                   findings, [_duplicates(ctx, sizes)])  # fmt: skip


def _duplicates(ctx: Context, sizes: pl.DataFrame) -> pl.LazyFrame:
    """Every record of a cluster but its first (by source and id): the value is the golden id
    (lazy: only a findings file reads it)."""
    clustered = sizes.lazy().select(GOLDEN_ID)
    members = ctx.frame.lazy().join(clustered, on=GOLDEN_ID).sort(SOURCE, SOURCE_ID)
    extra = members.filter(~pl.col(GOLDEN_ID).is_first_distinct())
    return flagged("DU01", extra, pl.col(GOLDEN_ID))


def _label(ctx: Context, cluster: dict[str, Any]) -> list[str]:
    return [ctx.examples.label(r) for r in cluster["records"][:2]]
