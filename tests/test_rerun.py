"""Reruns: a migrate run whose inputs the target's last run loaded reads nothing and leaves
the target as a full run would; any change to a source, the rules or the target runs it in
full. On SQLite and the real PostgreSQL."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from crmclean.api import migrate
from crmclean.cli import main
from crmclean.load.rerun import inputs_hash
from crmclean.load.rollback import rollback
from crmclean.load.target import target_url
from crmclean.rules import Rules
from crmclean.sources import SourceSpec
from tests.test_load import DATA_TABLES, read, snapshot

HEADERS = ["ID", "Nome", "E-mail", "Telefone", "Cidade"]
ROWS = [
    ["1", "Maria da Silva", "maria@exemplo.com.br", "(11) 98765-4321", "São Paulo"],
    ["2", "MARIA DA SILVA", "MARIA@EXEMPLO.COM.BR", "", "Sao Paulo"],
    ["3", "João Souza", "joao.souza@empresa.com.br", "(21) 99876-5432", "Rio de Janeiro"],
    ["4", "Ana Lima", "ana@lima.dev", "", "Curitiba"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def test_an_unchanged_rerun_reads_nothing_and_equals_a_full_run(tmp_path, target, rules):
    sources = [SourceSpec(write_csv(tmp_path / "contatos.csv", ROWS))]
    first = migrate(sources, rules, target=target)
    assert first.loaded is not None and first.loaded.run_id is not None
    before = snapshot(target, DATA_TABLES)
    again = migrate(sources, rules, target=target)
    assert again.info["unchanged_since"] == first.loaded.run_id
    assert again.batch.frame.is_empty() and again.loaded.run_id is None
    full = migrate(sources, rules, target=target, full=True)
    assert full.plan is not None and full.plan.empty and full.loaded.run_id is None
    assert full.batch.frame.height == len(ROWS)
    assert snapshot(target, DATA_TABLES) == before


def test_a_changed_source_runs_in_full(tmp_path, target, rules):
    path = write_csv(tmp_path / "contatos.csv", ROWS)
    migrate([SourceSpec(path)], rules, target=target)
    write_csv(path, [*ROWS, ["5", "Pedro Alves", "pedro@alves.com", "", "Recife"]])
    changed = migrate([SourceSpec(path)], rules, target=target)
    assert "unchanged_since" not in changed.info
    assert changed.loaded is not None and changed.loaded.run_id is not None
    assert changed.plan.summary()["records_insert"] == 1


def test_a_rolled_back_run_is_not_trusted(tmp_path, target, rules):
    sources = [SourceSpec(write_csv(tmp_path / "contatos.csv", ROWS))]
    first = migrate(sources, rules, target=target)
    loaded = snapshot(target, DATA_TABLES)
    rollback(target, first.loaded.run_id, rules=rules)
    again = migrate(sources, rules, target=target)
    assert "unchanged_since" not in again.info
    assert again.loaded.run_id is not None
    assert len(snapshot(target, ("contacts",))["contacts"]) == len(loaded["contacts"])


def test_the_hash_follows_rules_and_bytes_not_the_clock(tmp_path, rules):
    path = write_csv(tmp_path / "contatos.csv", ROWS)
    digest = inputs_hash([SourceSpec(path)], rules)
    assert inputs_hash([SourceSpec(path)], rules) == digest
    custom = tmp_path / "rules"
    custom.mkdir()
    edited = rules.path("match.yaml").read_text(encoding="utf-8") + "\n# edited\n"
    (custom / "match.yaml").write_text(edited, encoding="utf-8")
    assert inputs_hash([SourceSpec(path)], Rules(directory=custom)) != digest
    assert inputs_hash([SourceSpec(path)], Rules(options={"deliverability": True})) != digest
    write_csv(path, ROWS[:3])
    assert inputs_hash([SourceSpec(path)], rules) != digest
    assert inputs_hash([SourceSpec(url="sqlite:///x.db", table="contacts")], rules) is None


def test_the_cli_says_why_nothing_was_read(tmp_path):
    write_csv(tmp_path / "contatos.csv", ROWS)
    project = tmp_path / "crmclean.yml"
    project.write_text("sources:\n  - path: contatos.csv\ntarget: crm.db\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["migrate", "run", str(project)]).exit_code == 0
    again = runner.invoke(main, ["migrate", "run", str(project)])
    assert again.exit_code == 0
    assert "not read again" in again.output
    full = runner.invoke(main, ["migrate", "run", str(project), "--full"])
    assert full.exit_code == 0
    assert "the target already holds this input" in full.output
    write_csv(tmp_path / "sheet.csv", SHEET)
    two = "sources:\n  - path: contatos.csv\n  - path: sheet.csv\ntarget: crm.db\n"
    project.write_text(two, encoding="utf-8")
    assert runner.invoke(main, ["migrate", "run", str(project)]).exit_code == 0
    write_csv(tmp_path / "sheet.csv", SHEET[:2])
    partial = runner.invoke(main, ["migrate", "run", str(project)])
    assert partial.exit_code == 0
    assert "Not read again (unchanged since the last run): contatos." in partial.output


SHEET = [
    ["s1", "Maria Silva", "maria@exemplo.com.br", "", "São Paulo"],
    ["s2", "Pedro Alves", "pedro@alves.com", "(81) 98888-7777", "Recife"],
    ["s3", "Carla Dias", "carla@dias.net", "", "Natal"],
]


def _rows_without_runs(target: str) -> dict[str, list[str]]:
    """Every data table's rows, run ids left out (two runs never share one)."""
    tables = snapshot(target, DATA_TABLES)
    engine = sa.create_engine(target_url(target))
    with engine.connect() as conn:
        rows = {
            table: sorted(
                repr(row)
                for row in conn.execute(sa.text(f"select * from {table}")).mappings()
                for row in [{k: v for k, v in row.items() if k != "run_id"}]
            )
            for table in tables
        }
    engine.dispose()
    return rows


def test_only_the_changed_source_is_read_and_the_target_equals_a_full_run(tmp_path, rules):
    crm = SourceSpec(write_csv(tmp_path / "crm.csv", ROWS))
    sheet = SourceSpec(write_csv(tmp_path / "sheet.csv", SHEET))
    target = str(tmp_path / "crm.db")
    migrate([crm, sheet], rules, target=target)
    # the sheet changes: Carla's e-mail, and João (a record of crm.csv) arrives in it too
    changed = [*SHEET[:2], [*SHEET[2][:2], "carla@dias.com", *SHEET[2][3:]]]
    changed.append(["s4", "JOAO SOUZA", "joao.souza@empresa.com.br", "", "Rio de Janeiro"])
    write_csv(tmp_path / "sheet.csv", changed)
    copy = tmp_path / "full.db"
    shutil.copyfile(target, copy)

    rerun = migrate([crm, sheet], rules, target=target)
    assert rerun.info["sources_unchanged"] == ["crm"]
    assert set(rerun.batch.frame["_source"]) == {"sheet"}
    assert rerun.batch.frame.height == len(changed)
    full = migrate([crm, sheet], rules, target=str(copy), full=True)
    assert "sources_unchanged" not in full.info and full.batch.frame.height == 8
    assert _rows_without_runs(target) == _rows_without_runs(str(copy))
    joao = "select count(distinct golden_id) from contact_sources where raw like '%oao%'"
    assert read(target, joao) == [(1,)]  # João of the sheet joined João of the crm file
    # a changed configuration reads every source again
    again = migrate([crm, sheet], Rules(options={"deliverability": False}), target=target)
    assert "sources_unchanged" not in again.info
