"""Read one source file, whatever its format, into a :class:`SourceTable` of text columns."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import polars as pl

from crmclean.errors import UserError
from crmclean.read.delimited import read_delimited
from crmclean.read.encoding import decode
from crmclean.read.excel import read_excel, sheet_names
from crmclean.read.seen import json_records, parquet_rows
from crmclean.read.table import Repaired, SourceTable, build
from crmclean.read.vcard import read_vcard

FORMATS = {
    ".csv": "delimited",
    ".txt": "delimited",
    ".tsv": "delimited",
    ".tab": "delimited",
    ".xlsx": "spreadsheet",
    ".xlsm": "spreadsheet",
    ".xlsb": "spreadsheet",
    ".xls": "spreadsheet",
    ".ods": "spreadsheet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
    ".vcf": "vcard",
    ".vcard": "vcard",
}
OPTIONS = {
    "delimited": {"encoding", "delimiter"},
    "spreadsheet": {"sheet"},
    "json": {"encoding"},
    "ndjson": {"encoding"},
    "parquet": set(),
    "vcard": {"encoding"},
}


def read_file(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> SourceTable:
    """Read a CSV/TSV/TXT, spreadsheet, JSON, NDJSON, Parquet or vCard file (never written)."""
    source = Path(path)
    kind = _format(source)
    _check_options(source, kind, sheet=sheet, encoding=encoding, delimiter=delimiter)
    if kind == "spreadsheet":
        return read_excel(source, sheet)
    if kind == "parquet":
        return _read_parquet(source)
    raw = _bytes(source)
    if kind == "delimited":
        return read_delimited(source, raw, encoding=encoding, delimiter=delimiter)
    if kind == "vcard":
        return read_vcard(source, raw, encoding=encoding)
    return _read_json(source, raw, encoding, lines=kind == "ndjson")


def list_sheets(path: Path | str) -> list[str]:
    """The sheet names of a spreadsheet file, in order."""
    source = Path(path)
    if _format(source) != "spreadsheet":
        raise UserError(f"not a spreadsheet: expected {_suffixes('spreadsheet')}", file=str(source))
    return sheet_names(source)


def _format(path: Path) -> str:
    """The format of an existing, non-empty file, from its extension."""
    if not path.exists():
        raise UserError("file not found", file=str(path))
    if not path.is_file():
        raise UserError("expected a file, got a directory", file=str(path))
    if path.stat().st_size == 0:
        raise UserError("file is empty (0 bytes)", file=str(path))
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UserError(
            f"unsupported file type {path.suffix or '(none)'!r}; expected one of "
            f"{', '.join(FORMATS)}",
            file=str(path),
        )
    return kind


def _check_options(path: Path, kind: str, **given: object) -> None:
    """Refuse options the file's format has no use for."""
    unused = sorted(n for n, value in given.items() if value is not None and n not in OPTIONS[kind])
    if unused:
        message = f"option {', '.join(unused)} does not apply to {kind} files"
        raise UserError(message, file=str(path))


def _suffixes(kind: str) -> str:
    return ", ".join(suffix for suffix, found in FORMATS.items() if found == kind)


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", file=str(path)) from None


def _read_parquet(path: Path) -> SourceTable:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        detail = str(exc).splitlines()[0]
        raise UserError(f"not a readable Parquet file: {detail}", file=str(path)) from None
    return replace(build(path, frame, frame.columns), seen=parquet_rows(path))


def _read_json(path: Path, raw: bytes, encoding: str | None, *, lines: bool) -> SourceTable:
    """A JSON array of objects, or one object per line; nested values stay JSON text."""
    text, encoding, repaired = decode(raw, path=path, encoding=encoding)
    data = io.BytesIO(text.encode("utf-8"))
    try:
        if lines:
            frame = pl.read_ndjson(data, infer_schema_length=None)
        else:
            frame = pl.read_json(data, infer_schema_length=None)
    except pl.exceptions.PolarsError as exc:
        detail = str(exc).splitlines()[0]
        shape = "one JSON object per line" if lines else "a JSON array of objects"
        raise UserError(f"expected {shape}: {detail}", file=str(path)) from None
    table = build(path, frame, frame.columns, encoding=encoding)
    rows = (line if lines else 0 for line in repaired)  # a JSON array: the record is unknown
    seen = json_records(text, lines=lines)
    return replace(table, repaired=tuple(map(Repaired, rows, repaired)), seen=seen)
