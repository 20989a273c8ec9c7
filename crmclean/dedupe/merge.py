"""Survivorship: one golden record per cluster, keeping every e-mail and phone seen.

Each field takes the value its strategy picks (:mod:`crmclean.dedupe.survivorship`; by default
the most recent non-empty value, ``created_at`` the earliest and ``updated_at`` /
``last_activity_at`` the latest). Every other distinct e-mail goes to ``email_alt``, every other
number (phones, mobiles and their alternates) to ``phone_alt``. :func:`merge_log` lists every
value that lost, with the record it came from.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.survivorship import RANK, Survivorship, survivor, with_ranks

_NO_TEXT: pl.Expr = pl.lit([], dtype=pl.List(pl.String))
RECENCY = pl.coalesce("updated_at", "created_at", "last_activity_at")
DEFAULT = Survivorship()


def _others(columns: list[str], alternates: str, rules: Survivorship) -> pl.Expr:
    """Distinct values of ``columns`` and ``alternates`` in the cluster, newest first, survivors
    of ``columns`` left out."""
    values = pl.concat_list(*columns, pl.col(alternates).fill_null(_NO_TEXT)).explode()
    values = values.drop_nulls().unique(maintain_order=True)
    keep = pl.all_horizontal(values.ne_missing(survivor(column, rules)) for column in columns)
    return values.filter(keep).alias(alternates)


def newest_first(frame: pl.DataFrame) -> pl.DataFrame:
    """Records ordered newest first, ties in their original order."""
    return frame.sort(RECENCY, descending=True, nulls_last=True, maintain_order=True)


def golden_records(
    frame: pl.DataFrame, fields: list[str], rules: Survivorship | None = None
) -> pl.DataFrame:
    """One row per ``golden_id``: the survivors of ``fields``, ``email_alt``, ``phone_alt`` and
    ``source_count`` (the number of records merged into it)."""
    rules = rules or DEFAULT
    ordered = with_ranks(newest_first(frame), fields, rules)
    golden = ordered.group_by(GOLDEN_ID).agg(
        *(survivor(field, rules) for field in fields),
        _others(["email"], "email_alt", rules),
        _others(["phone", "mobile"], "phone_alt", rules),
        source_count=pl.len().cast(pl.Int64),
    )
    return golden.sort(GOLDEN_ID).select(pl.exclude(f"^{RANK}.*$"))


def merge_log(frame: pl.DataFrame, golden: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Every field of a merged cluster whose records disagree: one row per record and value
    (``golden_id, field, _source, _source_id, value, survived``), nothing lost."""
    merged = golden.filter(pl.col("source_count") > 1).select(GOLDEN_ID, *fields)
    text = [pl.col(field).cast(pl.String) for field in fields]
    records = frame.join(merged.select(GOLDEN_ID), on=GOLDEN_ID, how="semi")
    values = records.select(GOLDEN_ID, SOURCE, SOURCE_ID, *text).unpivot(
        fields, index=[GOLDEN_ID, SOURCE, SOURCE_ID], variable_name="field", value_name="value"
    )
    values = values.drop_nulls("value").filter(
        pl.col("value").n_unique().over(GOLDEN_ID, "field") > 1
    )
    survivors = merged.select(GOLDEN_ID, *text).unpivot(
        fields, index=GOLDEN_ID, variable_name="field", value_name="survivor"
    )
    logged = values.join(survivors, on=[GOLDEN_ID, "field"], how="left", maintain_order="left")
    return logged.select(
        GOLDEN_ID,
        "field",
        SOURCE,
        SOURCE_ID,
        "value",
        survived=pl.col("value").eq_missing(pl.col("survivor")),
    ).sort(GOLDEN_ID, "field", SOURCE, SOURCE_ID)
