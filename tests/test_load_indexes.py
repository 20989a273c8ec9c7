"""SQLite loads that at least double a table build its secondary indexes once after the
insert; the target keeps every index, and a failed insert leaves them as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from crmclean.load.schema import build_tables
from crmclean.load.target import open_engine
from crmclean.load.writer import indexes_rebuilt, insert_frame
from crmclean.rules import Rules
from tests.test_load import changed_batch, make_batch, run_load


def indexes(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        query = "select tbl_name, sql from sqlite_master where type = 'index' and sql is not null"
        return sorted(conn.execute(query).fetchall())


def test_first_and_later_loads_keep_every_index(tmp_path: Path, rules: Rules) -> None:
    target = tmp_path / "crm.db"
    run_load(make_batch(rules), str(target), rules)
    first = indexes(target)
    declared = {i.name for t in build_tables(rules.model.names).stored.values() for i in t.indexes}
    assert {sql.split()[2] for _, sql in first} >= declared
    run_load(changed_batch(rules), str(target), rules)
    assert indexes(target) == first


def test_a_failed_insert_leaves_the_indexes(tmp_path: Path, rules: Rules) -> None:
    target = tmp_path / "crm.db"
    run_load(make_batch(rules), str(target), rules)
    before = indexes(target)
    sources = build_tables(rules.model.names).data["contact_sources"]
    with sqlite3.connect(target) as conn:
        rows = pl.read_database("select * from contact_sources", conn)
    engine = open_engine(str(target))
    with (
        pytest.raises(sa.exc.IntegrityError),
        engine.connect() as conn,
        conn.begin(),
        indexes_rebuilt(conn, sources, 2 * rows.height),
    ):
        insert_frame(conn, sources, pl.concat([rows, rows]))
    engine.dispose()
    assert indexes(target) == before
