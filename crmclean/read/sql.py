"""Read a table or query from PostgreSQL, MySQL/MariaDB or SQLite, read-only and in batches.

Every connection is put in read-only mode before the query runs (``SET SESSION ... READ ONLY``
or ``PRAGMA query_only``), so a connector cannot write even with a user that could. Rows are
fetched from a server-side cursor ``batch_size`` at a time. Credentials come only from the URL
(or the environment variable holding it) and are masked in every message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from crmclean.errors import UserError
from crmclean.read.table import SourceTable, build, clean_headers
from crmclean.sql_guard import read_only_statement
from crmclean.urls import mask_url, parse_url, scrub

BATCH_SIZE = 10_000
READ_ONLY = {
    "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
    "mysql": "SET SESSION TRANSACTION READ ONLY",
    "mariadb": "SET SESSION TRANSACTION READ ONLY",
    "sqlite": "PRAGMA query_only = ON",
}
Progress = Callable[[int], None]


def query_rows(conn: sa.Connection, query: str) -> int | None:
    """``SELECT COUNT(*)`` over ``query``, on the connection that then reads it (a count apart
    from the rows the driver hands over, :mod:`crmclean.read.seen`); None when the query cannot
    be a subquery (MariaDB refuses one whose columns repeat a name)."""
    counted = sa.text(f"SELECT COUNT(*) FROM ({query}) AS crmclean_seen")
    try:
        with conn.begin_nested():
            return int(conn.execute(counted).scalar() or 0)
    except sa.exc.DBAPIError:
        return None


def mask(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    return mask_url(url)


def readonly_engine(url: str) -> sa.Engine:
    """An engine whose every connection is read-only before first use."""
    try:
        backend = parse_url(url).get_backend_name()
        statement = READ_ONLY.get(backend)
        if statement is None:
            known = "postgresql, mysql, mariadb, sqlite"
            raise UserError(f"unsupported database {backend!r} in {mask(url)} (known: {known})")
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise UserError(f"bad database URL {mask(url)}: {_clean(exc, url)}") from None
    except ImportError as exc:
        raise UserError(f"database driver missing for {mask(url)}: {exc.name}") from None

    @sa.event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()

    return engine


def table_query(table: str, url: str | None = None) -> str:
    """``SELECT *`` from a table name, schema-qualified or not, quoted by the rules of the
    ``url``'s dialect (MariaDB quotes ``Clientes2`` with backticks, PostgreSQL with ``"``)."""
    *schema, name = table.split(".")
    selectable = sa.table(name, schema=schema[0] if schema else None)
    return str(sa.select(sa.text("*")).select_from(selectable).compile(dialect=_dialect(url)))


def _dialect(url: str | None) -> sa.Dialect | None:
    """The dialect of ``url`` (None: SQLAlchemy's default, for an unknown or missing driver)."""
    try:
        return parse_url(url).get_dialect()() if url else None
    except (UserError, sa.exc.NoSuchModuleError, ImportError):
        return None


def read_sql(
    url: str,
    query: str,
    *,
    name: str,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> SourceTable:
    """The rows of ``query`` (one read-only statement) as a text table named ``name``."""
    query = read_only_statement(query)
    engine = readonly_engine(url)
    try:
        with _snapshot(engine.connect()) as conn, conn.begin():
            counted = query_rows(conn, query)
            frame, fetched = _fetch(conn, query, batch_size, progress)
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"reading {mask(url)} failed: {_clean(exc, url)}", file=name) from None
    finally:
        engine.dispose()
    seen = fetched if counted is None else counted  # else the rows the driver handed over
    return replace(build(Path(name), frame, frame.columns), seen=seen)


def _snapshot(conn: sa.Connection) -> sa.Connection:
    """``conn`` reading one snapshot (the count and the rows agree): REPEATABLE READ where the
    server offers it (SQLite: the two statements follow each other on one connection)."""
    if conn.dialect.name == "sqlite":
        return conn
    return conn.execution_options(isolation_level="REPEATABLE READ")


def count(url: str, query: str) -> int:
    """The single number a counting query (a spec's ``count_deleted``) returns, read-only."""
    query = read_only_statement(query, key="count_deleted")
    engine = readonly_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(query)).scalar() or 0)
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"counting in {mask(url)} failed: {_clean(exc, url)}") from None
    finally:
        engine.dispose()


def _fetch(
    conn: sa.Connection, query: str, size: int, progress: Progress | None
) -> tuple[pl.DataFrame, int]:
    """All rows, fetched ``size`` at a time from a server-side cursor, and how many."""
    streamed = conn.execution_options(stream_results=True, yield_per=size)
    result = streamed.execute(sa.text(query))
    columns = clean_headers(list(result.keys()))
    parts, total = [], 0
    for rows in result.partitions(size):
        parts.append(_frame(rows, columns))
        total += len(rows)
        if progress is not None:
            progress(total)
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), 0
    return pl.concat(parts, how="vertical_relaxed"), total


def _frame(rows: Any, columns: list[str]) -> pl.DataFrame:
    """One batch of rows; numbers and dates keep their types for ``build`` to render."""
    frame = pl.DataFrame(
        [tuple(row) for row in rows], schema=columns, orient="row", infer_schema_length=None
    )
    return frame.with_columns(
        pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t in (pl.Object, pl.Binary)
    )


def _clean(exc: Exception, url: str) -> str:
    """The first line of a driver error, with the URL's password removed if it appears."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return scrub(text, url)
