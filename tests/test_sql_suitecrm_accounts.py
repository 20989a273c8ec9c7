"""SuiteCRM accounts connector (companies) on the real MariaDB server, as a SELECT-only user."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sql_support import check_linked, crm_database, read_rows


@pytest.fixture()
def suitecrm_url(mariadb_url: str) -> Iterator[str]:
    with crm_database(mariadb_url, "suitecrm.sql") as reader:
        yield reader


def test_suitecrm_accounts_are_the_live_accounts(suitecrm_url, rules):
    rows, stats = read_rows(suitecrm_url, "suitecrm_accounts", rules)
    assert sorted(rows) == ["a-1", "a-3", "a-4"]
    assert stats["read:suitecrm_accounts"] == {
        "rows": 3,
        "blank_rows": 0,
        "deleted_rows": 1,
        "seen": 3,
    }
    acme, praia = rows["a-1"], rows["a-3"]
    assert (acme["company"], acme["website"], acme["owner"]) == (
        "ACME Comércio Ltda",
        "acme.com.br",
        "Marina Ferreira",
    )
    assert (acme["street"], acme["postal_code"], acme["phone"]) == (
        "Rua Augusta, 1500",
        "01304-001",
        "(11) 3456-7800",
    )
    extra = json.loads(acme["extra"])
    assert extra["cnpj_c"] == "11.222.333/0001-81" and extra["shipping_address_city"] == "Campinas"
    # no website: the account's valid e-mail (the invalid primary one is skipped)
    assert praia["website"] == "reservas@praiaturismo.com.br"


def test_contacts_link_to_the_accounts_of_their_database(mariadb_url, rules, tmp_path):
    mapping = tmp_path / "accounts.yml"
    mapping.write_text("columns:\n  cnpj_c: tax_id\n", encoding="utf-8")
    with crm_database(mariadb_url, "suitecrm.sql") as url:
        check_linked(url, "suitecrm", "suitecrm_accounts", mapping, rules)
