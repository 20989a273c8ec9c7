"""Survivorship: one golden record per cluster, keeping every e-mail and phone seen.

Each field takes the most recent non-empty value of the cluster: records are ordered by
``coalesce(updated_at, created_at, last_activity_at)``, newest first, ties in source order.
``created_at`` is the earliest of the cluster and ``updated_at``/``last_activity_at`` the latest.
Every other distinct e-mail goes to ``email_alt``, every other number (phones, mobiles and their
alternates) to ``phone_alt``.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID

_NO_TEXT: pl.Expr = pl.lit([], dtype=pl.List(pl.String))
RECENCY = pl.coalesce("updated_at", "created_at", "last_activity_at")
EARLIEST = ("created_at",)
LATEST = ("updated_at", "last_activity_at")


def _survivor(field: str) -> pl.Expr:
    column = pl.col(field)
    if field in EARLIEST:
        return column.min()
    if field in LATEST:
        return column.max()
    return column.drop_nulls().first()


def _others(columns: list[str], alternates: str) -> pl.Expr:
    """Distinct values of ``columns`` and ``alternates`` in the cluster, newest first, survivors
    of ``columns`` left out."""
    values = pl.concat_list(*columns, pl.col(alternates).fill_null(_NO_TEXT)).explode()
    values = values.drop_nulls().unique(maintain_order=True)
    keep = pl.all_horizontal(values.ne_missing(_survivor(column)) for column in columns)
    return values.filter(keep).alias(alternates)


def golden_records(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """One row per ``golden_id``: the survivors of ``fields``, ``email_alt``, ``phone_alt`` and
    ``source_count`` (the number of records merged into it)."""
    newest_first = frame.sort(RECENCY, descending=True, nulls_last=True, maintain_order=True)
    golden = newest_first.group_by(GOLDEN_ID).agg(
        *(_survivor(field) for field in fields),
        _others(["email"], "email_alt"),
        _others(["phone", "mobile"], "phone_alt"),
        source_count=pl.len().cast(pl.Int64),
    )
    return golden.sort(GOLDEN_ID)
