"""The gate's quarantine and the overrides file, on real SQLite and PostgreSQL targets: the
records that pass load, the others wait in rejects; an override fixes a value every run and
rolls back with its run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_load import DATA_TABLES, read, snapshot

from crmclean.cli import main

CRM = """id,Nome,E-mail,Telefone,Empresa,Atualizado em
1,Ana Souza,ana@exemplo.com.br,(11) 98765-4321,Acme,2024-01-10
2,Bruno Lima,bruno@exemplo.com.br,(21) 99876-5432,Beta,2099-01-10
3,Carla Dias,carla@exemplo.com.br,,Gama,2024-01-10
"""


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def _project(tmp_path: Path, target: str, extra: str = "") -> Path:
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    path = tmp_path / "crmclean.yml"
    path.write_text(f"sources:\n  - path: crm.csv\ntarget: '{target}'\n{extra}", encoding="utf-8")
    return path


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["migrate", *args])


def test_block_is_the_default_and_writes_nothing(target: str, tmp_path: Path) -> None:
    result = _run("run", str(_project(tmp_path, target)))
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert "contacts" not in snapshot(target)


def test_quarantine_loads_the_records_that_pass(target: str, tmp_path: Path) -> None:
    project = _project(tmp_path, target)
    result = _run("run", str(project), "--on-fail", "quarantine")
    assert result.exit_code == 1, result.output
    assert "1 records quarantined" in result.stderr and "were loaded" in result.stderr
    names = read(target, "select full_name from contacts order by full_name")
    assert names == [("Ana Souza",), ("Carla Dias",)]
    rejects = read(target, "select source_id, stage, rule, expected, actual from rejects")
    (source_id, stage, rule, expected, actual), *more = rejects
    assert (source_id, stage) == ("2", "validate")
    assert rule == "expect_column_values_to_not_be_in_the_future"
    assert expected.startswith("No updated_at is a date in the future")
    assert actual.startswith("2099")
    assert not more
    failing = (tmp_path / "gate-failures.csv").read_text(encoding="utf-8")
    assert "2099-01-10" in failing


def test_the_project_setting_quarantines_and_plan_writes_nothing(
    target: str, tmp_path: Path
) -> None:
    project = _project(tmp_path, target, "on_fail: quarantine\n")
    plan = _run("plan", str(project), "--json")
    assert plan.exit_code == 1 and "pass the gate" in plan.stderr
    document = json.loads(plan.stdout)
    assert document["quarantined"] == 1 and document["gate"]["success"] is True
    assert document["plan"]["golden_insert"] == 2
    assert _run("run", str(project), "--on-fail", "block").exit_code == 1  # the option wins
    assert "contacts" not in snapshot(target)


def test_an_override_fixes_a_value_every_run_and_rolls_back(target: str, tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "source,source_id,field,value\ncrm,2,updated_at,2024-02-01\ncrm,9,company,Gone\n",
        encoding="utf-8",
    )
    project = _project(tmp_path, target, "overrides: overrides.csv\n")
    first = _run("run", str(project), "--json")
    assert first.exit_code == 0, first.output
    stats = json.loads(first.stdout)["stats"]["overrides"]
    assert stats == {"applied": 1, "not_found": 1}
    assert read(target, "select updated_at from contacts where full_name = 'Bruno Lima'") == [
        ("2024-02-01",)
    ]
    sql = "select source_id, field, before, after from findings where code = 'OV01'"
    logged = read(target, sql)
    assert logged == [("2", "updated_at", "2099-01-10", "2024-02-01")]
    again = json.loads(_run("run", str(project), "--json").stdout)
    assert again["load"]["run_id"] is None  # applied again: nothing changed
    before = snapshot(target, DATA_TABLES)
    run_id = json.loads(first.stdout)["load"]["run_id"]
    undone = CliRunner().invoke(main, ["migrate", "rollback", run_id, "--target", target])
    assert undone.exit_code == 0, undone.output
    assert read(target, "select count(*) from findings")[0][0] == 0
    assert snapshot(target, DATA_TABLES) != before


def test_a_bad_override_file_is_one_line_naming_the_row(tmp_path: Path) -> None:
    (tmp_path / "overrides.csv").write_text(
        "source,source_id,field,value\ncrm,1,colour,blue\n", encoding="utf-8"
    )
    project = _project(tmp_path, str(tmp_path / "crm.db"), "overrides: overrides.csv\n")
    result = _run("run", str(project))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "overrides.csv:2: column 'field': expected a canonical field (see rules/contact.yaml), "
        "got 'colour'"
    )
    assert not (tmp_path / "crm.db").exists()


def test_quarantine_with_the_gate_inside_postgresql(postgres_url: str, tmp_path: Path) -> None:
    project = _project(tmp_path, postgres_url)
    result = _run("run", str(project), "--on-fail", "quarantine", "--stage-rows", "0", "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["quarantined"] == 1 and document["load"]["counts"]["contacts"] == 2
    assert read(postgres_url, "select source_id from rejects") == [("2",)]
    staged = (
        "select count(*) from information_schema.tables where table_name like 'crmclean_stage_%'"
    )
    assert read(postgres_url, staged) == [(0,)]
