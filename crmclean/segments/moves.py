"""Moves between segments from one run to another: how many contacts went from where to where."""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID

NEW, GONE = "(new)", "(gone)"
MOVE_SCHEMA = {"from": pl.String, "to": pl.String, "contacts": pl.Int64}


def moves(before: pl.DataFrame, after: pl.DataFrame, column: str) -> pl.DataFrame:
    """``from, to, contacts`` for every pair of segments with contacts that changed, largest
    first; contacts that appeared come ``(new)``, those merged away or removed go ``(gone)``."""
    joined = before.select(GOLDEN_ID, pl.col(column).alias("from")).join(
        after.select(GOLDEN_ID, pl.col(column).alias("to")),
        on=GOLDEN_ID,
        how="full",
        coalesce=True,
    )
    pairs = joined.select(pl.col("from").fill_null(NEW), pl.col("to").fill_null(GONE))
    counted = pairs.filter(pl.col("from") != pl.col("to")).group_by("from", "to").len("contacts")
    return counted.sort(["contacts", "from", "to"], descending=[True, False, False]).cast(
        MOVE_SCHEMA  # type: ignore[arg-type]
    )


def describe(move: dict[str, object]) -> str:
    """``120 loyal contacts are now inactive``."""
    count, source, target = move["contacts"], move["from"], move["to"]
    if source == NEW:
        return f"{count:,} new contacts are {target}"
    if target == GONE:
        return f"{count:,} {source} contacts are gone (merged or removed)"
    return f"{count:,} {source} contacts are now {target}"
