"""Read the target's rows into polars frames, in bulk and with bounded memory.

PostgreSQL (psycopg) rows come through ``COPY (query) TO STDOUT`` as CSV that polars parses;
a whole table of a SQLite file as Arrow through ADBC's SQLite driver (C, no Python object per
cell: several times faster than Python's driver on a million rows); other reads in batches of
rows (a whole result as Python tuples first would take several times the frame's memory).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
import sqlalchemy as sa

from crmclean.load.writer import CHUNK, matching, stage_keys


def frame_schema(table: sa.Table) -> dict[str, pl.DataType]:
    """The polars type of each column of ``table`` when read back."""
    return {
        c.name: pl.Int64() if isinstance(c.type, sa.Integer) else pl.String() for c in table.columns
    }


def read_query(
    conn: sa.Connection, query: sa.Select, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """The rows of ``query`` (its columns named and typed as ``schema``, in order)."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        return _copy_out(conn, query, schema)
    batches = pl.read_database(
        query, conn, iter_batches=True, batch_size=CHUNK, schema_overrides=schema
    )
    return pl.concat([pl.DataFrame(schema=schema), *batches])


def _copy_out(
    conn: sa.Connection, query: sa.Select, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """``COPY (query) TO STDOUT`` as CSV: strings quoted, nulls bare, so polars tells them
    apart as ``copy_frame`` wrote them."""
    sql = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    buffer = io.BytesIO()
    driver_error = conn.dialect.loaded_dbapi.Error
    try:
        driver: Any = conn.connection.driver_connection  # psycopg's connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for block in copy:
                buffer.write(block)
    except driver_error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, driver_error) from exc
    if not buffer.tell():
        return pl.DataFrame(schema=schema)
    return pl.read_csv(buffer.getvalue(), has_header=False, schema=schema)


# ADBC's SQLite driver infers each column's type from the rows of a result's first batch: one
# batch for the whole result, so a column empty in its first rows is not taken for integers.
_BATCH_ROWS = {"adbc.sqlite.query.batch_rows": str(2**30)}


def _sqlite_file(conn: sa.Connection) -> str | None:
    """The file of a SQLite connection (None for other databases and in-memory ones)."""
    database = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    return database if database and Path(database).is_file() else None


def _read_arrow(path: str, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of ``sql`` from the SQLite file at ``path``, read-only through ADBC: what is
    committed there, which is what the caller's transaction sees as long as it wrote nothing
    (its ``BEGIN IMMEDIATE`` keeps other writers out, not readers)."""
    from adbc_driver_sqlite import dbapi

    with dbapi.connect(f"file:{quote(path)}?mode=ro") as side, side.cursor() as cursor:
        cursor.adbc_statement.set_options(**_BATCH_ROWS)
        cursor.execute(sql)
        found = pl.from_arrow(cursor.fetch_arrow_table())
    assert isinstance(found, pl.DataFrame)
    return found.cast(schema)  # type: ignore[arg-type]


def read_committed(
    conn: sa.Connection, query: sa.Select, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """:func:`read_query` as committed: through ADBC on a SQLite file (:func:`_read_arrow`),
    so only before the caller's transaction writes."""
    path = _sqlite_file(conn)
    if path is None:
        return read_query(conn, query, schema)
    sql = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    return _read_arrow(path, str(sql), schema)


def read_rows(
    conn: sa.Connection, table: sa.Table, present: set[str], keys: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The rows of ``table`` (only those whose key columns equal a row of ``keys``, if given),
    every column as text (integers as ``Int64``). Columns not ``present`` in the database yet
    (an older schema) read as null. A whole table of a SQLite file is read as committed
    (:func:`_read_arrow`): call this before writing in the transaction."""
    schema = frame_schema(table)
    if keys is not None and keys.is_empty():
        return pl.DataFrame(schema=schema)
    columns = [c for c in table.columns if c.name in present]
    query = sa.select(*columns)
    typed = {c.name: schema[c.name] for c in columns}
    path = _sqlite_file(conn) if keys is None else None
    if keys is not None:
        query = query.where(matching(table, stage_keys(conn, keys)))
    if path:
        found = _read_arrow(path, str(query.compile(dialect=conn.dialect)), typed)
    else:
        found = read_query(conn, query, typed)
    missing = [pl.lit(None, schema[name]).alias(name) for name in schema if name not in present]
    return found.with_columns(missing).select(list(schema))
