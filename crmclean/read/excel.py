"""Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) through fastexcel/calamine, cells as seen."""

from __future__ import annotations

from pathlib import Path

import fastexcel

from crmclean.errors import UserError
from crmclean.read.table import SourceTable, build

HIDDEN_SHEET = "hiddenSheet"


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order."""
    return _open(path).sheet_names


def read_excel(path: Path, sheet: str | int | None = None) -> SourceTable:
    """One sheet (by default the first visible one that is not Dynamics 365's ``hiddenSheet``;
    by name or 0-based index) read as text.

    The header is the sheet's first non-empty row. Typed cells become the text a person saw:
    whole numbers without ``.0``, dates as ISO 8601, booleans as ``true``/``false``.
    """
    reader = _open(path)
    name = _sheet_name(reader.sheet_names, sheet, path) if sheet is not None else _default(reader)
    header = reader.load_sheet(name, header_row=None, n_rows=1, dtypes="string").to_polars()
    data = reader.load_sheet(name, schema_sample_rows=None).to_polars()
    cells = header.row(0) if header.height else ()
    return build(path, data, cells, sheet=name)


def _default(reader: fastexcel.ExcelReader) -> str:
    """The first visible sheet that holds data (Dynamics 365 exports add a ``hiddenSheet``)."""
    for name in reader.sheet_names:
        visible = reader.load_sheet(name, header_row=None, n_rows=1).visible == "visible"
        if visible and name != HIDDEN_SHEET:
            return name
    return reader.sheet_names[0]


def _open(path: Path) -> fastexcel.ExcelReader:
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
