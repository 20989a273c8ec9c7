"""CSV, TSV and other delimited text: sniff the delimiter, parse every cell as text."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import replace
from pathlib import Path

import polars as pl

from crmclean.errors import UserError
from crmclean.read.encoding import utf8_bytes
from crmclean.read.seen import delimited_records
from crmclean.read.table import Repaired, SourceTable, build
from crmclean.read.tolerant import tolerant_parse

CANDIDATES = (",", ";", "\t", "|")
SAMPLE_CHARS = 65_536


def sniff_delimiter(text_sample: str) -> str:
    """The candidate delimiter that splits the sample's records most consistently.

    Records are parsed with quotes respected; the score is the share of records with the usual
    field count, then the fewest fields with stray quotes, then the most fields. A sample with a
    single column gives ``,``.
    """
    scores = {delimiter: _score(text_sample, delimiter) for delimiter in CANDIDATES}
    best = max(CANDIDATES, key=scores.__getitem__)
    return best if scores[best][0] > 0 else ","


def read_delimited(
    path: Path, raw: bytes, *, encoding: str | None = None, delimiter: str | None = None
) -> SourceTable:
    """A delimited text file read as text; leading blank lines are skipped."""
    whole, encoding, repaired = utf8_bytes(raw, path=path, encoding=encoding)
    data = whole.lstrip(b"\r\n")
    if not data:
        raise UserError("no columns: the file has only blank lines", file=str(path))
    sample = data[: 4 * SAMPLE_CHARS].decode("utf-8", errors="ignore")  # a cut last character
    delimiter = _checked(delimiter, path) or sniff_delimiter(sample)
    frame, malformed = _parse(data, sample, delimiter, path)
    table = build(path, frame.slice(1), frame.row(0), encoding=encoding, delimiter=delimiter)
    skipped = whole[: len(whole) - len(data)].count(b"\n")
    noted = [r._replace(line=r.line + skipped) for r in malformed]
    if repaired:
        noted += _rows_of_lines(whole.decode("utf-8"), delimiter, repaired)
    parsed = table.frame.height + table.blank_rows
    seen = delimited_records(data, delimiter, eol_of(sample), parsed)
    return replace(table, repaired=tuple(noted), seen=seen)


def _rows_of_lines(text: str, delimiter: str, lines: tuple[int, ...]) -> tuple[Repaired, ...]:
    """The data row holding each of ``lines`` (1-based, the header being row 0); only for the
    few repaired lines of a mixed-encoding file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found: list[Repaired] = []
    row, pending = -1, list(lines)
    for record in reader:
        row += bool(record) or row >= 0  # leading blank lines are skipped
        while pending and pending[0] <= reader.line_num:
            found.append(Repaired(max(row, 0), pending.pop(0)))
        if not pending:
            break
    return tuple(found)


def _score(sample: str, delimiter: str) -> tuple[float, int, int]:
    """(share of records with the usual field count, -fields with stray quotes, field count)."""
    records = _records(sample, delimiter)
    if not records:
        return (0.0, 0, 0)
    width, count = Counter(len(record) for record in records).most_common(1)[0]
    if width < 2:
        return (0.0, 0, 0)
    stray = sum('"' in field for record in records for field in record)
    return (count / len(records), -stray, width)


def _records(text: str, delimiter: str) -> list[list[str]]:
    """The non-blank records of the first ``SAMPLE_CHARS`` of ``text``, minus a cut last one."""
    reader = csv.reader(io.StringIO(text[:SAMPLE_CHARS], newline=""), delimiter=delimiter)
    records = [record for record in reader if record]
    return records[:-1] if len(text) > SAMPLE_CHARS and len(records) > 1 else records


def _checked(delimiter: str | None, path: Path) -> str | None:
    """A delimiter given by the user, as one byte (``\\t`` and ``tab`` mean a tab)."""
    if delimiter is None:
        return None
    value = "\t" if delimiter in ("\\t", "tab") else delimiter
    if len(value.encode("utf-8")) != 1:
        raise UserError(
            f"delimiter must be one character such as , ; | or tab, got {delimiter!r}",
            file=str(path),
        )
    return value


def _parse(
    data: bytes, sample: str, delimiter: str, path: Path
) -> tuple[pl.DataFrame, list[Repaired]]:
    """Every record of UTF-8 ``data`` as text, the header as row 0, and the rows read
    leniently; extra empty trailing fields are dropped. ``sample`` is the start of ``data``.
    What polars refuses (ragged rows, stray quotes) is parsed again by :mod:`.tolerant`."""
    eol = eol_of(sample)
    try:
        return _read(data, delimiter, eol), []
    except pl.exceptions.PolarsError:
        text = data.decode("utf-8")
    return tolerant_parse(text.replace("\r", "\n") if eol == "\r" else text, delimiter, path)


def eol_of(sample: str) -> str:
    """The record separator: ``\n`` (also ending ``\r\n``), or ``\r`` for old Mac files."""
    head = sample[:SAMPLE_CHARS]
    return "\r" if "\n" not in head and "\r" in head else "\n"


def _read(data: bytes, delimiter: str, eol: str) -> pl.DataFrame:
    """polars' CSV parser with no header and no type inference."""
    return pl.read_csv(
        data, has_header=False, separator=delimiter, eol_char=eol, infer_schema=False
    )
