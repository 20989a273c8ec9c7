"""SuiteCRM connector on the real MariaDB server, read as a SELECT-only user."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sql_support import crm_database

from crmclean.sources import SourceSpec, read_all


@pytest.fixture()
def suitecrm_url(mariadb_url: str) -> Iterator[str]:
    with crm_database(mariadb_url, "suitecrm.sql") as reader:
        yield reader


def test_reads_exactly_the_live_contacts(suitecrm_url, rules):
    batch = read_all([SourceSpec(url=suitecrm_url, connector="suitecrm")], rules)
    rows = {r["_source_id"]: r for r in batch.frame.iter_rows(named=True)}
    assert sorted(rows) == ["c-1", "c-2", "c-4", "c-5"]
    assert batch.stats["read:suitecrm"] == {
        "rows": 4,
        "blank_rows": 0,
        "deleted_rows": 1,
        "seen": 4,
    }
    joao = rows["c-1"]
    assert joao["email"] == "joao.silva@acme.com.br; joao@gmail.com"
    assert (joao["company"], joao["owner"]) == ("ACME Comércio Ltda", "Marina Ferreira")
    assert (joao["mobile"], joao["phone"]) == ("(11) 98765-4321", "11 3456-7890")
    extra = json.loads(joao["extra"])
    assert extra["cpf_c"] == "123.456.789-09" and extra["invalid_emails"] == "joao.old@acme.com"
    assert joao["created_at"] == "2019-03-04T10:15:00"


def test_flags_on_emails_links_and_accounts(suitecrm_url, rules):
    batch = read_all([SourceSpec(url=suitecrm_url, connector="suitecrm", name="crm")], rules)
    rows = {r["_source_id"]: r for r in batch.frame.iter_rows(named=True)}
    ana, souza, lucia = rows["c-2"], rows["c-4"], rows["c-5"]
    assert (ana["email"], ana["email_opt_out"], ana["company"]) == (
        "ana.pereira@hotmail.com",
        "1",
        None,
    )
    assert ana["owner"] == "Administrator" and ana["phone"] == "21 2222-3333; +55 21 99999-0000"
    assert (souza["email"], souza["company"], souza["owner"]) == (None, None, None)
    assert (lucia["email"], lucia["company"]) == ("lucia@gomez.es", "Gómez Asesores SL")


def test_reader_cannot_write_and_password_is_masked(suitecrm_url, rules):
    from crmclean.errors import UserError
    from crmclean.read.sql import readonly_engine

    password = sa.make_url(suitecrm_url).password
    engine = sa.create_engine(suitecrm_url)
    with pytest.raises(sa.exc.OperationalError, match="denied"), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE contacts SET deleted = 1")
    engine.dispose()
    wrong = sa.make_url(suitecrm_url).set(password="not-" + password)
    with pytest.raises(UserError) as failed:
        read_all([SourceSpec(url=wrong.render_as_string(False), connector="suitecrm")], rules)
    assert "***" in str(failed.value) and password not in str(failed.value)
    assert readonly_engine(suitecrm_url).dialect.name == "mysql"


def test_migrate_plan_reads_the_database_from_a_project(suitecrm_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from crmclean.cli import main

    monkeypatch.setenv("SUITECRM_URL", suitecrm_url)
    project = tmp_path / "crmclean.yml"
    project.write_text(
        "sources:\n  - connector: suitecrm\n    url_env: SUITECRM_URL\n"
        f"target: {tmp_path}/crm.db\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["migrate", "plan", str(project), "--json"])
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.output)
    assert document["records"] + document["rejects"] == 4
    assert document["stats"]["read:suitecrm"]["deleted_rows"] == 1
    assert sa.make_url(suitecrm_url).password not in result.output
