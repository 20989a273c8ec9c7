"""Open the load target: a SQLAlchemy URL, or a plain file path meaning SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crmclean.errors import UserError


def target_url(target: str) -> sa.URL:
    """The URL of ``target``; a path without ``://`` is a SQLite database file."""
    if "://" not in target:
        return sa.URL.create("sqlite", database=str(Path(target).expanduser().resolve()))
    try:
        return sa.make_url(target)
    except sa.exc.ArgumentError:
        raise UserError("invalid database URL (expected dialect://user@host/db)") from None


SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def is_target(data: str) -> bool:
    """Whether ``data`` names a database (a URL, or a SQLite file by its suffix)."""
    return "://" in data or Path(data).suffix.lower() in SQLITE_SUFFIXES


def safe_url(url: sa.URL) -> str:
    """The URL as text with any password masked, for messages."""
    return url.render_as_string(hide_password=True)


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
        raise UserError(f"cannot connect to {safe_url(engine.url)}: {exc.orig}") from None


def open_engine(target: str) -> sa.Engine:
    """An engine for ``target``; a missing driver is a user error naming the safe URL."""
    url = target_url(target)
    try:
        engine = sa.create_engine(url)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise UserError(f"cannot open {safe_url(url)}: {exc}") from None
    if url.get_backend_name() == "sqlite":
        _sqlite_transactions(engine)
    return engine
