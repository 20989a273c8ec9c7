"""SQLite bulk inserts at the engine's speed.

Python's ``sqlite3`` binds every cell of an ``executemany`` from a Python object, which costs
more than SQLite's own work on a load of millions of rows. Here the rows go, as Arrow, through
ADBC's SQLite driver (binding in C) into a side file next to the target (one per table), which
the run's connection attaches and copies with one ``INSERT ... SELECT`` inside its transaction:
the target still changes in that one transaction or not at all. The side files are deleted
when the load ends; a folder left behind by a killed process (``.crmclean-load-*`` beside the
target) holds nothing the target needs and can be deleted by hand.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import sqlalchemy as sa

BULK_ROWS = 20_000  # smaller inserts go through executemany: no side file for a few rows
MAX_FILES = 8  # SQLite attaches at most 10 databases to a connection
SCHEMA = "crmclean_bulk_"  # side file N is attached as schema crmclean_bulk_N
CACHE_KIB = 256 * 1024  # SQLite page cache while loading: B-tree and index pages stay in memory


@dataclass
class SideFiles:
    """Where a load's side files go, and how many it wrote."""

    folder: Path
    written: int = 0

    def takes(self, frame: pl.DataFrame) -> bool:
        """Whether ``frame`` is worth (and can still get) a side file of its own: text and
        numbers only (dates and times keep the driver's own text form through executemany)."""
        plain = all(dtype == pl.String or dtype.is_numeric() for dtype in frame.dtypes)
        return plain and frame.height >= BULK_ROWS and self.written < MAX_FILES


@contextmanager
def side_files(url: sa.URL) -> Iterator[SideFiles | None]:
    """Side files for a load into ``url``, in a folder beside a SQLite target file (the
    system's temporary folder for an in-memory database) removed on leaving; None for other
    databases."""
    if url.get_backend_name() != "sqlite":
        yield None
        return
    database = url.database or ""
    beside = Path(database).parent if database not in ("", ":memory:") else None
    with tempfile.TemporaryDirectory(
        prefix=".crmclean-load-", dir=beside, ignore_cleanup_errors=True
    ) as folder:
        yield SideFiles(Path(folder))


def _write_side(path: Path, frame: pl.DataFrame) -> None:
    """``frame`` as table ``rows`` of a new side file."""
    from adbc_driver_sqlite import dbapi

    try:
        with dbapi.connect(str(path)) as side, side.cursor() as cursor:
            cursor.adbc_ingest("rows", frame.to_arrow(), mode="create")
            side.commit()
    except dbapi.Error as exc:  # raised as the target's own errors are (a full disk: a user error)
        raise sa.exc.OperationalError(f"writing {path}", None, exc) from exc


def insert_through(
    conn: sa.Connection, table: sa.Table, frame: pl.DataFrame, side: SideFiles
) -> int:
    """Insert ``frame`` (columns named as ``table``'s) into ``table`` through a new side file."""
    schema = f"{SCHEMA}{side.written}"
    path = side.folder / f"{schema}.db"
    _write_side(path, frame)
    side.written += 1
    if side.written == 1:
        conn.exec_driver_sql(f"PRAGMA main.cache_size = -{CACHE_KIB}")
    conn.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(path),))
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(column) for column in frame.columns)
    conn.exec_driver_sql(
        f"INSERT INTO {quote.format_table(table)} ({columns}) SELECT {columns} FROM {schema}.rows"
    )
    return frame.height
