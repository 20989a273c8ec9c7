"""Records left with nothing to identify them leave the frame for ``rejects``."""

from __future__ import annotations

import polars as pl

from crmclean.batch import REJECT_SCHEMA, SOURCE, SOURCE_ID

IDENTIFYING = ("full_name", "first_name", "last_name", "email", "phone", "mobile", "company")
RULE = "record.unidentifiable"
EXPECTED = "a name, e-mail, phone or company"
_SHOWN = 40  # characters of each original value quoted in the reject


def identified(frame: pl.DataFrame) -> pl.Series:
    """True for rows with at least one identifying field after normalization."""
    present = [pl.col(field).is_not_null() for field in IDENTIFYING if field in frame.columns]
    return frame.select(pl.any_horizontal(present).alias("ok")).to_series()


def unidentifiable(
    frame: pl.DataFrame, original: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(kept, rejects)``: rows of ``frame`` that still identify someone, and the others.

    ``original`` is the frame before normalization, row for row; the reject quotes what its
    identifying fields held, so the user sees why nothing was usable.
    """
    keep = identified(frame)
    rejects = original.filter(~keep).select(
        SOURCE,
        SOURCE_ID,
        stage=pl.lit("normalize"),
        column=pl.lit("*"),
        rule=pl.lit(RULE),
        expected=pl.lit(EXPECTED),
        actual=_summary(original.columns),
    )
    return frame.filter(keep), rejects.select(list(REJECT_SCHEMA))


def _summary(columns: list[str]) -> pl.Expr:
    """``email='joao@@x.com', phone='n/a'`` from the original values, or ``all empty``."""
    quoted = [
        pl.format("{}='{}'", pl.lit(field), pl.col(field).str.slice(0, _SHOWN))
        for field in IDENTIFYING
        if field in columns
    ]
    text = pl.concat_str(quoted, separator=", ", ignore_nulls=True)
    return pl.when(text != "").then(text).otherwise(pl.lit("all empty"))
