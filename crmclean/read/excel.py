"""Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) through fastexcel/calamine, cells as seen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from crmclean.batch import ROW
from crmclean.errors import UserError
from crmclean.read.table import SourceTable, build

if TYPE_CHECKING:
    import fastexcel

HIDDEN_SHEET = "hiddenSheet"


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order."""
    return _open(path).sheet_names


def read_excel(path: Path, sheet: str | int | None = None) -> SourceTable:
    """One sheet (by name or 0-based index) read as text; by default every visible data sheet
    (two or more header cells and a row; Dynamics 365's ``hiddenSheet`` is not one), which
    must share one header, else the sheets are listed and none is read.

    The header is the sheet's first non-empty row. Typed cells become the text a person saw:
    whole numbers without ``.0``, dates as ISO 8601, booleans as ``true``/``false``.
    """
    reader = _open(path)
    if sheet is not None:
        return _read_sheet(reader, path, _sheet_name(reader.sheet_names, sheet, path))
    names = _data_sheets(reader) or [_default(reader)]
    tables = [_read_sheet(reader, path, name) for name in names]
    if len({tuple(table.frame.columns) for table in tables}) > 1:
        listing = ", ".join(f"'{t.sheet}' ({_rows(t.frame.height)})" for t in tables)
        raise UserError(
            f"data on several sheets with different columns: {listing}; choose one with "
            "--sheet (or `sheet:` in crmclean.yml)",
            file=str(path),
        )
    return _stacked(tables)


def _read_sheet(reader: fastexcel.ExcelReader, path: Path, name: str) -> SourceTable:
    header = reader.load_sheet(name, header_row=None, n_rows=1, dtypes="string").to_polars()
    data = reader.load_sheet(name, schema_sample_rows=None).to_polars()
    cells = header.row(0) if header.height else ()
    seen = max(reader.load_sheet(name, header_row=None, n_rows=0).total_height - 1, 0)
    try:
        return replace(build(path, data, cells, sheet=name), seen=seen)
    except UserError as exc:
        raise UserError(f"sheet '{name}': {exc.message}", file=str(path)) from None


def _data_sheets(reader: fastexcel.ExcelReader) -> list[str]:
    """Visible sheets with two or more header cells and at least one row under them."""
    found = []
    for name in reader.sheet_names:
        head = reader.load_sheet(name, header_row=None, n_rows=2, dtypes="string")
        first = head.to_polars().head(1)
        cells = sum(first.select(pl.all().is_not_null().sum()).row(0)) if first.height else 0
        if head.visible == "visible" and name != HIDDEN_SHEET and cells >= 2 and head.height > 1:
            found.append(name)
    return found


def _stacked(tables: list[SourceTable]) -> SourceTable:
    """Sheets of one shape as one table; each sheet's rows numbered on from the last one's."""
    if len(tables) == 1:
        return tables[0]
    frames, offset = [], 0
    for table in tables:
        frames.append(table.frame.with_columns(pl.col(ROW) + offset))
        offset += table.frame.height + table.blank_rows
    blank = sum(table.blank_rows for table in tables)
    sheets = ", ".join(table.sheet or "" for table in tables)
    seen = sum(table.seen or 0 for table in tables)
    return replace(tables[0], frame=pl.concat(frames), sheet=sheets, blank_rows=blank, seen=seen)


def _default(reader: fastexcel.ExcelReader) -> str:
    """The first visible sheet (Dynamics 365 exports add a ``hiddenSheet``), else the first."""
    for name in reader.sheet_names:
        visible = reader.load_sheet(name, header_row=None, n_rows=1).visible == "visible"
        if visible and name != HIDDEN_SHEET:
            return name
    return reader.sheet_names[0]


def _open(path: Path) -> fastexcel.ExcelReader:
    import fastexcel  # only for a spreadsheet

    try:
        return fastexcel.read_excel(path)
    except fastexcel.FastExcelError as exc:
        detail = str(exc).splitlines()[0]
        raise UserError(f"cannot read as a spreadsheet: {detail}", file=str(path)) from None


def _sheet_name(names: list[str], sheet: str | int, path: Path) -> str:
    """The name of the requested sheet; digits that name no sheet are an index."""
    if isinstance(sheet, str) and sheet not in names and sheet.isdigit():
        sheet = int(sheet)
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return names[sheet]
    if sheet in names:
        return str(sheet)
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    raise UserError(f"no sheet {sheet!r}; expected one of {listing}", file=str(path))


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
