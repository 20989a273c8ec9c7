"""Open the load target: a SQLAlchemy URL, or a plain file path meaning SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crmclean.errors import UserError
from crmclean.urls import mask_url, parse_url, scrub


def target_url(target: str) -> sa.URL:
    """The URL of ``target``; a path without ``://`` is a SQLite database file."""
    if "://" not in target:
        return sa.URL.create("sqlite", database=str(Path(target).expanduser().resolve()))
    return parse_url(target)


def safe_url(url: sa.URL) -> str:
    """The URL as text with any password masked, for messages."""
    return mask_url(url)


def _sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not pysqlite, open transactions, so DDL is atomic too."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def connect(engine: sa.Engine) -> sa.Connection:
    """A connection; an unreachable target is a user error that never shows the password."""
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        url = engine.url.render_as_string(hide_password=False)
        raise UserError(
            f"cannot connect to {safe_url(engine.url)}: {scrub(str(exc.orig), url)}"
        ) from None


SQLITE_HEADER = b"SQLite format 3\x00"
_FULL = re.compile(r"disk is full|No space left|DiskFull|could not extend file", re.I)


def _check_sqlite_file(database: str, *, create: bool) -> None:
    """A SQLite target must exist (unless ``create``) and be a SQLite database."""
    if database in ("", ":memory:"):
        return
    path = Path(database)
    if not path.is_file():
        if create and not path.exists():
            return
        raise UserError("database file not found (only `migrate run` creates one)", file=database)
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise UserError("not a database: not a SQLite file", file=database)


@contextmanager
def disk_full_as_error(engine: sa.Engine) -> Iterator[None]:
    """A full disk while writing the target is ``no space left writing TARGET`` (exit 2); a
    SQLite file that this write created is removed again, so a failed first run leaves none."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    created = bool(database) and database != ":memory:" and not Path(database or "").exists()
    try:
        yield
    except BaseException as exc:
        if created:
            engine.dispose()
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        if isinstance(exc, sa.exc.OperationalError) and _FULL.search(str(exc)):
            raise UserError(f"no space left writing {safe_url(engine.url)}") from None
        raise


def open_engine(target: str, *, create: bool = False) -> sa.Engine:
    """An engine for ``target``; a missing driver is a user error naming the safe URL. A
    SQLite file that does not exist is refused unless ``create`` (only a load creates one)."""
    url = target_url(target)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_file(url.database or "", create=create)
    try:
        engine = sa.create_engine(url)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise UserError(f"cannot open {safe_url(url)}: {exc}") from None
    if url.get_backend_name() == "sqlite":
        _sqlite_transactions(engine)
    return engine
