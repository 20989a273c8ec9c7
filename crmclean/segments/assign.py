"""Assign every row exactly one segment: the first whose conditions it meets."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from crmclean.segments.conditions import segment_expr
from crmclean.segments.spec import SegmentFile

SEGMENT = "segment"


def assign_expr(spec: SegmentFile, as_of: date) -> pl.Expr:
    """The first matching segment's name; the catch-all (always last) takes the rest."""
    *ordered, catch_all = spec.segments
    if not ordered:
        return pl.lit(catch_all.name, dtype=pl.String)
    first, *rest = ordered
    chain: Then | ChainedThen = pl.when(segment_expr(first, as_of)).then(pl.lit(first.name))
    for segment in rest:
        chain = chain.when(segment_expr(segment, as_of)).then(pl.lit(segment.name))
    return chain.otherwise(pl.lit(catch_all.name))


def assign(frame: pl.DataFrame, spec: SegmentFile, as_of: date, name: str = SEGMENT) -> pl.Series:
    """One segment name per row of ``frame``, as a categorical-free text series."""
    return frame.select(assign_expr(spec, as_of).alias(name)).to_series()


def sizes(segments: pl.Series, spec: SegmentFile) -> dict[str, int]:
    """How many rows each segment holds, in file order (empty segments included)."""
    counts = dict(segments.value_counts().iter_rows())
    return {name: int(counts.get(name, 0)) for name in spec.names}
