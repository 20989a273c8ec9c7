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
from crmclean.read.table import Repaired, SourceTable, build

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
    frame = _parse(data, sample, delimiter, path)
    table = build(path, frame.slice(1), frame.row(0), encoding=encoding, delimiter=delimiter)
    if not repaired:
        return table
    return replace(table, repaired=_rows_of_lines(whole.decode("utf-8"), delimiter, repaired))


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


def _parse(data: bytes, sample: str, delimiter: str, path: Path) -> pl.DataFrame:
    """Every record of UTF-8 ``data`` as text, the header as row 0; extra empty trailing fields
    are dropped. ``sample`` is the decoded start of ``data``."""
    head = sample[:SAMPLE_CHARS]
    eol = "\r" if "\n" not in head and "\r" in head else "\n"
    try:
        return _read(data, delimiter, eol, truncate=False)
    except pl.exceptions.PolarsError as exc:
        if "more fields" not in str(exc):
            raise _malformed(str(exc).splitlines()[0], path) from None
    _raise_on_long_row(data.decode("utf-8"), delimiter, path)
    return _read(data, delimiter, eol, truncate=True)


def _read(data: bytes, delimiter: str, eol: str, *, truncate: bool) -> pl.DataFrame:
    """polars' CSV parser with no header and no type inference."""
    return pl.read_csv(
        data,
        has_header=False,
        separator=delimiter,
        eol_char=eol,
        infer_schema=False,
        truncate_ragged_lines=truncate,
    )


def _raise_on_long_row(text: str, delimiter: str, path: Path) -> None:
    """Raise for the first record with values past the header's field count (error path only)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        width = len(next(reader))
        for row, record in enumerate(reader, start=1):
            if len(record) > width and any(field.strip() for field in record[width:]):
                message = f"row has {len(record)} fields, expected at most {width} (the header's)"
                raise UserError(message, file=str(path), row=row)
    except csv.Error as exc:
        raise _malformed(str(exc), path) from None


def _malformed(detail: str, path: Path) -> UserError:
    return UserError(f"malformed delimited text (check the quotes): {detail}", file=str(path))
