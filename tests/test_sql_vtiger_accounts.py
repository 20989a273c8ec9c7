"""vtiger organizations connector (companies) on the real MariaDB server, as a SELECT-only user."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sql_support import check_linked, crm_database, read_rows


@pytest.fixture()
def vtiger_url(mariadb_url: str) -> Iterator[str]:
    with crm_database(mariadb_url, "vtiger.sql") as reader:
        yield reader


def test_vtiger_organizations_skip_deleted_entities(vtiger_url, rules):
    rows, stats = read_rows(vtiger_url, "vtiger_accounts", rules)
    assert sorted(rows) == ["10", "12"]
    assert stats["read:vtiger_accounts"]["deleted_rows"] == 1
    padaria, santos = rows["10"], rows["12"]
    assert (padaria["company"], padaria["website"]) == (
        "Padaria Pão Quente",
        "www.paoquente.com.br",
    )
    assert padaria["phone"] == "(11) 5555-0000; (11) 5555-0009"
    assert (padaria["street"], padaria["city"], padaria["postal_code"]) == (
        "Rua da Consolação, 180",
        "São Paulo",
        "01302-000",
    )
    extra = json.loads(padaria["extra"])
    assert extra["cf_853"] == "11.222.333/0001-81" and extra["ship_city"] == "Guarulhos"
    assert santos["website"] == "contato@santoseng.com.br"  # an empty website: the e-mail
    assert santos["owner"] == "Paulo Costa"


def test_contacts_link_to_the_accounts_of_their_database(mariadb_url, rules, tmp_path):
    mapping = tmp_path / "accounts.yml"
    mapping.write_text("columns:\n  cf_853: tax_id\n", encoding="utf-8")
    with crm_database(mariadb_url, "vtiger.sql") as url:
        check_linked(url, "vtiger", "vtiger_accounts", mapping, rules)
