"""Findings stored compactly (schema version 3): the views read as version 2's tables did, a
version-2 target is upgraded in place with every row reading the same, and rollback, reruns
and the kinds table keep working on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import sqlalchemy as sa
from test_load import changed_batch, count, make_batch, read, run_load, snapshot, target

from crmclean.load.rollback import rollback
from crmclean.load.schema import build_tables
from crmclean.load.target import target_url
from crmclean.load.upgrade import ensure_schema
from crmclean.rules import Rules

__all__ = ["target"]  # the fixture: a fresh SQLite file, or a PostgreSQL schema
VIEWS = ("findings", "findings_before")
COLUMNS = "source, source_id, field, code, rule, severity, before, after, run_id"


def _loaded_twice(target: str, rules: Rules) -> tuple[str, str]:
    """Two runs into ``target``: the second replaces findings (before-images written)."""
    first = run_load(make_batch(rules), target, rules)
    batch = changed_batch(rules)
    fixed = batch.findings.with_columns(after=pl.lit("ze@gmail.com"))
    second = run_load(replace(batch, findings=fixed), target, rules)
    return str(first.run_id), str(second.run_id)


def _as_version_2(target: str, rules: Rules) -> None:
    """Turn a version-3 target into the version-2 layout holding the same rows: the findings
    tables as they were (text rows, their index), the compact tables and views gone."""
    tables = build_tables(rules.model.names)
    engine = sa.create_engine(target_url(target))
    with engine.begin() as conn:
        rows = {name: conn.execute(sa.text(f"select * from {name}")).mappings().all()
                for name in VIEWS}  # fmt: skip
        for name in VIEWS:
            conn.exec_driver_sql(f"DROP VIEW {name}")
        for table in ("finding_rows_before", "finding_rows", "finding_kinds"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        for table in (tables.data["findings"], tables.before["findings"]):
            table.create(conn)
            if rows[table.name]:
                conn.execute(table.insert(), [dict(row) for row in rows[table.name]])
        conn.exec_driver_sql("UPDATE schema_version SET version = 2")
    engine.dispose()


def test_findings_read_through_the_views(target: str, rules: Rules) -> None:
    first, second = _loaded_twice(target, rules)
    found = read(target, f"select {COLUMNS} from findings")
    assert found == [
        ("crm", "1", "email", "EM02", "email.typo_domain", "info", "ze@gmial.com",
         "ze@gmail.com", second)
    ] * 2  # fmt: skip
    before = read(target, f"select {COLUMNS}, replaced_by from findings_before")
    assert before == [
        ("crm", "1", "email", "EM02", "email.typo_domain", "info", "ze@gmial.com", None, first,
         second)
    ] * 2  # fmt: skip
    assert read(target, "select kind, field, code, rule, severity from finding_kinds") == [
        (1, "email", "EM02", "email.typo_domain", "info")
    ]
    assert read(target, "select distinct run from finding_rows") == [(2,)]


def test_a_version_2_target_is_upgraded_and_reads_the_same(target: str, rules: Rules) -> None:
    first, second = _loaded_twice(target, rules)
    _as_version_2(target, rules)
    version_2 = snapshot(target)
    version_2.pop("schema_version")
    assert "findings" in version_2 and "finding_rows" not in version_2
    engine = sa.create_engine(target_url(target))
    with engine.begin() as conn:
        ensure_schema(conn, build_tables(rules.model.names))
    engine.dispose()
    assert read(target, "select version from schema_version") == [(3,)]
    upgraded, views = snapshot(target), snapshot(target, VIEWS)
    assert {**{n: upgraded[n] for n in version_2 if n not in VIEWS}, **views} == version_2
    assert count(target, "finding_rows") == 2 and count(target, "finding_rows_before") == 2
    assert rollback(target, second, rules=rules) == [second]
    assert read(target, "select run_id, count(*) from findings group by run_id") == [(first, 2)]
    assert count(target, "findings_before") == 0


def test_rollback_of_a_first_run_empties_the_compact_tables(target: str, rules: Rules) -> None:
    first = run_load(make_batch(rules), target, rules)
    rollback(target, str(first.run_id), rules=rules)
    assert count(target, "finding_rows") == 0 and count(target, "findings") == 0
    assert count(target, "finding_kinds") == 1  # kinds stay numbered for later runs


def test_a_run_planned_on_a_version_2_target_upgrades_it(target: str, rules: Rules) -> None:
    """The plan reads the version-2 tables; the load upgrades them, then replaces the rows
    the plan named."""
    first, second = _loaded_twice(target, rules)
    _as_version_2(target, rules)
    third = str(run_load(make_batch(rules), target, rules).run_id)
    assert read(target, "select after, run_id from findings") == [(None, third)] * 2
    replaced = "select after, run_id, replaced_by from findings_before order by replaced_by"
    assert sorted(read(target, replaced), key=lambda r: r[2] == third) == [
        (None, first, second), (None, first, second),
        ("ze@gmail.com", second, third), ("ze@gmail.com", second, third),
    ]  # fmt: skip
    assert rollback(target, third, rules=rules) == [third]
    assert read(target, "select after, run_id from findings") == [("ze@gmail.com", second)] * 2
