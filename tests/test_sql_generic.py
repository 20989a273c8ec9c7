"""Generic SQL sources (a table or a query, auto-mapped) on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sql_support import drop_postgres_role, postgres_reader

from crmclean.errors import UserError
from crmclean.project import load_project
from crmclean.read.sql import read_sql, readonly_engine, table_query
from crmclean.sources import SourceSpec, read_all

ROWS = [
    {"codigo": i, "nome": f"Pessoa {i}", "email": f"p{i}@ex.com.br", "criado_em": None}
    for i in range(1, 251)
]


def _fill(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE clientes (codigo integer PRIMARY KEY, nome varchar(80), "
            "email varchar(120), criado_em timestamp NULL)"
        )
        conn.execute(
            sa.text("INSERT INTO clientes VALUES (:codigo, :nome, :email, :criado_em)"), ROWS
        )
        conn.exec_driver_sql(
            "UPDATE clientes SET criado_em = '2024-01-02 03:04:05' WHERE codigo = 7"
        )
    engine.dispose()


@pytest.fixture()
def postgres_reader_url(postgres_url: str) -> Iterator[str]:
    _fill(postgres_url)
    reader, role = postgres_reader(postgres_url)
    yield reader
    drop_postgres_role(postgres_url, role)


def test_postgres_table_read_in_batches_by_a_select_only_role(postgres_reader_url, rules):
    seen: list[int] = []
    table = read_sql(
        postgres_reader_url,
        table_query("clientes"),
        name="pg",
        batch_size=100,
        progress=seen.append,
    )
    assert seen == [100, 200, 250] and table.frame.height == 250
    batch = read_all([SourceSpec(url=postgres_reader_url, table="clientes", name="pg")], rules)
    seventh = batch.frame.filter(batch.frame["_source_id"] == "7").row(0, named=True)
    assert (seventh["full_name"], seventh["email"]) == ("Pessoa 7", "p7@ex.com.br")
    assert seventh["created_at"] == "2024-01-02T03:04:05"


def test_session_is_read_only_even_for_a_superuser(postgres_url, mariadb_url, tmp_path: Path):
    _fill(postgres_url)
    _fill(mariadb_url)
    sqlite_url = f"sqlite:///{tmp_path / 'crm.db'}"
    _fill(sqlite_url)
    for url in (postgres_url, mariadb_url, sqlite_url):
        engine = readonly_engine(url)
        with (
            pytest.raises(sa.exc.DBAPIError, match=r"(?i)read.only|readonly"),
            engine.connect() as conn,
        ):
            conn.exec_driver_sql("DELETE FROM clientes")
        engine.dispose()
        assert read_sql(url, table_query("clientes"), name="x").frame.height == 250


def test_query_source_from_a_project_with_url_env(mariadb_url, tmp_path: Path, monkeypatch):
    _fill(mariadb_url)
    monkeypatch.setenv("CRM_DB", mariadb_url)
    project = tmp_path / "crmclean.yml"
    project.write_text(
        "sources:\n  - url_env: CRM_DB\n    name: legado\n"
        "    query: SELECT codigo AS id, nome, email FROM clientes WHERE codigo <= 10\n",
        encoding="utf-8",
    )
    loaded = load_project(project)
    assert "CRM_DB" in repr(loaded.sources[0]) and mariadb_url not in repr(loaded.sources[0])
    batch = read_all(loaded.sources, loaded.rules)
    assert batch.frame.height == 10 and batch.frame["record_id"].to_list()[:2] == ["1", "2"]


def test_errors_mask_the_password_and_name_the_problem(rules, monkeypatch):
    url = "postgresql+psycopg://crm:s3cret@127.0.0.1:5432/test"
    with pytest.raises(UserError) as failed:
        read_all([SourceSpec(url=url, table="nope")], rules)
    assert "s3cret" not in str(failed.value) and "crm:***@" in str(failed.value)
    monkeypatch.delenv("NOT_SET_URL", raising=False)
    with pytest.raises(UserError, match="NOT_SET_URL is not set"):
        read_all([SourceSpec(url_env="NOT_SET_URL", table="clientes")], rules)
    with pytest.raises(UserError, match=r"unsupported database 'oracle' in oracle://u:\*\*\*@h/x"):
        read_all([SourceSpec(url="oracle://u:pw@h/x", table="t")], rules)
    with pytest.raises(UserError, match=r"database driver missing for .*: MySQLdb"):
        read_all([SourceSpec(url="mysql+mysqldb://u:pw@h/x", table="t")], rules)
    with pytest.raises(UserError, match="'hubspot_contacts' reads files"):
        read_all([SourceSpec(url="sqlite://", connector="hubspot_contacts")], rules)
