"""Large PostgreSQL runs: stage the golden records inside the target instead of in memory.

Above a row count (:data:`~crmclean.load.run.STAGE_ROWS` by default) the golden records the
target will hold after the run are copied into an unlogged table in the target's schema, named
after the run (``crmclean_stage_<run id>``). The gate runs there through GX's SQL datasource,
and the load copies the new golden records from it with ``INSERT ... SELECT`` inside the run's
transaction. The table is dropped whatever happens; one left behind by a killed process holds
no data the target needs and can be dropped by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from crmclean.load.schema import PENDING, RUN_ID
from crmclean.load.target import connect, open_engine, target_url
from crmclean.load.writer import insert_frame

PREFIX = "crmclean_stage_"


@dataclass(frozen=True)
class Stage:
    """A staging table and how to reach it (``url`` includes any password: never print it)."""

    url: str
    table: sa.Table

    @property
    def location(self) -> tuple[str, str]:
        """``(schema, table name)``."""
        return str(self.table.schema), self.table.name


def stages(target: str, rows: int, threshold: int) -> bool:
    """Whether a run leaving ``rows`` golden records in ``target`` gates a staging table:
    PostgreSQL targets above ``threshold`` rows (0: always)."""
    return target_url(target).get_backend_name() == "postgresql" and rows > threshold


def _stage_table(contacts: sa.Table, name: str, schema: str) -> sa.Table:
    """``contacts``'s columns with no key or constraint: bad rows must reach the gate, not
    fail the copy."""
    return sa.Table(
        name,
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in contacts.columns),
        schema=schema,
        prefixes=["UNLOGGED"],
    )


def _create(conn: sa.Connection, contacts: sa.Table, run_id: str, golden: pl.DataFrame) -> sa.Table:
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    table = _stage_table(contacts, PREFIX + run_id, schema)
    table.create(conn)
    insert_frame(conn, table, golden)
    return table


def open_stage(golden: pl.DataFrame, target: str, run_id: str, contacts: sa.Table) -> Stage:
    """``golden`` (rows shaped as ``contacts``) in a new staging table of ``target``, committed
    so the gate's own connections see it; :func:`drop_stage` drops it."""
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            table = _create(conn, contacts, run_id, golden)
        return Stage(engine.url.render_as_string(hide_password=False), table)
    finally:
        engine.dispose()


def drop_stage(stage: Stage | None) -> None:
    """Drop ``stage``'s table if it is still there (nothing without a stage)."""
    if stage is None:
        return
    engine = open_engine(stage.url)
    try:
        with connect(engine) as conn, conn.begin():
            stage.table.drop(conn, checkfirst=True)
    finally:
        engine.dispose()


@contextmanager
def staged(golden: pl.DataFrame, target: str, run_id: str, contacts: sa.Table) -> Iterator[Stage]:
    """:func:`open_stage`, dropped on leaving, whatever happened."""
    stage = open_stage(golden, target, run_id, contacts)
    try:
        yield stage
    finally:
        drop_stage(stage)


def insert_staged(conn: sa.Connection, contacts: sa.Table, stage: Stage, run_id: str) -> int:
    """Copy the staged golden records the run writes (those still without a run id) into
    ``contacts``, stamped with ``run_id``."""
    staged_rows = stage.table
    columns = [
        sa.literal(run_id, contacts.c[RUN_ID].type).label(RUN_ID)
        if c.name == RUN_ID
        else staged_rows.c[c.name]
        for c in contacts.columns
    ]
    rows = sa.select(*columns).where(staged_rows.c[RUN_ID] == PENDING)
    insert = contacts.insert().from_select([c.name for c in contacts.columns], rows)
    return conn.execute(insert.execution_options(preserve_rowcount=True)).rowcount
