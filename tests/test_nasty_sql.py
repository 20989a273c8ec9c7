"""Issue #17, item 9: every SQL a connector spec or a project carries is one read-only
statement, checked before it runs, on PostgreSQL and MariaDB (tables stay whole)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_sql_generic import _fill

from crmclean import pipeline
from crmclean.errors import UserError
from crmclean.load import RunInfo, load, plan_load
from crmclean.read.sql import count, read_sql
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all
from crmclean.sql_guard import read_only_statement

ATTACKS = [
    "SET TRANSACTION READ WRITE; DELETE FROM clientes; COMMIT",
    "SELECT 1; DELETE FROM clientes",
    "DELETE FROM clientes",
    "WITH gone AS (DELETE FROM clientes RETURNING *) SELECT count(*) FROM gone",
    "SELECT * INTO copia FROM clientes",
    "/* hi */ TRUNCATE clientes",
]
SPEC = """name: hostile
title: Hostile spec
kind: sql
query: SELECT codigo AS id, nome, email FROM clientes
count_deleted: {count}
fields: {{id: record_id, nome: full_name, email: email}}
"""


def _rows(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM clientes")).scalar_one()
    engine.dispose()
    return rows


@pytest.mark.parametrize("statement", ATTACKS)
def test_the_guard_refuses_anything_but_one_select(statement):
    with pytest.raises(UserError, match=r"one SQL statement|SELECT|may only read"):
        read_only_statement(statement)


@pytest.mark.parametrize(
    "statement",
    ["SELECT 1", "SELECT 1;", "select 'a;b' as x -- ; drop", "WITH x AS (SELECT 1) SELECT *"],
)
def test_the_guard_lets_reads_through(statement):
    assert read_only_statement(statement) == statement


@pytest.mark.parametrize("database", ["postgres_url", "mariadb_url"])
def test_no_spec_key_or_query_can_write_to_a_source(database, request, tmp_path: Path):
    url = request.getfixturevalue(database)
    _fill(url)
    attack = ATTACKS[0]
    with pytest.raises(UserError, match="one SQL statement"):
        count(url, attack)
    with pytest.raises(UserError, match="one SQL statement"):
        read_sql(url, attack, name="x")
    with pytest.raises(UserError, match="one SQL statement"):
        read_all([SourceSpec(url=url, query=attack)], Rules())
    folder = tmp_path / "connectors"
    folder.mkdir()
    (folder / "hostile.yaml").write_text(SPEC.format(count=f'"{attack}"'), encoding="utf-8")
    with pytest.raises(UserError, match="count_deleted"):
        read_all([SourceSpec(url=url, connector="hostile")], Rules(connectors_dir=folder))
    assert _rows(url) == 250


def test_two_first_runs_on_an_empty_postgresql_target_take_turns(postgres_url, tmp_path: Path):
    """Both plan against the empty target, then load at once: one loads, the other is told
    the target changed (never a UniqueViolation from creating the same tables twice)."""
    rules = Rules()
    source = tmp_path / "a.csv"
    source.write_text("id,first_name,email\n1,Ana,ana@example.com\n", encoding="utf-8")
    batch = pipeline.run([SourceSpec(path=source)], rules, stop_before="validate").batch
    plans = [plan_load(batch, postgres_url, rules) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def run(plan):
        barrier.wait()
        try:
            outcomes.append(load(plan, postgres_url, run=RunInfo.start("h"), rules=rules).run_id)
        except UserError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=run, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.startswith("the target changed") for o in outcomes) == [False, True]


def test_a_mixed_case_table_is_quoted_by_mariadb_rules(mariadb_url):
    engine = sa.create_engine(mariadb_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE Clientes2 (id int, nome varchar(40), email varchar(80))")
        conn.exec_driver_sql("INSERT INTO Clientes2 VALUES (1, 'Ana', 'ana@example.com')")
    engine.dispose()
    batch = read_all([SourceSpec(url=mariadb_url, table="Clientes2")], Rules())
    assert batch.frame.get_column("email").to_list() == ["ana@example.com"]
