"""vtiger connector on the real MariaDB server, read as a SELECT-only user."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sql_support import crm_database

from crmclean.sources import SourceSpec, read_all


@pytest.fixture()
def vtiger_url(mariadb_url: str) -> Iterator[str]:
    with crm_database(mariadb_url, "vtiger.sql") as reader:
        yield reader


def test_reads_exactly_the_live_contacts(vtiger_url, rules, monkeypatch):
    monkeypatch.setenv("VTIGER_URL", vtiger_url)
    batch = read_all([SourceSpec(url_env="VTIGER_URL", connector="vtiger")], rules)
    rows = {r["_source_id"]: r for r in batch.frame.iter_rows(named=True)}
    assert sorted(rows) == ["20", "21", "23"]
    assert batch.stats["read:vtiger"]["deleted_rows"] == 1
    maria, pedro, rita = rows["20"], rows["21"], rows["23"]
    assert maria["email"] == "maria@paoquente.com.br; maria.oliveira@gmail.com"
    assert maria["phone"] == "(11) 5555-0001; 11 3030-4040" and maria["mobile"] == "11 97777-1234"
    assert (maria["company"], maria["owner"]) == ("Padaria Pão Quente", "Paulo Costa")
    assert json.loads(maria["extra"])["cf_851"] == "987.654.321-00"
    assert (pedro["company"], pedro["owner"], pedro["email_opt_out"]) == (
        None,
        "Marketing Group",
        "1",
    )
    assert pedro["email"] == "PEDRO.SANTOS@YAHOO.COM.BR ; pedro@santos.dev"
    assert (rita["email"], rita["company"], rita["postal_code"]) == (None, None, "30140-071")
    assert rita["created_at"] == "2022-09-09T16:30:00"
