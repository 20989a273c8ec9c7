"""The read stage: sources into text tables with row numbers (see :class:`SourceTable`).

Readers are registered under the entry-point group ``crmclean.readers`` (``file`` is built in);
:func:`read_source` picks one by kind.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from crmclean.errors import UserError
from crmclean.read.delimited import sniff_delimiter
from crmclean.read.encoding import detect_encoding
from crmclean.read.file import list_sheets, read_file
from crmclean.read.table import SourceTable

READERS_GROUP = "crmclean.readers"

__all__ = [
    "SourceTable",
    "detect_encoding",
    "list_sheets",
    "read_file",
    "read_source",
    "sniff_delimiter",
]


def read_source(location: Path | str, *, kind: str = "file", **options: Any) -> SourceTable:
    """Read ``location`` with the reader registered for ``kind``, passing ``options`` on."""
    points = {point.name: point for point in entry_points(group=READERS_GROUP)}
    if kind not in points:
        known = ", ".join(sorted(points))
        raise UserError(f"unknown source kind {kind!r}; expected one of {known}")
    reader = points[kind].load()
    return reader(location, **options)
