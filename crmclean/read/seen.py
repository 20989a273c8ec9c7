"""How many records a source holds, counted apart from the parse that reads them.

A reader that loses a row (a parser skipping a line, a cursor cut short) would otherwise pass
the conservation check, which starts from what the reader returned. Each count here comes
from another parser or from the source itself: Python's ``csv`` module for delimited text
(polars parses it), ``BEGIN:VCARD`` lines, the Parquet footer (``SELECT COUNT(*)`` for a
database query: :func:`crmclean.read.sql.query_rows`, beside the reader that needs SQLAlchemy).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import polars as pl

_CARD = re.compile(r"^[ \t]*BEGIN:VCARD[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def delimited_records(data: bytes, delimiter: str, eol: str, parsed: int) -> int:
    """Data records of delimited UTF-8 ``data`` (blank lines after the header count, as polars
    reads them). First the line ends outside double quotes are counted (numpy, fast); when
    that differs from the ``parsed`` count (an odd quote inside a field fools it), Python's
    ``csv`` module counts the records."""
    quick = _line_records(data, eol)
    if quick == parsed:
        return quick
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    return max(sum(1 for _ in reader) - 1, 0)


def _line_records(data: bytes, eol: str) -> int:
    """Records after the header: line ends preceded by an even number of quotes, plus an
    unterminated last line."""
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == ord('"'))
    ends = np.flatnonzero(raw == ord(eol))
    outside = (np.searchsorted(quotes, ends) % 2 == 0).sum()
    last = 1 if data and not data.endswith(eol.encode()) else 0
    return max(int(outside) + last - 1, 0)


def json_records(text: str, *, lines: bool) -> int:
    """Objects of a JSON array (one for a lone object), or non-blank lines of NDJSON."""
    if lines:
        return sum(1 for line in text.splitlines() if line.strip())
    data = json.loads(text)
    return len(data) if isinstance(data, list) else 1


def vcards(text: str) -> int:
    """The ``BEGIN:VCARD`` lines of ``text``."""
    return len(_CARD.findall(text))


def parquet_rows(path: Path) -> int:
    """The row count the Parquet file's footer records (polars counts a scan's rows from the
    footer alone, decoding no page)."""
    return int(pl.scan_parquet(path).select(pl.len()).collect().item())
