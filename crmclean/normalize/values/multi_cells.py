"""Multi-value cells (e-mail, phone): what each cell holds, as flat parts.

A normalizer turns one distinct cell into a list of :class:`Part` rows: a value found (or
``None``) and, when something changed or failed, the rule with the text before and after.
:func:`~crmclean.normalize.distinct.cell_parts` brings them to every row holding the cell (one
part in ``head``, several in ``rest``); :func:`odd_rows` and :func:`cell_values` read the rows
with several values, the only ones that need list work.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from crmclean.normalize.distinct import INDEX, MANY, Parts


class Part(NamedTuple):
    """One piece of a cell: the value found (or None) and the rule that fired on it, if any.

    Phones also say what kind of number it is (``mobile``) and the extension typed with it.
    """

    value: str | None
    rule: str | None = None
    before: str | None = None
    after: str | None = None
    kind: str | None = None
    extension: str | None = None


PART_SCHEMA: dict[str, pl.DataType] = {
    "value": pl.String(),
    "rule": pl.String(),
    "before": pl.String(),
    "after": pl.String(),
    "kind": pl.String(),
    "extension": pl.String(),
}
EMPTY = pl.lit([], dtype=pl.List(pl.String()))


def odd_rows(parts: list[Parts], kept: pl.Series | None) -> pl.Series:
    """Rows whose cells held several parts, or that already have alternates ``kept``."""
    odd = pl.any_horizontal(part.head[MANY] for part in parts)
    if kept is not None:
        odd = odd | (kept.list.len() > 0)
    return pl.select(odd.fill_null(False).arg_true()).to_series()


def cell_values(parts: Parts, rows: pl.Series) -> pl.Series:
    """``List[String]`` for the given rows: each row's values once each, in order."""
    found = parts.rest.filter(pl.col("value").is_not_null())
    lists = found.group_by(INDEX, maintain_order=True).agg(
        pl.col("value").unique(maintain_order=True).alias("values")
    )
    head = parts.head.select("value", MANY)[rows].with_columns(rows.alias(INDEX))
    joined = head.join(lists, on=INDEX, how="left", maintain_order="left")
    lone = pl.concat_list(pl.col("value")).list.drop_nulls()
    several = pl.col("values").fill_null(EMPTY)
    return joined.select(pl.when(pl.col(MANY)).then(several).otherwise(lone).alias("v"))["v"]


def empty_lists(height: int) -> pl.Series:
    """``height`` empty ``List[String]`` values."""
    return pl.select(pl.repeat(EMPTY, height)).to_series()


def scatter(series: pl.Series, rows: pl.Series, values: pl.Series) -> pl.Series:
    """``series`` with ``rows`` set to ``values`` (a copy; lists too)."""
    if rows.is_empty():
        return series
    if not isinstance(series.dtype, pl.List):
        return series.clone().scatter(rows, values)
    positions = pl.Series([None] * len(series), dtype=pl.UInt32).scatter(
        rows, pl.int_range(0, len(rows), dtype=pl.UInt32, eager=True)
    )
    placed = values.gather(positions)
    return pl.select(pl.coalesce(pl.lit(placed), pl.lit(series))).to_series().alias(series.name)
