"""Text hygiene every field gets: no invisible characters, single spaces, NFC, no empty strings."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

import polars as pl

from crmclean.normalize.distinct import repeats
from crmclean.normalize.findings import Step, by_rule, changed, concat, pairs

# Control characters that are not whitespace, plus format characters (zero-width space,
# soft hyphen, BOM, bidi marks): invisible in a spreadsheet, poison for matching.
INVISIBLE = r"[[\p{Cc}&&\S]\p{Cf}]"
# What :func:`clean` may change: a character but printable ASCII, a space and the letters and
# signs of U+00A1-U+02FF but the soft hyphen (no control, format or space character there; each
# NFC alone and combining with nothing, so a text of them is NFC: accented Latin names and
# streets need no cleaning), or a space at an end or doubled.
DIRTY = r"[^\x20-\x7E\x{A1}-\x{AC}\x{AE}-\x{2FF}]|^ | $|  "
# The columns are cleaned two at a time, one per thread: polars' work on one column keeps
# about one core busy, and nothing else runs beside the text step (it is the first step).
COLUMN_THREADS = 2


def clean(value: pl.Expr) -> pl.Expr:
    """Trimmed, whitespace collapsed, NFC; empty becomes null (by ``replace``: a ``when``
    reading the text twice cleans it twice in an eager frame)."""
    text = (
        value.str.replace_all(INVISIBLE, "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" ")
        .str.normalize("NFC")
    )
    return text.replace("", None)


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


class Cleaned(NamedTuple):
    """What :func:`clean_columns` gives: the columns that changed, and the distinct values
    (after :func:`clean`; repeats and nulls possible) of the columns worked on distinct values,
    so a later check of those columns can test each value once."""

    columns: dict[str, pl.Series]
    distinct: dict[str, pl.Series]


def clean_columns(frame: pl.DataFrame, fields: Sequence[str]) -> Cleaned:
    """:func:`clean` on the columns where something can change: on the distinct values of
    columns that repeat, else only on the values not already clean (printable ASCII, single
    inner spaces); :data:`COLUMN_THREADS` columns at a time."""
    with ThreadPoolExecutor(COLUMN_THREADS, thread_name_prefix="crmclean-text") as pool:
        done = list(pool.map(partial(_clean_column, frame), fields))
    both = list(zip(fields, done, strict=True))
    cleaned = {field: column for field, (column, _) in both if column is not None}
    distinct = {field: values for field, (_, values) in both if values is not None}
    return Cleaned(cleaned, distinct)


def _clean_column(frame: pl.DataFrame, field: str) -> tuple[pl.Series | None, pl.Series | None]:
    """One column of :func:`clean_columns`: the column cleaned (None when nothing changes)
    and, when it was worked on distinct values, those values cleaned (else None)."""
    if frame[field].null_count() == frame.height:
        return None, frame[field].clear()
    if repeats(frame, [field]):
        return _clean_distinct(frame, field)
    return _clean_dirty(frame, field), None


def _clean_distinct(frame: pl.DataFrame, field: str) -> tuple[pl.Series | None, pl.Series]:
    """:func:`clean` on a column of repeated values: its distinct values are cleaned, and only
    those that change are replaced in the rows (None when none changes); with the cleaned
    distinct values."""
    units = frame[field].unique().drop_nulls().to_frame()
    both = units.with_columns(clean(pl.col(field)).alias("new"))
    changes = both.filter(pl.col(field).ne_missing(pl.col("new")))
    if changes.is_empty():
        return None, units[field]
    return frame[field].replace(changes[field], changes["new"]), both["new"].alias(field)


def _clean_dirty(frame: pl.DataFrame, field: str) -> pl.Series | None:
    """:func:`clean` on the values of one column that may change; None when there are none."""
    value = pl.col(field)
    dirty = value.str.contains(DIRTY) | (value.str.len_bytes() == 0)
    rows = frame.select(dirty.fill_null(False).arg_true())[field]
    if rows.is_empty():
        return None
    column = frame[field]
    cleaned = column.gather(rows).to_frame().select(clean(value))[field]
    return column.clone().scatter(rows, cleaned)


def clean_fields(frame: pl.DataFrame, fields: Sequence[str]) -> Step:
    """Apply :func:`clean` to ``fields``; a finding for each value that changed (not blanks)."""
    return clean_fields_distinct(frame, fields)[0]


def clean_fields_distinct(
    frame: pl.DataFrame, fields: Sequence[str]
) -> tuple[Step, dict[str, pl.Series]]:
    """:func:`clean_fields`, with the cleaned distinct values of :class:`Cleaned`."""
    after, distinct = clean_columns(frame, fields)
    rule = pl.when(changed()).then(pl.lit("text.cleaned"))
    findings = [by_rule(pairs(frame, pl.col(f), column), f, rule) for f, column in after.items()]
    return Step(frame.with_columns(**after), concat(findings)), distinct
