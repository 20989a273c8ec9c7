"""Migrations over real files on SQLite and PostgreSQL: plan, incremental runs into existing
golden records, idempotent re-runs, status and rollback through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_load import DATA_TABLES, read, snapshot

from crmclean.cli import main
from crmclean.project import load_project
from crmclean.segments.target import segment_target

CRM = """id,Nome,E-mail,Telefone,Empresa,Atualizado em
1,Ana Souza,ana@exemplo.com.br,(11) 98765-4321,Acme,2024-01-10
2,Bruno Lima,bruno@exemplo.com.br,(21) 99876-5432,Beta,2024-01-10
3,Carla Dias,carla@exemplo.com.br,,Gama,2024-01-10
"""
EVENT = """id,Name,Email,Phone,Company,Updated
e1,ANA SOUZA,ana@exemplo.com.br,+55 11 98765-4321,Acme Ltda,2024-06-01
e2,Diego Ramos,diego@exemplo.com,,Delta,2024-06-01
"""


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def project(tmp_path: Path, target: str, *sources: str) -> Path:
    """A project file over ``sources`` (crm.csv, event.csv) into ``target``."""
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    (tmp_path / "event.csv").write_text(EVENT, encoding="utf-8")
    lines = [f"  - path: {name}" for name in sources]
    path = tmp_path / "crmclean.yml"
    path.write_text("sources:\n" + "\n".join(lines) + f"\ntarget: '{target}'\n", encoding="utf-8")
    return path


def cli(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def golden_of(target: str, source: str, source_id: str) -> str:
    where = f"source = '{source}' and source_id = '{source_id}'"
    return read(target, f"select golden_id from contact_sources where {where}")[0][0]


def test_incremental_run_merges_into_existing_golden_records(target: str, tmp_path: Path) -> None:
    first = cli("migrate", "run", str(project(tmp_path, target, "crm.csv")))
    assert first["plan"]["golden_insert"] == 3
    ana = golden_of(target, "crm", "1")
    after_first = snapshot(target, DATA_TABLES)

    both = project(tmp_path, target, "crm.csv", "event.csv")
    plan = cli("migrate", "plan", str(both))
    assert plan["gate"]["success"] is True
    assert {k: plan["plan"][k] for k in ("golden_insert", "golden_update", "records_insert")} == {
        "golden_insert": 1, "golden_update": 1, "records_insert": 2
    }  # fmt: skip
    assert snapshot(target, DATA_TABLES) == after_first  # the plan wrote nothing

    second = cli("migrate", "run", str(both))
    assert golden_of(target, "event", "e1") == ana
    contact = read(
        target, f"select source_count, updated_at from contacts where golden_id = '{ana}'"
    )
    assert contact == [(2, "2024-06-01")]
    assert read(target, "select count(*) from contacts")[0][0] == 4
    lost = read(target, f"select source, field from merges where golden_id = '{ana}' order by 2")
    assert ("crm", "updated_at") in lost

    again = cli("migrate", "run", str(both))
    assert again["load"]["run_id"] is None
    after_second = snapshot(target)
    cli("migrate", "run", str(both))
    assert snapshot(target) == after_second

    runs = cli("migrate", "status", "--project", str(both))["runs"]
    assert [r["run_id"] for r in runs] == [first["load"]["run_id"], second["load"]["run_id"]]
    refused = CliRunner().invoke(
        main, ["migrate", "rollback", runs[0]["run_id"], "--target", target]
    )
    assert refused.exit_code == 2 and "--cascade" in refused.stderr
    undone = cli("migrate", "rollback", runs[1]["run_id"], "--project", str(both))
    assert undone["rolled_back"] == [runs[1]["run_id"]]
    assert snapshot(target, DATA_TABLES) == after_first


def test_stage_rows_gates_in_the_database(postgres_url: str, tmp_path: Path) -> None:
    tables = (
        "select table_name from information_schema.tables where table_schema = current_schema()"
    )
    both = project(tmp_path, postgres_url, "crm.csv", "event.csv")
    plan = cli("migrate", "plan", str(both), "--stage-rows", "0")
    assert plan["gate"]["success"] is True and plan["plan"]["golden_insert"] == 4
    assert read(postgres_url, tables) == []  # the staging table came and went
    run = cli("migrate", "run", str(both), "--stage-rows", "0")
    assert run["load"]["counts"]["contacts"] == 4
    assert golden_of(postgres_url, "event", "e1") == golden_of(postgres_url, "crm", "1")
    names = [row[0] for row in read(postgres_url, tables)]
    assert "contacts" in names and not [n for n in names if n.startswith("crmclean_stage_")]
    # Copied from the stage without segments: the segment run after the load still sets them.
    fresh = segment_target(postgres_url, load_project(both).rules, write=False)
    expected = fresh.segmented.assignments.select("golden_id", "segment").sort("golden_id")
    stored = read(postgres_url, "select golden_id, segment from contacts order by golden_id")
    assert [tuple(row) for row in stored] == expected.rows()
    assert all(segment is not None for _, segment in expected.rows())


def test_status_columns_have_headers_and_line_up(tmp_path: Path) -> None:
    target = str(tmp_path / "crm.db")
    cli("migrate", "run", str(project(tmp_path, target, "crm.csv")))
    cli("migrate", "run", str(project(tmp_path, target, "crm.csv", "event.csv")))
    result = CliRunner().invoke(main, ["migrate", "status", "--target", target])
    header, *lines, model = result.stdout.splitlines()
    columns = ["#", "run", "id", "status", "started", "(UTC)", "model", "golden", "records"]
    assert header.split() == columns
    assert len(lines) == 2 and model.startswith("model ")
    for line in lines:
        assert line[header.index("status") :].startswith("loaded")
        assert line[header.index("model") :].split()[0] == model.split()[1].rstrip(":")
        assert line[header.index("golden") :].startswith(("3 insert", "1 insert"))
