"""CiviCRM organizations connector (companies) on the real MariaDB server, read as a SELECT-only
user; the individuals' connector reads none of them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sql_support import check_linked, crm_database, read_rows


@pytest.fixture()
def civicrm_url(mariadb_url: str) -> Iterator[str]:
    with crm_database(mariadb_url, "civicrm.sql") as reader:
        yield reader


def test_civicrm_organizations_apart_from_individuals(civicrm_url, rules):
    rows, stats = read_rows(civicrm_url, "civicrm_organizations", rules)
    assert sorted(rows) == ["1", "8"]
    assert stats["read:civicrm_organizations"]["deleted_rows"] == 1
    coop, padaria = rows["1"], rows["8"]
    assert (coop["company"], coop["website"], coop["phone"]) == (
        "Cooperativa Sul",
        "contato@coopsul.org.br",
        "(51) 3330-1000",
    )
    assert (coop["street"], coop["state"], coop["country"]) == (
        "Rua Sete de Setembro, 500",
        "RS",
        "BR",
    )
    assert json.loads(coop["extra"])["legal_name"] == "Cooperativa Sul Ltda"
    assert padaria["website"] == "https://www.padariacentral.com.br/contato"
    assert padaria["tax_id"] == "11.222.333/0001-81"
    people, _ = read_rows(civicrm_url, "civicrm", rules)
    assert not set(people) & set(rows)  # the contact connector reads no organisation


def test_contacts_link_to_the_accounts_of_their_database(mariadb_url, rules, tmp_path):
    mapping = None
    with crm_database(mariadb_url, "civicrm.sql") as url:
        check_linked(url, "civicrm", "civicrm_organizations", mapping, rules)
