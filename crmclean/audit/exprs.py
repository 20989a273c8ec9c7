"""Column expressions and date arithmetic shared by the audit measures."""

from __future__ import annotations

import calendar
import re
from datetime import date

import polars as pl

from crmclean.batch import SOURCE, SOURCE_ID

KEYS = [SOURCE, SOURCE_ID]


def fold(expr: pl.Expr) -> pl.Expr:
    """Text without case, accents, punctuation or spaces (``"São-Paulo"`` -> ``saopaulo``)."""
    return words(expr).str.replace_all(" ", "", literal=True)


def words(expr: pl.Expr) -> pl.Expr:
    """Lowercase, accent-free words separated by single spaces."""
    plain = expr.str.normalize("NFD").str.replace_all(r"\p{M}", "").str.to_lowercase()
    return plain.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()


def without_suffixes(expr: pl.Expr, suffixes: list[str]) -> pl.Expr:
    """:func:`words` with trailing legal suffixes (``Ltda``, ``S/A``, ``Inc``) removed."""
    folded = [re.sub(r"[^\w]+", " ", s.lower()).strip() for s in suffixes]
    if not folded:
        return words(expr)
    alternation = "|".join(re.escape(s) for s in sorted(set(folded), key=len, reverse=True))
    return words(expr).str.replace(rf"(?:\s+(?:{alternation}))+$", "")


def as_date(column: str) -> pl.Expr:
    """An ISO 8601 text column (``2024-03-01`` or ``2024-03-01T10:20:00``) as a date."""
    return pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def latest(columns: list[str], present: list[str]) -> pl.Expr:
    """The latest date among ``columns`` (those of them in ``present``), null when none."""
    dates = [as_date(c) for c in columns if c in present]
    return pl.max_horizontal(dates) if dates else pl.lit(None, dtype=pl.Date)


def months_before(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months (the day clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def filled(frame: pl.DataFrame, column: str) -> pl.Expr:
    """True where ``column`` holds a value (a non-empty list for list columns)."""
    if isinstance(frame.schema[column], pl.List):
        return pl.col(column).list.len().fill_null(0) > 0
    return pl.col(column).is_not_null()


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to measure."""
    return part / whole if whole else None
