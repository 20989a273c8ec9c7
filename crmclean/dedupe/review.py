"""What a person reads: the review band side by side, and every pair's evidence (explain).

``why`` lists each comparison's contribution in bits (``log2`` of the likelihood ratio: +10 is
about a thousand times likelier for the same person, -3 eight times likelier for different
people), e.g. ``email +10.0, name +9.8, city -2.6``: each comparison's own evidence, before a
group keeps only its strongest for and against. Comparisons adding nothing are left out.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.decisions import DECISION

SHOWN = ("full_name", "email", "phone", "mobile", "company", "city", "postal_code", "updated_at")


def why(config: MatchConfig) -> pl.Expr:
    """``name +w, ...`` over the comparisons with a non-zero weight, in the rules' order."""
    parts = []
    for spec in config.comparisons:
        weight = pl.col(f"w_{spec.name}").round(1)
        sign = pl.when(weight > 0).then(pl.lit("+")).otherwise(pl.lit(""))
        text = pl.concat_str(pl.lit(f"{spec.name} "), sign, weight.cast(pl.String))
        parts.append(pl.when(weight != 0).then(text))
    return pl.concat_str(parts, separator=", ", ignore_nulls=True).alias("why")


def _ids(pairs: pl.DataFrame, frame: pl.DataFrame) -> list[pl.Series]:
    """Both records' lineage: ``source_a, source_id_a, source_b, source_id_b``."""
    return [
        frame[column].gather(pairs[side]).alias(f"{name}_{letter}")
        for side, letter in ((LEFT, "a"), (RIGHT, "b"))
        for column, name in ((SOURCE, "source"), (SOURCE_ID, "source_id"))
    ]


def review_table(pairs: pl.DataFrame, frame: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """The review band, most likely first: both records side by side, an empty ``decision``
    to fill (``must-link``/``cannot-link``), the probability and why."""
    band = pairs.filter("review").sort("probability", descending=True)
    fields = [field for field in SHOWN if field in frame.columns]
    sides = [
        frame[field].gather(band[side]).cast(pl.String).alias(f"{field}_{letter}")
        for field in fields
        for side, letter in ((LEFT, "a"), (RIGHT, "b"))
    ]
    return band.select(
        *_ids(band, frame),
        pl.lit(None, dtype=pl.String).alias(DECISION),
        pl.col("probability").round(4),
        why(config),
        *sides,
    )


def explain_table(pairs: pl.DataFrame, frame: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """Every scored pair: lineage, probability, outcome, each comparison's weight and why."""
    weights = [pl.col(f"w_{spec.name}").round(3) for spec in config.comparisons]
    return pairs.select(
        *_ids(pairs, frame),
        pl.col("probability").round(6),
        pl.col("match_weight").round(3),
        "match",
        "review",
        DECISION,
        *weights,
        why(config),
    )
