"""Findings stored compactly (schema version 3), read through views as before.

A target holds millions of findings of a few dozen kinds: each row repeated its field, code,
rule and severity as text and its run's 32-character id. Now ``finding_rows`` holds the
record, a small number for the kind of finding (``finding_kinds``: field, code, rule,
severity) and the run's ``sequence``; the view ``findings`` joins them back into the columns
version 2 stored (``source, source_id, field, code, rule, severity, before, after, run_id``),
and ``findings_before`` does the same for the before-images (``finding_rows_before``). Reads
go through the views; the load, rollback and upgrade write the tables.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from crmclean.load.schema import (
    KIND,
    KIND_COLUMNS,
    LINEAGE_KEY,
    REPLACED_BY,
    RUN,
    RUN_ID,
    Tables,
)
from crmclean.load.writer import insert_frame

FINDINGS = "findings"
_VALUES = ("before", "after")


def compact_rows(conn: sa.Connection, tables: Tables, rows: pl.DataFrame) -> pl.DataFrame:
    """``findings`` rows as ``finding_rows`` rows (run left out): each kind numbered,
    kinds the target lacks added to ``finding_kinds`` first."""
    kinds = number_kinds(conn, tables, rows.select(KIND_COLUMNS).unique())
    numbered = rows.join(
        kinds, on=list(KIND_COLUMNS), how="left", nulls_equal=True, maintain_order="left"
    )
    return numbered.select(*LINEAGE_KEY, KIND, *_VALUES)


def number_kinds(conn: sa.Connection, tables: Tables, found: pl.DataFrame) -> pl.DataFrame:
    """Every kind of finding numbered: the target's, and those of ``found`` (distinct
    ``field, code, rule, severity``) it lacks, added to ``finding_kinds``."""
    kinds = known_kinds(conn, tables)
    new = found.join(kinds, on=list(KIND_COLUMNS), how="anti", nulls_equal=True)
    if not new.is_empty():
        start = kinds.height + 1  # numbered 1, 2, ... in the order first seen
        new = new.sort(KIND_COLUMNS, nulls_last=True).with_row_index(KIND, offset=start)
        new = new.with_columns(pl.col(KIND).cast(pl.Int64))
        insert_frame(conn, tables.kinds, new.select(KIND, *KIND_COLUMNS))
        kinds = pl.concat([kinds, new.select(kinds.columns)])
    return kinds


def known_kinds(conn: sa.Connection, tables: Tables) -> pl.DataFrame:
    """The target's ``finding_kinds``."""
    kinds = tables.kinds
    found = conn.execute(sa.select(kinds.c[KIND], *(kinds.c[c] for c in KIND_COLUMNS))).all()
    schema = {KIND: pl.Int64, **dict.fromkeys(KIND_COLUMNS, pl.String)}
    return pl.DataFrame(found, schema=schema, orient="row")


def run_rows(conn: sa.Connection, tables: Tables, name: str, run_id: str) -> sa.ColumnElement:
    """The condition naming the rows of data table ``name`` (as stored) that run wrote."""
    table = tables.stored[name]
    if RUN in table.c:
        runs = tables.runs
        number = sa.select(runs.c.sequence).where(runs.c.run_id == run_id).scalar_subquery()
        return table.c[RUN] == number
    return table.c[RUN_ID] == run_id


def run_stamp(tables: Tables, name: str, run_id: str, sequence: int) -> dict[str, str | int]:
    """What a load writes on every row of data table ``name`` (as stored) for its run."""
    return {RUN: sequence} if RUN in tables.stored[name].c else {RUN_ID: run_id}


def _view(conn: sa.Connection, tables: Tables, stored: sa.Table, before: bool) -> str:
    """The SELECT of the ``findings`` view (or ``findings_before``) over ``stored``: LEFT
    JOINs on unique keys, so the view has exactly the stored table's rows."""
    quote = conn.dialect.identifier_preparer.quote
    rows, kinds, runs = (quote(t.name) for t in (stored, tables.kinds, tables.runs))
    columns = [
        *(f"f.{quote(c)}" for c in LINEAGE_KEY),
        *(f"k.{quote(c)}" for c in KIND_COLUMNS),
        *(f"f.{quote(c)}" for c in _VALUES),
        f"r.{quote(RUN_ID)}",
        *([f"f.{quote(REPLACED_BY)}"] if before else []),
    ]
    return (
        f"SELECT {', '.join(columns)} FROM {rows} f LEFT JOIN {kinds} k ON k.{quote(KIND)} = "
        f"f.{quote(KIND)} LEFT JOIN {runs} r ON r.sequence = f.{quote(RUN)}"
    )


def create_views(conn: sa.Connection, tables: Tables) -> None:
    """The views ``findings`` and ``findings_before`` over the compact tables."""
    quote = conn.dialect.identifier_preparer.quote
    for name, stored, before in (
        (FINDINGS, tables.stored[FINDINGS], False),
        (tables.before[FINDINGS].name, tables.stored_before[FINDINGS], True),
    ):
        conn.exec_driver_sql(f"CREATE VIEW {quote(name)} AS {_view(conn, tables, stored, before)}")


def upgrade_findings(conn: sa.Connection, tables: Tables) -> None:
    """Version 2 -> 3: the ``findings`` and ``findings_before`` tables' rows moved into the
    compact tables, the old tables dropped and the views created in their place; every row
    reads the same through the views."""
    old, old_before = tables.data[FINDINGS], tables.before[FINDINGS]
    kinds = [sa.select(*(t.c[c] for c in KIND_COLUMNS)) for t in (old, old_before)]
    found = pl.DataFrame(
        conn.execute(sa.union(*kinds)).all(),
        schema=dict.fromkeys(KIND_COLUMNS, pl.String),
        orient="row",
    )
    number_kinds(conn, tables, found)
    for source, stored in (
        (old, tables.stored[FINDINGS]),
        (old_before, tables.stored_before[FINDINGS]),
    ):
        _move(conn, tables, source, stored)
    for table in (old_before, old):
        conn.exec_driver_sql(f"DROP TABLE {conn.dialect.identifier_preparer.format_table(table)}")
    create_views(conn, tables)


def _move(conn: sa.Connection, tables: Tables, source: sa.Table, stored: sa.Table) -> None:
    """Copy every row of the version-2 table ``source`` into ``stored``, compacted."""
    kinds, runs = tables.kinds, tables.runs
    same_kind = sa.and_(*(kinds.c[c].is_not_distinct_from(source.c[c]) for c in KIND_COLUMNS))
    extra = [REPLACED_BY] if REPLACED_BY in stored.c else []
    rows = sa.select(
        *(source.c[c] for c in LINEAGE_KEY),
        kinds.c[KIND],
        *(source.c[c] for c in _VALUES),
        runs.c.sequence,
        *(source.c[c] for c in extra),
    ).select_from(source.join(kinds, same_kind).outerjoin(runs, runs.c.run_id == source.c[RUN_ID]))
    columns = [*LINEAGE_KEY, KIND, *_VALUES, RUN, *extra]
    conn.execute(stored.insert().from_select(columns, rows))
    moved, count = (
        conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in (stored, source)
    )
    if moved != count:  # the stored table was created empty for this
        raise RuntimeError(f"upgrading {source.name}: {moved} of {count} rows moved")
