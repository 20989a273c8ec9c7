"""Reading the target's tables back: a whole SQLite table comes through ADBC's Arrow reader
typed as the table is (text stays text, integers ``Int64``, a column empty in its first rows
is still text), equal to what the row-by-row reader gives; keyed reads go row by row."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from crmclean.load.reading import read_query, read_rows
from crmclean.load.target import connect, open_engine

ROWS = 3000  # more than one batch of the row-by-row reader


def _table() -> sa.Table:
    return sa.Table(
        "people",
        sa.MetaData(),
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("zip", sa.Text),
        sa.Column("late", sa.Text),
        sa.Column("count", sa.Integer),
    )


def _target(tmp_path: Path) -> tuple[sa.Engine, sa.Table]:
    engine, table = open_engine(str(tmp_path / "crm.db"), create=True), _table()
    rows = [
        {"id": f"{i:05d}", "zip": "01310", "late": None if i < 2500 else "x", "count": i}
        for i in range(ROWS)
    ]
    with connect(engine) as conn, conn.begin():
        table.create(conn)
        conn.execute(table.insert(), rows)
    return engine, table


def test_a_whole_sqlite_table_reads_as_the_row_reader_does(tmp_path: Path) -> None:
    engine, table = _target(tmp_path)
    present = {c.name for c in table.columns}
    with connect(engine) as conn, conn.begin():
        arrow = read_rows(conn, table, present)
        schema = {"id": pl.String(), "zip": pl.String(), "late": pl.String(), "count": pl.Int64()}
        rows = read_query(conn, sa.select(*table.c), schema)  # type: ignore[arg-type]
        keyed = read_rows(conn, table, present, pl.DataFrame({"id": ["02999", "00000"]}))
    engine.dispose()
    assert arrow.schema == rows.schema == pl.Schema(schema)
    assert arrow.sort("id").equals(rows.sort("id"))
    assert arrow.filter(pl.col("late").is_not_null()).height == ROWS - 2500
    assert arrow["zip"].unique().to_list() == ["01310"]
    assert sorted(keyed["id"].to_list()) == ["00000", "02999"]


def test_an_empty_sqlite_table_reads_typed(tmp_path: Path) -> None:
    engine, table = _target(tmp_path)
    with connect(engine) as conn, conn.begin():
        conn.execute(table.delete())
    with connect(engine) as conn, conn.begin():
        found = read_rows(conn, table, {c.name for c in table.columns})
    engine.dispose()
    assert (
        found.is_empty() and found.schema["count"] == pl.Int64 and found.schema["zip"] == pl.String
    )
