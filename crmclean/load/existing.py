"""What the target already holds, read as polars frames for planning a run."""

from __future__ import annotations

import hashlib

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID, RAW, SOURCE, SOURCE_ID
from crmclean.errors import UserError
from crmclean.load.schema import LIST_COLUMNS, RUN_ID, Tables, build_tables, db_name
from crmclean.load.target import connect, open_engine, safe_url
from crmclean.load.writer import frame_schema, read_rows
from crmclean.rules import Rules

_LIST = pl.List(pl.String)


def has_tables(conn: sa.Connection, tables: Tables) -> bool:
    """Whether crmclean has written to this target before."""
    return sa.inspect(conn).has_table(tables.runs.name)


def target_state(conn: sa.Connection, tables: Tables) -> str:
    """A token that changes whenever a run is loaded or rolled back (empty for a new target)."""
    if not has_tables(conn, tables):
        return ""
    runs = tables.runs
    order = (runs.c.started_at, runs.c.run_id)  # version-1 targets have no run numbers
    rows = conn.execute(sa.select(runs.c.run_id, runs.c.status).order_by(*order)).all()
    if not rows:
        return ""
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


def present_columns(conn: sa.Connection, tables: Tables) -> dict[str, set[str]]:
    """The columns each data table has in the target (none for a table it lacks)."""
    inspector = sa.inspect(conn)
    return {
        name: {c["name"] for c in inspector.get_columns(name)}
        if inspector.has_table(name)
        else set()
        for name in tables.data
    }


def as_records(rows: pl.DataFrame) -> pl.DataFrame:
    """Crosswalk or contacts rows in the pipeline's frame shape: lineage columns renamed back,
    JSON arrays decoded to lists, the run id dropped."""
    renames = {db_name(c): c for c in (SOURCE, SOURCE_ID, RAW) if db_name(c) in rows.columns}
    decoded = [pl.col(c).str.json_decode(_LIST) for c in LIST_COLUMNS if c in rows.columns]
    return rows.drop(RUN_ID).rename(renames).with_columns(decoded)


def golden_nodes(contacts: pl.DataFrame) -> pl.DataFrame:
    """Existing golden records as records to match against (``_source`` empty)."""
    records = as_records(contacts)
    return records.with_columns(
        pl.lit("", pl.String).alias(SOURCE), pl.col(GOLDEN_ID).alias(SOURCE_ID)
    )


def read_golden(target: str, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The target's golden records and their lineage (``golden_id, _source, _source_id``)."""
    tables = build_tables(rules.model.names)
    engine = open_engine(target)
    try:
        with connect(engine) as conn:
            if not has_tables(conn, tables):
                raise UserError(f"{safe_url(engine.url)} holds no crmclean tables")
            contacts = read_rows(conn, tables.contacts, present_columns(conn, tables)["contacts"])
            sources = tables.contact_sources
            query = sa.select(sources.c.golden_id, sources.c.source, sources.c.source_id)
            lineage = pl.read_database(query, conn, schema_overrides=frame_schema(sources))
    finally:
        engine.dispose()
    return contacts, lineage.rename({db_name(SOURCE): SOURCE, db_name(SOURCE_ID): SOURCE_ID})
