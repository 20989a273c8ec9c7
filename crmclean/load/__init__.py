"""The load stage: write one batch into the target database in a single transaction."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.errors import UserError
from crmclean.load.frames import table_frame
from crmclean.load.run import LoadResult, RunInfo, finish_run, start_run
from crmclean.load.schema import Tables, build_tables, db_name, ensure_schema
from crmclean.load.target import open_engine, safe_url
from crmclean.load.writer import delete_matching, delete_orphans, insert_frame
from crmclean.rules import Rules

__all__ = ["LoadResult", "RunInfo", "load"]

LINEAGE_KEY = [db_name(SOURCE), db_name(SOURCE_ID)]
RECORD_TABLES = ("contact_sources", "rejects")  # together: every input record, once


def load(batch: Batch, target: str, *, run: RunInfo, rules: Rules | None = None) -> LoadResult:
    """Write ``batch`` into ``target`` (a SQLAlchemy URL, or a file path meaning SQLite).

    Everything happens in one transaction: on any error the target is left as it was. A golden
    record replaces the row with its ``golden_id``; a source record's crosswalk row, rejects and
    findings replace its earlier ones; golden records no source record points to are removed.
    """
    tables = build_tables((rules or Rules()).model.names)
    frames = _table_frames(batch, tables, run.run_id)
    engine = open_engine(target)
    try:
        with _connect(engine) as conn, conn.begin():
            ensure_schema(conn, tables)
            counts = _write(conn, tables, frames, run)
    finally:
        engine.dispose()
    return LoadResult(run.run_id, counts)


def _connect(engine: sa.Engine) -> sa.Connection:
    """A connection; an unreachable target is a user error that never shows the password."""
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        raise UserError(f"cannot connect to {safe_url(engine.url)}: {exc.orig}") from None


def _table_frames(batch: Batch, tables: Tables, run_id: str) -> dict[str, pl.DataFrame]:
    """Each table's rows, shaped from the batch before the database is touched."""
    if batch.golden is None:
        raise ValueError("load needs batch.golden: run dedupe first")
    sources = {
        "contacts": batch.golden,
        "contact_sources": batch.frame,
        "rejects": batch.rejects,
        "findings": batch.findings,
    }
    return {name: table_frame(df, getattr(tables, name), run_id) for name, df in sources.items()}


def _write(
    conn: sa.Connection, tables: Tables, frames: dict[str, pl.DataFrame], run: RunInfo
) -> dict[str, int]:
    """Record the run, replace earlier rows of the same records, insert, tidy up."""
    start_run(conn, tables.runs, run)
    _delete_previous(conn, tables, frames)
    counts = {name: insert_frame(conn, getattr(tables, name), df) for name, df in frames.items()}
    delete_orphans(conn, tables.contacts, tables.contact_sources)
    finish_run(conn, tables.runs, run.run_id, counts)
    return counts


def _delete_previous(conn: sa.Connection, tables: Tables, frames: dict[str, pl.DataFrame]) -> None:
    """Delete earlier rows of the golden records and source records this batch writes."""
    delete_matching(conn, [tables.contacts], frames["contacts"].select(GOLDEN_ID))
    records = pl.concat([frames[name].select(LINEAGE_KEY) for name in RECORD_TABLES])
    delete_matching(conn, [tables.contact_sources, tables.rejects, tables.findings], records)
