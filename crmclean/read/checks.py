"""Checks on cells as first read, whatever the source: lines repaired from cp1252, mojibake
(text garbled by a wrong decode before it reached the file), spreadsheet formulas, NUL bytes.

NUL bytes are removed (PostgreSQL cannot store them); every other cell stays as read.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from crmclean.batch import ROW, SOURCE, SOURCE_ID
from crmclean.cell_patterns import FORMULA, MOJIBAKE
from crmclean.codes import BY_RULE
from crmclean.read.table import SourceTable

_NUL = "read.nul_removed"
_RULES = (("read.mojibake", MOJIBAKE), ("read.formula", FORMULA), (_NUL, "\x00"))
_ANY = "|".join(f"(?:{pattern})" for _, pattern in _RULES)


def check_cells(table: SourceTable) -> tuple[SourceTable, pl.DataFrame]:
    """``table`` with NUL bytes removed, and its cell findings: ``_row, field, rule, before``."""
    columns = [c for c in table.frame.columns if c != ROW]
    # One scan of every column for any of the patterns and for empty cells (polars runs the
    # columns in parallel); each rule apart, and the cleaning, only where that scan hit.
    scan = table.frame.select(
        *(pl.col(c).str.contains(_ANY).any().alias(f"hit{i}") for i, c in enumerate(columns)),
        *((pl.col(c) == "").any().alias(f"empty{i}") for i, c in enumerate(columns)),
    )
    flagged = [c for i, c in enumerate(columns) if scan[f"hit{i}"].item()]
    blank = [c for i, c in enumerate(columns) if scan[f"empty{i}"].item()]
    checks = [(column, rule, pattern) for column in flagged for rule, pattern in _RULES]
    hits = table.frame.select(
        pl.col(column).str.contains(pattern).fill_null(False).alias(str(i))
        for i, (column, _, pattern) in enumerate(checks)
    )
    found, cleaning = [], [*blank]
    for i, (column, rule, _) in enumerate(checks):
        if hits[str(i)].any():
            found.append(_matches(table.frame, column, rule, hits[str(i)]))
            cleaning += [column] if rule == _NUL and column not in blank else []
    found.append(_repaired(table))
    cleaned = table.frame.with_columns(map(_without_nul, cleaning))
    return replace(table, frame=cleaned), pl.concat(found)


def _without_nul(column: str) -> pl.Expr:
    """The column without NUL bytes; a cell that held nothing else (or nothing) becomes
    empty (null)."""
    stripped = pl.col(column).str.replace_all("\x00", "", literal=True)
    return pl.when(stripped != "").then(stripped).alias(column)


def _matches(frame: pl.DataFrame, column: str, rule: str, hit: pl.Series) -> pl.DataFrame:
    """The cells of ``column`` where ``hit``, as findings of ``rule``."""
    return (
        frame.select(ROW, column)
        .filter(hit)
        .select(
            pl.col(ROW),
            pl.lit(column).alias("field"),
            pl.lit(rule).alias("rule"),
            pl.col(column).str.replace_all("\x00", "\\0", literal=True).alias("before"),
        )
    )


def _repaired(table: SourceTable) -> pl.DataFrame:
    """One finding per line read leniently (cp1252, stray quotes), naming the line."""
    return pl.DataFrame(
        {
            ROW: [r.row for r in table.repaired],
            "field": [None] * len(table.repaired),
            "rule": [r.rule for r in table.repaired],
            "before": [f"{table.path.name} line {r.line}" for r in table.repaired],
        },
        schema={ROW: pl.Int64, "field": pl.String, "rule": pl.String, "before": pl.String},
    )


def as_findings(notes: pl.DataFrame, records: pl.DataFrame, source: str) -> pl.DataFrame:
    """Cell findings with their record's lineage (``row N`` for a row that is not a record)."""
    lineage = records.select(ROW, SOURCE_ID)
    joined = notes.join(lineage, on=ROW, how="left", maintain_order="left")
    codes = {rule: code.code for rule, code in BY_RULE.items()}
    severities = {rule: code.severity for rule, code in BY_RULE.items()}
    return joined.select(
        pl.lit(source).alias(SOURCE),
        pl.col(SOURCE_ID).fill_null(pl.format("row {}", ROW)),
        "field",
        pl.col("rule").replace_strict(codes).alias("code"),
        "rule",
        pl.col("rule").replace_strict(severities).alias("severity"),
        "before",
        pl.lit(None, dtype=pl.String).alias("after"),
    )
