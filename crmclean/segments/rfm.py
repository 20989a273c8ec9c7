"""RFM: recency, frequency and monetary scores 1-5 by quantiles, and their named segments.

A score is ``1 + floor(5 * (rank - 1) / n)`` over the ``n`` scored contacts, ``rank`` the
lowest rank among ties (ties share a score): the top fifth scores 5. Recency ranks fewer days
since the last order (else the last activity) higher; frequency counts orders, monetary sums
their amounts. A contact with neither an order nor an activity date is not scored. ``fm`` is
the mean of F and M rounded half up; the map (``rules/rfm.yaml``) names segments on ``r``,
``f``, ``m`` and ``fm``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from crmclean.batch import GOLDEN_ID
from crmclean.segments.assign import assign_expr
from crmclean.segments.conditions import as_date
from crmclean.segments.spec import SegmentFile

RFM_FIELDS = ("r", "f", "m", "fm", "orders", "revenue", "last_order_at", "last_seen_at")
RFM_SEGMENT = "rfm_segment"
ORDER_DATE, AMOUNT = "order_date", "amount"


def score(value: pl.Expr) -> pl.Expr:
    """Quantile score 1-5 of ``value`` (higher value, higher score; null stays null)."""
    rank = value.rank("min")
    return (1 + ((rank - 1) * 5 / value.count()).floor()).cast(pl.Int8)


def order_totals(orders: pl.DataFrame) -> pl.DataFrame:
    """Per golden record: ``orders`` (count), ``revenue`` (sum) and ``last_order`` (date)."""
    return orders.group_by(GOLDEN_ID).agg(
        pl.len().cast(pl.Int64).alias("orders"),
        pl.col(AMOUNT).sum().alias("revenue"),
        pl.col(ORDER_DATE).max().alias("last_order"),
    )


def rfm_columns(golden: pl.DataFrame, orders: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """``golden_id`` and the RFM fields for every golden record, in ``golden``'s order."""
    activity = as_date("last_activity_at") if "last_activity_at" in golden.columns else None
    base = golden.select(
        GOLDEN_ID, (activity if activity is not None else pl.lit(None, pl.Date)).alias("_activity")
    )
    joined = base.join(order_totals(orders), on=GOLDEN_ID, how="left", maintain_order="left")
    last_seen = pl.max_horizontal("last_order", "_activity")
    recency = pl.coalesce("last_order", "_activity")
    days = (pl.lit(as_of) - recency).dt.total_days()
    scored = days.is_not_null()
    count = pl.col("orders").fill_null(0)
    revenue = pl.col("revenue").fill_null(0.0)
    frame = joined.with_columns(
        r=score(-days),
        f=score(pl.when(scored).then(count)),
        m=score(pl.when(scored).then(revenue)),
        orders=count,
        revenue=revenue,
        last_order_at=pl.col("last_order").cast(pl.String),
        last_seen_at=last_seen.cast(pl.String),
    )
    fm = ((pl.col("f").cast(pl.Int16) + pl.col("m") + 1) // 2).cast(pl.Int8)
    return frame.with_columns(fm=fm).select(GOLDEN_ID, *RFM_FIELDS)


def rfm_segments(scores: pl.DataFrame, rfm_map: SegmentFile, as_of: date) -> pl.Series:
    """The named RFM segment of each row of ``scores`` (the map's catch-all when unscored)."""
    return scores.select(assign_expr(rfm_map, as_of).alias(RFM_SEGMENT)).to_series()
