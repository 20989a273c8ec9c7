"""What every reader hands on: source columns as text, numbered rows, blank rows counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import polars as pl

from crmclean.batch import ROW
from crmclean.errors import UserError

_EXACT_FLOAT_INT = 2**53


class Repaired(NamedTuple):
    """A line read leniently, and its row: not UTF-8 in a mostly UTF-8 file (decoded as
    cp1252), or with stray quotes (``rule`` says which)."""

    row: int
    line: int
    rule: str = "read.encoding_repaired"


@dataclass(frozen=True)
class SourceTable:
    """One source read as text.

    ``frame`` has every source column as ``pl.String`` in the source's order, then ``_row``
    (Int64): the 1-based data record number, the header being row 0. Fully blank records are
    not records: they are dropped and counted in ``blank_rows``, but still numbered.
    ``repaired`` names the lines read leniently (cp1252 lines, stray quotes). ``seen`` is the
    number of data records the source holds (blank ones too), counted apart from the parse
    (:mod:`crmclean.read.seen`); the run checks every one of them is accounted for. None: the
    reader cannot count them.
    """

    name: str
    path: Path
    frame: pl.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    blank_rows: int = 0
    repaired: tuple[Repaired, ...] = ()
    seen: int | None = None


def clean_headers(cells: Sequence[object]) -> list[str]:
    """Header names: trimmed (BOM too), blank -> ``column_N``, repeats -> ``Email_2``...,
    ``*`` -> ``[*]`` (polars reads ``*`` and ``^...$`` as patterns)."""
    taken = {ROW}
    names = []
    for position, cell in enumerate(cells, start=1):
        name = "" if cell is None else str(cell).replace("\ufeff", "").replace("\x00", "").strip()
        names.append(_unique(_literal(name) or f"column_{position}", taken))
    return names


def _literal(name: str) -> str:
    """A header polars would take for a pattern (``*``, ``^...$``) wrapped in brackets."""
    pattern = name == "*" or (name.startswith("^") and name.endswith("$"))
    return f"[{name}]" if pattern else name


def build(
    path: Path,
    frame: pl.DataFrame,
    headers: Sequence[object],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> SourceTable:
    """A :class:`SourceTable` from a parsed frame and its header cells (one per column)."""
    if not any(cell is not None and str(cell).strip() for cell in headers):
        raise UserError("no columns: expected column names in the first row", file=str(path))
    names = clean_headers(headers)
    columns = enumerate(zip(frame.dtypes, names, strict=True))  # by position: "*" is a name
    text = frame.select(_as_text(pl.nth(i), dtype).alias(new) for i, (dtype, new) in columns)
    text = text.with_columns(_blank_as_null(name) for name in names)
    blank = pl.all_horizontal(pl.col(names).is_null())
    numbered = text.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    blank_rows = int(numbered.select(blank.sum()).item())
    kept = numbered.filter(~blank) if blank_rows else numbered  # no copy of a full table
    kept = kept.select(*names, ROW)
    return SourceTable(path.stem, path, kept, encoding, delimiter, sheet, blank_rows)


def _blank_as_null(name: str) -> pl.Expr:
    """Empty and whitespace-only cells become null; others stay exactly as read."""
    column = pl.col(name)
    return pl.when(column.str.strip_chars() != "").then(column).alias(name)


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... whichever is free; marks it taken."""
    candidate, count = name, 1
    while candidate in taken:
        count += 1
        candidate = f"{name}_{count}"
    taken.add(candidate)
    return candidate


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``column`` as the text a person would have seen in the source."""
    if dtype.is_float():
        return _float_text(column)
    if isinstance(dtype, pl.Datetime):
        return _datetime_text(column, dtype)
    if dtype.is_nested():
        encoded = pl.struct(column.alias("v")).struct.json_encode()
        return pl.when(column.is_not_null()).then(encoded.str.slice(5).str.strip_suffix("}"))
    return column.cast(pl.String)


def _float_text(column: pl.Expr) -> pl.Expr:
    """Whole numbers without a decimal part (``5511987654321``), others as polars prints them."""
    whole = (column == column.round(0)) & (column.abs() < _EXACT_FLOAT_INT)
    as_int = column.cast(pl.Int64, strict=False).cast(pl.String)
    return pl.when(whole).then(as_int).otherwise(column.cast(pl.String))


def _datetime_text(column: pl.Expr, dtype: pl.Datetime) -> pl.Expr:
    """ISO 8601: a date when the whole column is at midnight, a time for Excel time-only cells."""
    full = "%Y-%m-%dT%H:%M:%S" + ("%:z" if dtype.time_zone else "")
    midnight = ((column.dt.time() == dt.time(0)) | column.is_null()).all()
    return (
        pl.when(column.dt.year() < 1900)
        .then(column.dt.to_string("%H:%M:%S"))
        .when(midnight)
        .then(column.dt.to_string("%Y-%m-%d"))
        .otherwise(column.dt.to_string(full))
    )


def drop_footer(table: SourceTable, prefixes: list[str]) -> tuple[SourceTable, int]:
    """Rows that are only a footer line (a report's "Copyright (c) ..." with every other cell
    empty) removed; returns the table and how many were removed."""
    if not prefixes:
        return table, 0
    first, *others = [c for c in table.frame.columns if c != ROW]
    starts = pl.any_horizontal(pl.col(first).str.starts_with(p) for p in prefixes)
    footer = starts & pl.all_horizontal(pl.col(others).is_null() if others else pl.lit(True))
    kept = table.frame.filter(~footer.fill_null(False))
    return replace(table, frame=kept), table.frame.height - kept.height
