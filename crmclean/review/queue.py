"""The review queue: the band's pairs, most uncertain first, and the filters a reviewer picks.

Most uncertain is closest to the merge threshold in match weight (bits): a pair at +0.1 bit
from the threshold is the one an answer most likely changes. Filters narrow the queue to one
source pair (``crm_export ~ evento``), one reason (the comparison giving the most evidence for
the match) or one score band (``0.7-0.8``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from crmclean.batch import SOURCE
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig

PAIR = "pair"  # the pair's row in the session's scored pairs


@dataclass(frozen=True)
class Filters:
    """What narrows the queue; an empty string keeps everything."""

    sources: str = ""
    reason: str = ""
    band: str = ""


def band_table(pairs: pl.DataFrame, frame: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """The pairs to review (``pair`` is their row in ``pairs``), most uncertain first, with
    the filter keys ``sources``, ``reason`` and ``band``."""
    threshold = config.auto_merge_threshold
    cut = math.log2(threshold / (1.0 - threshold))
    band = pairs.with_row_index(PAIR).filter("review")
    names = [spec.name for spec in config.comparisons]
    band = band.with_columns(
        frame[SOURCE].gather(band[LEFT]).alias("_a"), frame[SOURCE].gather(band[RIGHT]).alias("_b")
    )
    strongest = pl.concat_list(f"w_{name}" for name in names).list.arg_max()
    lower = (pl.col("probability") * 10).floor().clip(0, 9) / 10
    return band.select(
        PAIR,
        LEFT,
        RIGHT,
        "probability",
        (pl.col("match_weight") - cut).abs().alias("distance"),
        _source_pair(pl.col("_a"), pl.col("_b")).alias("sources"),
        strongest.replace_strict(dict(enumerate(names)), return_dtype=pl.String).alias("reason"),
        pl.format("{}-{}", lower.round(1), (lower + 0.1).round(1)).alias("band"),
    ).sort("distance", PAIR)


def _source_pair(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """``a ~ b`` with the names in alphabetical order (``b ~ a`` is the same pair)."""
    first = pl.when(a <= b).then(a).otherwise(b)
    second = pl.when(a <= b).then(b).otherwise(a)
    return pl.concat_str(first, pl.lit(" ~ "), second)


def ordered(table: pl.DataFrame, filters: Filters) -> list[tuple[int, int]]:
    """The ``(left, right)`` pairs of ``table`` that pass ``filters``, in queue order."""
    keep = pl.lit(True)
    for column in ("sources", "reason", "band"):
        value = getattr(filters, column)
        if value:
            keep = keep & (pl.col(column) == value)
    return table.filter(keep).select(LEFT, RIGHT).rows()


def choices(table: pl.DataFrame) -> dict[str, list[dict[str, object]]]:
    """Every value of each filter with how many pairs have it, most common first."""
    return {
        column: [
            {"value": value, "count": count}
            for value, count in table[column].value_counts(sort=True).iter_rows()
        ]
        for column in ("sources", "reason", "band")
    }
