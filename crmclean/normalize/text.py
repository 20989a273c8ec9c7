"""Text hygiene every field gets: no invisible characters, single spaces, NFC, no empty strings."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from crmclean.normalize.distinct import repeats, select_distinct
from crmclean.normalize.findings import Step, by_rule, changed, concat, pairs

# Control characters that are not whitespace, plus format characters (zero-width space,
# soft hyphen, BOM, bidi marks): invisible in a spreadsheet, poison for matching.
INVISIBLE = r"[[\p{Cc}&&\S]\p{Cf}]"
# What :func:`clean` may change: anything but printable ASCII, or a space at an end or doubled.
DIRTY = r"[^\x21-\x7E ]|^ | $|  "


def clean(value: pl.Expr) -> pl.Expr:
    """Trimmed, whitespace collapsed, NFC; empty becomes null."""
    text = (
        value.str.replace_all(INVISIBLE, "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" ")
        .str.normalize("NFC")
    )
    return pl.when(text.str.len_bytes() > 0).then(text)


def fold(value: pl.Expr, separator: str = "") -> pl.Expr:
    """Lookup key: lowercase, no accents, nothing but letters and digits.

    Runs of other characters become ``separator``: "São Tomé" -> "saotome" (or "sao tome").
    """
    key = (
        value.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}]+", separator)
    )
    return key.str.strip_chars(separator) if separator else key


def fold_words(words: Sequence[str], separator: str = "") -> list[str]:
    """:func:`fold` applied to a vocabulary list, so both sides use the very same folding."""
    series = pl.Series("w", words, dtype=pl.String)
    return series.to_frame().select(fold(pl.col("w"), separator))["w"].to_list()


def clean_column(frame: pl.DataFrame, field: str) -> pl.Series | None:
    """:func:`clean` on one column (None when nothing in it can change): on its distinct
    values when they repeat, else only on the values not already clean (printable ASCII,
    single inner spaces)."""
    column = frame[field]
    if column.null_count() == frame.height:
        return None
    if repeats(frame, [field]):
        return select_distinct(frame, [field], {field: clean(pl.col(field))})[field]
    value = pl.col(field)
    dirty = value.str.contains(DIRTY) | (value.str.len_bytes() == 0)
    rows = frame.select(dirty.fill_null(False).arg_true())[field]
    if rows.is_empty():
        return None
    cleaned = column.gather(rows).to_frame().select(clean(value))[field]
    return column.clone().scatter(rows, cleaned)


def clean_fields(frame: pl.DataFrame, fields: Sequence[str]) -> Step:
    """Apply :func:`clean` to ``fields``; a finding for each value that changed (not blanks)."""
    cleaned = {field: clean_column(frame, field) for field in fields}
    after = {field: column for field, column in cleaned.items() if column is not None}
    rule = pl.when(changed()).then(pl.lit("text.cleaned"))
    findings = [by_rule(pairs(frame, pl.col(f), column), f, rule) for f, column in after.items()]
    return Step(frame.with_columns(**after), concat(findings))
