"""Which numbers a numbering plan calls a landline, whatever column a source put them in.

A CRM's mobile column often holds the office's switchboard or a home landline: as the record's
mobile it would disagree with the person's real mobile on another record. Each distinct E.164
value is typed once, by the polars port of phonenumbers
(:func:`~crmclean.normalize.phones.parse_port.analyze`); the library types the few the port is
not sure of.
"""

from __future__ import annotations

import phonenumbers
import polars as pl
from phonenumbers import NumberParseException

from crmclean.normalize.phones.one_number import kind_of
from crmclean.normalize.phones.parse_port import DIGITS, KIND, PLUS, REGION, SURE, analyze

LANDLINE = "fixed_line"
_VALUE = "_value"


def _kind(number: str) -> str | None:
    try:
        return kind_of(phonenumbers.parse(number, None))
    except NumberParseException:
        return None


def _kinds(distinct: pl.Series) -> pl.DataFrame:
    """``_value`` and its number type (``KIND``), one row per distinct E.164 value."""
    rows = pl.DataFrame({_VALUE: distinct}).with_columns(
        pl.col(_VALUE).str.replace_all(r"[^0-9]", "").alias(DIGITS),
        pl.lit(True).alias(PLUS),
        pl.lit("US").alias(REGION),  # unused: every value carries its calling code
    )
    typed = analyze(rows)
    unsure = typed.filter(~pl.col(SURE))[_VALUE].to_list()
    by_library = pl.Series(KIND, [_kind(number) for number in unsure], dtype=pl.String)
    checked = pl.DataFrame({_VALUE: unsure}, schema={_VALUE: pl.String}).with_columns(by_library)
    return pl.concat([typed.filter(pl.col(SURE)).select(_VALUE, KIND), checked])


def is_landline(numbers: pl.Series) -> pl.Series:
    """Per E.164 value: its numbering plan says a fixed line (false for null, unparseable, a
    mobile or a number either may be)."""
    kinds = _kinds(numbers.drop_nulls().unique())
    landline = kinds.select(_VALUE, (pl.col(KIND) == LANDLINE).fill_null(False).alias("_fixed"))
    placed = numbers.to_frame(_VALUE).join(landline, on=_VALUE, how="left", maintain_order="left")
    return placed["_fixed"].fill_null(False).alias(numbers.name)
