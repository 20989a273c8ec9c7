"""Write and replace rows in bulk, inside the caller's transaction."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import polars as pl
import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

from crmclean.load.schema import KEY, REPLACED_BY
from crmclean.load.sqlite_bulk import SideFiles, insert_through

CHUNK = 10_000
_staged_names = itertools.count()


def execute_many(conn: sa.Connection, statement: sa.ClauseElement, frame: pl.DataFrame) -> int:
    """Run ``statement`` once per row of ``frame`` through the driver's ``executemany``.

    Binding by column name (an insert names only the columns of ``frame``), in chunks; this
    skips SQLAlchemy's per-row parameter processing, which costs more than the database itself
    on large loads.
    """
    compiled = cast(SQLCompiler, statement.compile(dialect=conn.dialect, column_keys=frame.columns))
    names = list(compiled.positiontup or []) if compiled.positional else None
    for chunk in frame.iter_slices(CHUNK):
        params = chunk.select(names).rows() if names else chunk.to_dicts()
        conn.exec_driver_sql(str(compiled), params)
    return frame.height


def insert_frame(
    conn: sa.Connection,
    table: sa.Table,
    frame: pl.DataFrame,
    side: SideFiles | None = None,
    same: Mapping[str, str | int] | None = None,
) -> int:
    """Insert every row of ``frame`` (already shaped as ``table``) with the columns of
    ``same`` (one value for every row, such as the run id); large SQLite inserts go
    through ``side`` files when given (:mod:`crmclean.load.sqlite_bulk`), which take ``same``
    as parameters of the copy rather than as a column of the file."""
    if frame.is_empty():
        return 0
    same = same or {}
    frame = sent_columns(frame)
    if side is not None and side.takes(frame, table.name):
        return insert_through(conn, table, frame, side, same)
    frame = frame.with_columns(pl.lit(value).alias(name) for name, value in same.items())
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        return copy_frame(conn, table, frame)
    return execute_many(conn, table.insert(), frame)


def sent_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` less its columns that are null on every row (the database fills those in):
    most of a wide model's fields are empty in a given export, and every cell sent costs."""
    kept = [name for name in frame.columns if frame[name].null_count() < frame.height]
    return frame.select(kept or frame.columns[:1])


@contextmanager
def indexes_rebuilt(conn: sa.Connection, table: sa.Table, adding: int) -> Iterator[None]:
    """On SQLite, when ``adding`` rows at least double ``table``, drop its secondary indexes
    for the insert and build them again after: one sorted build instead of a random B-tree
    insert per row (a first load of millions of findings). Inside the caller's transaction,
    so a failure leaves them as they were."""
    if conn.dialect.name != "sqlite" or not table.indexes or adding == 0:
        yield
        return
    existing = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    if adding < existing:
        yield
        return
    present = {found["name"] for found in sa.inspect(conn).get_indexes(table.name)}
    dropped = [index for index in table.indexes if index.name in present]
    for index in dropped:
        index.drop(conn)
    yield
    for index in dropped:
        index.create(conn)


def copy_frame(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """PostgreSQL ``COPY`` fed with CSV that polars writes: many times faster than INSERT."""
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in frame.columns)
    sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN (FORMAT csv)"
    driver_error = conn.dialect.loaded_dbapi.Error
    driver: Any = conn.connection.driver_connection  # a psycopg connection while conn is open
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for chunk in frame.iter_slices(CHUNK):
                # Strings quoted, nulls bare: COPY then tells null from the empty string.
                copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric"))
    except driver_error as exc:  # raise what SQLAlchemy raises for the same error on INSERT
        raise sa.exc.DBAPIError.instance(sql, None, exc, driver_error) from exc
    return frame.height


def stage_keys(conn: sa.Connection, keys: pl.DataFrame, side: SideFiles | None = None) -> sa.Table:
    """The distinct ``keys`` in a temporary table (dropped at commit, or with the connection),
    through ``side`` files when given."""
    staged = sa.Table(
        f"crmclean_keys_{next(_staged_names)}",
        sa.MetaData(),
        *(sa.Column(name, KEY, primary_key=True) for name in keys.columns),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    staged.create(conn)
    insert_frame(conn, staged, keys.unique(), side)
    return staged


def matching(table: sa.Table, staged: sa.Table) -> sa.ColumnElement[bool]:
    """Rows of ``table`` whose key columns equal a row of ``staged``."""
    target = sa.tuple_(*(table.c[column.name] for column in staged.columns))
    return target.in_(sa.select(*staged.c))


def save_and_delete(
    conn: sa.Connection, table: sa.Table, before: sa.Table, keys: pl.DataFrame, run_id: str
) -> None:
    """Copy the rows of ``table`` matching ``keys`` into ``before`` (tagged with ``run_id``),
    then delete them."""
    if keys.is_empty():
        return
    found = matching(table, stage_keys(conn, keys))
    tag = sa.literal(run_id, type_=before.c[REPLACED_BY].type).label(REPLACED_BY)
    images = sa.select(*table.c, tag).where(found)
    columns = [c.name for c in table.columns] + [REPLACED_BY]
    conn.execute(before.insert().from_select(columns, images))
    conn.execute(table.delete().where(found))
