"""The fallback parse of delimited text polars refuses: stray quotes (``"Bruno" Lima``) read as
a spreadsheet would, each such row named; a quote never closed is an error naming its row.

Only malformed files come here, so records are parsed one by one with Python's ``csv``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from crmclean.errors import UserError
from crmclean.read.table import Repaired

MALFORMED = "read.malformed_row"


def tolerant_parse(text: str, delimiter: str, path: Path) -> tuple[pl.DataFrame, list[Repaired]]:
    """Every record of ``text`` (the header as row 0) and the rows that needed leniency."""
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    noted, start = [], 1
    try:
        for row, record in enumerate(reader):
            span = "\n".join(lines[start - 1 : reader.line_num])
            if any('"' in field for field in record) or not _strict_ok(span, delimiter):
                _check_closed(record, row, start, text, path)
                noted.append(Repaired(row, start, MALFORMED))
            records.append(record)
            start = reader.line_num + 1
    except csv.Error as exc:
        message = f"malformed delimited text on line {start}: {exc}"
        raise UserError(message, file=str(path), row=len(records)) from None
    return _frame(records, path), noted


def _strict_ok(span: str, delimiter: str) -> bool:
    try:
        list(csv.reader(io.StringIO(span, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return True


def _check_closed(record: list[str], row: int, line: int, text: str, path: Path) -> None:
    """Refuse a record whose quote runs to the end of the file (an odd count of quotes)."""
    if record and "\n" in record[-1] and text.count('"') % 2:
        message = f"a quote opened on line {line} is never closed (check the quotes)"
        raise UserError(message, file=str(path), row=row)


def _frame(records: list[list[str]], path: Path) -> pl.DataFrame:
    """The records as text columns the header's width; values past it are an error."""
    width = len(records[0]) if records else 0
    for row, record in enumerate(records[1:], start=1):
        if len(record) > width and any(field.strip() for field in record[width:]):
            message = f"row has {len(record)} fields, expected at most {width} (the header's)"
            raise UserError(message, file=str(path), row=row)
    padded = [(record + [""] * width)[:width] if record else [None] * width for record in records]
    names = [f"column_{i}" for i in range(1, width + 1)]
    return pl.DataFrame(padded, schema=dict.fromkeys(names, pl.String), orient="row")
