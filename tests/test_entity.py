"""Which entity a source holds: by the project, by the connector, by the mapped columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crmclean.cli import main
from crmclean.entity import entity_of
from crmclean.mapping import suggest
from crmclean.project import load_project
from crmclean.sources import SourceSpec, map_sources, read_sources

PUBLIC_ACCOUNT = Path(__file__).parent / "data" / "public" / "jsforce_salesforce_Account.csv"


@pytest.mark.parametrize(
    ("headers", "entity"),
    [
        (["Razão social", "CNPJ", "Website", "Telefone"], "companies"),
        (["Company name", "City", "Phone"], "companies"),
        (["Nome", "Empresa", "Email"], "contacts"),
        (["Empresa", "Email"], "contacts"),
        (["Account Name", "E-mail", "Website"], "companies"),
        (["Email", "Phone"], "contacts"),
        (["First Name", "Account Name", "CNPJ"], "contacts"),
    ],
)
def test_columns_tell_the_entity(headers, entity, rules):
    assert entity_of(suggest(headers, rules.model)) == entity


def test_salesforce_account_export_reads_as_companies(rules, tmp_path):
    contacts = tmp_path / "contatos.csv"
    contacts.write_text("Nome,Email,Empresa\nAna Lima,ana@dell.com,Dell\n", encoding="utf-8")
    read = map_sources(
        read_sources([SourceSpec(PUBLIC_ACCOUNT), SourceSpec(contacts)], rules), rules
    )
    assert read.companies is not None and read.companies.frame.height == 82
    assert read.frame["_source"].unique().to_list() == ["contatos"]


def test_companies_only_run_has_an_empty_contacts_batch(rules):
    read = map_sources(read_sources([SourceSpec(PUBLIC_ACCOUNT)], rules), rules)
    assert read.frame.is_empty()
    assert read.frame.columns == read.companies.frame.columns


def test_project_names_the_entity(tmp_path, rules):
    (tmp_path / "lista.csv").write_text("Empresa,Email\nAcme,contato@acme.com\n", encoding="utf-8")
    (tmp_path / "crmclean.yml").write_text(
        "sources:\n  - path: lista.csv\n    entity: companies\n", encoding="utf-8"
    )
    project = load_project(tmp_path / "crmclean.yml")
    read = map_sources(read_sources(project.sources, project.rules), project.rules)
    assert read.companies is not None and read.frame.is_empty()


def test_project_refuses_an_unknown_entity(tmp_path):
    (tmp_path / "crmclean.yml").write_text(
        "sources:\n  - path: x.csv\n    entity: deals\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["migrate", "plan", str(tmp_path / "crmclean.yml")])
    assert result.exit_code == 2 and "entity" in result.output


def test_map_suggest_prints_the_entity():
    result = CliRunner().invoke(main, ["map", "suggest", str(PUBLIC_ACCOUNT)])
    assert result.exit_code == 0
    assert result.output.startswith("# entity: companies")
