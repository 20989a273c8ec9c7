"""Multi-value cells (e-mail, phone): what each cell holds, as flat parts.

A normalizer turns one distinct cell into a list of :class:`Part` rows: a value found (or
``None``) and, when something changed or failed, the rule with the text before and after.
:func:`~crmclean.normalize.distinct.explode_distinct` spreads them to every row holding the
cell; :func:`values_per_row` and :func:`~crmclean.normalize.findings.from_parts` read them.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from crmclean.normalize.distinct import INDEX, row_numbers


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


def values_per_row(parts: pl.DataFrame, height: int) -> pl.Series:
    """``List[String]`` per row of the original frame: its values once each, in order."""
    found = parts.filter(pl.col("value").is_not_null())
    lists = found.group_by(INDEX, maintain_order=True).agg(
        pl.col("value").unique(maintain_order=True)
    )
    joined = row_numbers(height).join(lists, on=INDEX, how="left", maintain_order="left")
    return joined.select(pl.col("value").fill_null(EMPTY))["value"]
