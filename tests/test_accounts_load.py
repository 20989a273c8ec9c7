"""Companies through a real load: matched, linked, loaded, rerun, rolled back (SQLite and
PostgreSQL), and an older target upgraded in place."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from crmclean.api import migrate, migrate_rollback
from crmclean.cli import main
from crmclean.sources import SourceSpec

DATA = Path(__file__).parent / "data" / "accounts"


def _sources(folder: Path) -> list[SourceSpec]:
    for name in ("accounts.csv", "contatos.csv"):
        shutil.copy(DATA / name, folder / name)
    return [SourceSpec(folder / "accounts.csv", connector="salesforce_account"),
            SourceSpec(folder / "contatos.csv")]  # fmt: skip


def _read(url: str, query: str) -> pl.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return pl.read_database(query, conn, infer_schema_length=None)
    finally:
        engine.dispose()


def _check_load(url: str, sources: list[SourceSpec]) -> None:
    result = migrate(sources, target=url)
    assert result.loaded is not None and result.loaded.run_id is not None
    companies = _read(url, "select company_id, name, origin, source_count from companies")
    by_name = {r["name"]: r for r in companies.iter_rows(named=True)}
    assert by_name["Padaria Estrela Ltda"]["source_count"] == 2  # two accounts, one company
    assert by_name["Nova Era Consultoria"]["origin"] == "contacts"  # seen only on a contact
    assert companies.height == 4
    linked = dict(
        _read(url, "select full_name, company_id from contacts").iter_rows()  # type: ignore[arg-type]
    )
    ids = {name: row["company_id"] for name, row in by_name.items()}
    assert linked["Ana Lima"] == ids["Padaria Estrela Ltda"]  # by e-mail domain
    assert linked["Bruno Dias"] == ids["Globex Brasil S.A."]  # by domain (and name)
    assert linked["Carla Reis"] == ids["Oficina Sul ME"]  # by name; gmail says nothing
    assert linked["Davi Melo"] is None
    assert linked["Eva Rocha"] == ids["Nova Era Consultoria"]
    crosswalk = _read(url, "select source, source_id, company_id from company_sources")
    assert crosswalk.height == 5  # 4 accounts + the contact Nova Era came from
    again = migrate(sources, target=url, full=True)
    assert again.loaded is not None and again.loaded.run_id is None  # nothing changed
    migrate_rollback(url, result.loaded.run_id)
    for table in ("companies", "company_sources", "contacts"):
        assert _read(url, f"select count(*) as n from {table}")["n"][0] == 0


def test_companies_load_link_and_roll_back_on_sqlite(tmp_path):
    _check_load(f"sqlite:///{tmp_path / 'crm.db'}", _sources(tmp_path))


def test_companies_load_link_and_roll_back_on_postgresql(tmp_path, postgres_url):
    _check_load(postgres_url, _sources(tmp_path))


def test_an_older_target_gets_contacts_company_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    sources = _sources(tmp_path)
    migrate(sources[1:], target=url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("alter table contacts drop column company_id")
    engine.dispose()
    migrate(sources, target=url)
    linked = _read(url, "select count(company_id) as n from contacts")
    assert linked["n"][0] == 4


def test_a_changed_contacts_file_still_links_to_the_accounts(tmp_path):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    sources = _sources(tmp_path)
    migrate(sources, target=url)
    contacts = tmp_path / "contatos.csv"
    with contacts.open("a", encoding="utf-8") as out:
        out.write("C6,Fabio Luz,fabio@padariaestrela.com.br,\n")
    again = migrate(sources, target=url)  # the accounts file is unchanged
    assert "sources_unchanged" not in again.info  # companies: every source is read
    companies = _read(url, "select company_id, name from companies")
    assert companies.height == 4
    ids = dict(companies.select("name", "company_id").iter_rows())
    linked = dict(_read(url, "select full_name, company_id from contacts").iter_rows())
    assert linked["Fabio Luz"] == linked["Ana Lima"] == ids["Padaria Estrela Ltda"]


def test_a_quarantined_contact_takes_its_created_company_along(tmp_path):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    (tmp_path / "crm.csv").write_text(
        "id,Nome,E-mail,Empresa,Atualizado em\n"
        "1,Ana Souza,ana@acme.com.br,Acme,2024-01-10\n"
        "2,Bruno Lima,bruno@beta.com.br,Beta,2099-01-10\n",  # a future date fails the gate
        encoding="utf-8",
    )
    result = migrate([SourceSpec(tmp_path / "crm.csv")], target=url, on_fail="quarantine")
    assert result.quarantined is not None and result.gate is not None and result.gate.success
    assert result.companies is not None and result.companies.golden.height == 1
    companies = _read(url, "select name from companies")
    assert companies["name"].to_list() == ["Acme"]
    linked = _read(url, "select full_name, company_id from contacts")
    assert linked.height == 1 and linked["company_id"][0] is not None


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("to", "company_key", "link_key", "name_key"),
    [
        ("hubspot", "crmclean company id", "crmclean company id", "Name"),
        ("salesforce", "Crmclean_Company_Id__c", "Account.Crmclean_Company_Id__c", "Name"),
    ],
)
def test_export_companies_and_linked_contacts(tmp_path, to, company_key, link_key, name_key):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(_sources(tmp_path), target=url)
    people, firms = tmp_path / "contacts.csv", tmp_path / "companies.csv"
    args = ["export", "--to", to, str(people), "--companies", str(firms), "--target", url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Wrote 5 golden records" in result.output and "4 companies" in result.output
    companies = {row[name_key]: row[company_key] for row in _rows(firms)}
    contacts = {row["Email"]: row[link_key] for row in _rows(people)}
    assert contacts["ana@padariaestrela.com.br"] == companies["Padaria Estrela Ltda"]
    assert contacts["davi@gmail.com"] == ""
    assert set(contacts.values()) - {""} <= set(companies.values())


def test_export_companies_refuses_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(_sources(tmp_path), target=url)
    args = ["export", "--to", "csv", str(tmp_path / "a.csv"), "--companies",
            str(tmp_path / "b.csv"), "--target", url]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--companies needs" in result.output


def test_company_gate_blocks_two_companies_with_one_cnpj(rules):
    from crmclean.accounts.gate import company_gate

    companies = pl.DataFrame(
        {
            "company_id": ["c1", "c2", "c3"],
            "name": ["Acme", "Acme Filial", None],
            "domain": ["acme.com.br", "acme.com.br", "Not A Domain"],
            "cnpj": ["11.222.333/0001-81", "11.222.333/0001-81", "11.222.333/0001-80"],
        }
    )
    gate = company_gate(companies, rules)
    assert not gate.success
    failed = {(f.expectation, f.column) for f in gate.failures}
    assert failed == {
        ("expect_column_values_to_not_be_null", "name"),
        ("expect_column_values_to_match_regex", "domain"),
        ("expect_column_values_to_be_valid_br_tax_id", "cnpj"),
        ("expect_column_values_to_be_unique", "cnpj"),
    }
    assert [(w.expectation, w.column) for w in gate.warnings] == [
        ("expect_column_values_to_be_unique", "domain")
    ]


def test_unmerge_keeps_the_company_on_both_halves(tmp_path):
    from crmclean.api import migrate_unmerge

    for name in ("accounts.csv",):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "contatos.csv").write_text(
        "Código,Nome,Email\nC1,Ana Lima,ana@padariaestrela.com.br\n"
        "C2,Ana Lima,ana@padariaestrela.com.br\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    sources = [SourceSpec(tmp_path / "accounts.csv", connector="salesforce_account"),
               SourceSpec(tmp_path / "contatos.csv")]  # fmt: skip
    migrate(sources, target=url)
    before = _read(url, "select golden_id, company_id from contacts")
    assert before.height == 1 and before["company_id"][0] is not None
    migrate_unmerge(url, before["golden_id"][0], ("contatos", "C2"))
    after = _read(url, "select company_id from contacts")
    assert after.height == 2 and set(after["company_id"]) == {before["company_id"][0]}


def _check_company_side_tables(url: str, folder: Path) -> None:
    sources = _sources(folder)
    with (folder / "accounts.csv").open("a", encoding="utf-8") as accounts:
        accounts.write("001E,,,,Rua Sem Nome 1,Recife,PE,,Brasil,\n")  # nothing identifies it
    with (folder / "contatos.csv").open("a", encoding="utf-8") as people:
        people.write(
            "C9,Fabio Reis,fabio@padariaestrela.com.br,Globex Brasil SA\n"
        )  # two companies say
    result = migrate(sources, target=url)
    assert result.loaded is not None and result.loaded.run_id is not None
    findings = _read(url, "select source, source_id, field, code from findings")
    mine = findings.filter(pl.col("source") == "accounts")
    assert {"001A", "001B", "001C"} <= set(mine["source_id"])  # by the company record's id
    assert mine.filter(pl.col("source_id") == "001B")["field"].is_in(["name", "domain"]).any()
    conflicts = findings.filter(pl.col("source") == "golden")
    assert conflicts["code"].to_list() == ["LK01"]  # the golden contact's link conflict
    golden_ids = _read(url, "select golden_id from contacts")["golden_id"].to_list()
    assert conflicts["source_id"][0] in golden_ids  # keyed by its golden id in the target
    rejects = _read(url, "select source, source_id, rule from rejects")
    assert rejects.filter(pl.col("source") == "accounts").rows() == [
        ("accounts", "001E", "company.unidentifiable")
    ]
    again = migrate(sources, target=url, full=True)  # the same findings: nothing to write
    assert again.loaded is not None and again.loaded.run_id is None
    migrate_rollback(url, result.loaded.run_id)
    assert _read(url, "select count(*) as n from findings")["n"][0] == 0


def test_company_findings_and_rejects_are_written_on_sqlite(tmp_path):
    _check_company_side_tables(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path)


def test_company_findings_and_rejects_are_written_on_postgresql(tmp_path, postgres_url):
    _check_company_side_tables(postgres_url, tmp_path)


def test_the_company_gate_runs_without_a_target(tmp_path, monkeypatch):
    from crmclean.pipeline import run
    from crmclean.rules import Rules

    monkeypatch.chdir(tmp_path)  # the command writes its failing rows here
    sources = _sources(tmp_path)
    passed = run(sources, Rules(), stop_before="load")  # validate: no target
    assert passed.gate is not None and passed.gate.success
    with (tmp_path / "accounts.csv").open("a", encoding="utf-8") as accounts:
        accounts.write("001F,,,(31) 3333-0000,,,,,,\n")  # a phone and no name
    failed = run(sources, Rules(), stop_before="load")
    assert failed.gate is not None and not failed.gate.success
    assert ("expect_column_values_to_not_be_null", "name") in {
        (f.expectation, f.column) for f in failed.gate.failures
    }
    result = CliRunner().invoke(main, ["validate", *(str(s.path) for s in sources)])
    assert result.exit_code == 1, result.output


def _people(first: int, count: int) -> pl.DataFrame:
    """Contacts typing one of five companies (some at its domain, some at free mail)."""
    firms = ["Acme Ltda", "Globex SA", "Initech ME", "Umbrella Ltda", "Nova Era Consultoria"]
    rows = []
    for i in range(first, first + count):
        firm = firms[i % 5]
        domain = "gmail.com" if i % 2 else firm.split()[0].lower() + ".com.br"
        rows.append({"Código": f"C{i}", "Nome": f"Pessoa{i} Silva", "Email": f"p{i}@{domain}",
                     "Empresa": firm if i % 3 else ""})  # fmt: skip
    return pl.DataFrame(rows)


def _companies_state(url: str) -> tuple[pl.DataFrame, ...]:
    return (
        _read(url, "select company_id, name, domain, origin, source_count from companies "
                   "order by company_id"),
        _read(url, "select source, source_id, company_id from company_sources order by 1, 2"),
        _read(url, "select golden_id, company_id from contacts order by 1"),
    )  # fmt: skip


def test_a_rerun_with_one_percent_new_contacts_keeps_companies_right(tmp_path):
    _people(0, 200).write_csv(tmp_path / "contatos.csv")
    _people(200, 1).write_csv(tmp_path / "novos.csv")
    sources = [SourceSpec(tmp_path / "contatos.csv"), SourceSpec(tmp_path / "novos.csv")]
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(sources, target=url)
    pl.concat([_people(200, 1), _people(201, 2)]).write_csv(tmp_path / "novos.csv")  # +1%
    again = migrate(sources, target=url)
    assert again.info.get("sources_unchanged") == ["contatos"]  # only the new contacts read
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(sources, target=fresh)  # every contact read at once
    incremental, full = _companies_state(url), _companies_state(fresh)
    for got, expected in zip(incremental, full, strict=True):
        assert got.equals(expected)
    counts = dict(incremental[0].select("name", "source_count").iter_rows())
    assert counts["Acme Ltda"] > 2  # every contact of the company, not only this run's


def test_a_created_company_failing_its_gate_quarantines_its_contacts(tmp_path):
    """A one-letter top-level domain (``acmef.r``, a typo of ``acme.fr``) passes the contact
    suite but makes a company the company suite refuses: its contacts are quarantined, the
    others load."""
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    (tmp_path / "crm.csv").write_text(
        "id,Nome,E-mail,Empresa\n1,Ana Souza,ana@acme.com.br,Acme\n2,Bruno Lima,bruno@acmef.r,\n",
        encoding="utf-8",
    )
    blocked = migrate([SourceSpec(tmp_path / "crm.csv")], target=url)
    assert blocked.gate is not None and not blocked.gate.success
    result = migrate([SourceSpec(tmp_path / "crm.csv")], target=url, on_fail="quarantine")
    assert result.gate is not None and result.gate.success
    rejects = result.batch.rejects.filter(pl.col("stage") == "validate")
    assert rejects.select("_source_id", "column", "actual").rows() == [("2", "domain", "acmef.r")]
    assert rejects["expected"][0].startswith("Every domain matches the pattern")
    assert _read(url, "select full_name from contacts")["full_name"].to_list() == ["Ana Souza"]
    assert _read(url, "select domain from companies")["domain"].to_list() == ["acme.com.br"]
