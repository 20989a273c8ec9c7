"""SQLite bulk inserts at the engine's speed.

Python's ``sqlite3`` binds every cell of an ``executemany`` from a Python object, which costs
more than SQLite's own work on a load of millions of rows. Here the rows go, as Arrow, through
ADBC's SQLite driver (binding in C) into a side file next to the target (one per table), which
the run's connection attaches and copies with one ``INSERT ... SELECT`` inside its transaction:
the target still changes in that one transaction or not at all. A load can have its side files
written ahead (:meth:`SideFiles.write_ahead`) by a background thread, which ADBC's ingest
leaves free of the GIL, while the run's connection copies the ones already written. The side
files are deleted when the load ends; a folder left behind by a killed process
(``.crmclean-load-*`` beside the target) holds nothing the target needs and can be deleted by
hand.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa

BULK_ROWS = 20_000  # smaller inserts go through executemany: no side file for a few rows
MAX_FILES = 8  # SQLite attaches at most 10 databases to a connection
SCHEMA = "crmclean_bulk_"  # side file N is attached as schema crmclean_bulk_N
CACHE_KIB = 256 * 1024  # SQLite page cache while loading: B-tree and index pages stay in memory
SIDE_PRAGMAS = ("page_size = 65536", "journal_mode = OFF", "synchronous = OFF")


@dataclass
class SideFiles:
    """Where a load's side files go, how many it wrote, and those being written ahead (by
    table name) by ``writer``."""

    folder: Path
    writer: ThreadPoolExecutor
    written: int = 0
    ahead: dict[str, Future[Path]] = field(default_factory=dict)
    cache_set: bool = False

    def takes(self, frame: pl.DataFrame, table: str = "") -> bool:
        """Whether ``frame`` (rows of ``table``) is worth (and can still get) a side file of
        its own: text and numbers only (dates and times keep the driver's own text form
        through executemany); true when one is being written ahead for ``table``."""
        if table in self.ahead:
            return True
        plain = all(dtype == pl.String or dtype.is_numeric() for dtype in frame.dtypes)
        return plain and frame.height >= BULK_ROWS and self.written < MAX_FILES

    def write_ahead(self, table: str, frame: pl.DataFrame) -> None:
        """Start writing ``frame`` (exactly the rows and columns the load will insert into
        ``table``) to a side file in the background, when it takes one."""
        if self.takes(frame, table):
            path = self._next_path()
            self.ahead[table] = self.writer.submit(_write_side, path, frame)

    def _next_path(self) -> Path:
        path = self.folder / f"{SCHEMA}{self.written}.db"
        self.written += 1
        return path

    def file_of(self, table: str, frame: pl.DataFrame) -> Path:
        """The side file holding ``frame`` (rows of ``table``): written ahead, else now."""
        future = self.ahead.pop(table, None)
        if future is not None:
            return future.result()
        return _write_side(self._next_path(), frame)


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
    with (
        tempfile.TemporaryDirectory(
            prefix=".crmclean-load-", dir=beside, ignore_cleanup_errors=True
        ) as folder,
        ThreadPoolExecutor(1, thread_name_prefix="crmclean-side") as writer,
    ):
        side = SideFiles(Path(folder), writer)
        try:
            yield side
        finally:  # no file is written after the load ended, nor into a deleted folder
            for future in side.ahead.values():
                future.cancel()


def _write_side(path: Path, frame: pl.DataFrame) -> Path:
    """``frame`` as table ``rows`` of a new side file at ``path`` (returned). The file is read
    once and thrown away: large pages, no journal, no sync (a third less CPU to write)."""
    from adbc_driver_sqlite import dbapi

    try:
        with dbapi.connect(str(path), autocommit=True) as side, side.cursor() as cursor:
            for pragma in SIDE_PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
            cursor.execute("BEGIN")
            cursor.adbc_ingest("rows", frame.to_arrow(), mode="create")
            cursor.execute("COMMIT")
    except dbapi.Error as exc:  # raised as the target's own errors are (a full disk: a user error)
        raise sa.exc.OperationalError(f"writing {path}", None, exc) from exc
    return path


def insert_through(
    conn: sa.Connection,
    table: sa.Table,
    frame: pl.DataFrame,
    side: SideFiles,
    same: Mapping[str, str | int] | None = None,
) -> int:
    """Insert ``frame`` (columns named as ``table``'s) into ``table`` through a side file (one
    written ahead for ``table``, else a new one); the columns of ``same`` (one value for every
    row: the run id) are bound once in the copy, not written to the file row by row."""
    path = side.file_of(table.name, frame)
    schema = path.stem
    if not side.cache_set:
        conn.exec_driver_sql(f"PRAGMA main.cache_size = -{CACHE_KIB}")
        side.cache_set = True
    conn.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(path),))
    same = same or {}
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(column) for column in frame.columns)
    named = ", ".join([columns, *(quote.quote(name) for name in same)])
    values = ", ".join([columns, *("?" for _ in same)])
    conn.exec_driver_sql(
        f"INSERT INTO {quote.format_table(table)} ({named}) SELECT {values} FROM {schema}.rows",
        tuple(same.values()),
    )
    return frame.height
