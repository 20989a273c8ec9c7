"""CiviCRM connector on the real MariaDB server, read as a SELECT-only user."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sql_support import crm_database

from crmclean.sources import SourceSpec, read_all


@pytest.fixture()
def civicrm_url(mariadb_url: str) -> Iterator[str]:
    with crm_database(mariadb_url, "civicrm.sql") as reader:
        yield reader


def test_reads_exactly_the_live_individuals(civicrm_url, rules):
    batch = read_all([SourceSpec(url=civicrm_url, connector="civicrm")], rules)
    rows = {r["_source_id"]: r for r in batch.frame.iter_rows(named=True)}
    assert sorted(rows) == ["3", "4", "7"]
    assert batch.stats["read:civicrm"]["deleted_rows"] == 1
    fernanda = rows["3"]
    assert fernanda["email"] == "fe.becker@gmail.com; fernanda@coopsul.org.br"
    assert (fernanda["phone"], fernanda["mobile"]) == ("51 3212-0000", "(51) 99123-4567")
    assert (fernanda["street"], fernanda["state"], fernanda["country"]) == (
        "Rua dos Andradas, 1001",
        "RS",
        "BR",
    )
    assert (fernanda["company"], fernanda["middle_name"]) == ("Cooperativa Sul", "Lima")
    extra = json.loads(fernanda["extra"])
    assert extra["faxes"] == "51 3212-0001"
    assert extra["emails_on_hold"] == "fernanda@bounced.example"


def test_trashed_employer_and_opt_out(civicrm_url, rules):
    batch = read_all([SourceSpec(url=civicrm_url, connector="civicrm")], rules)
    rows = {r["_source_id"]: r for r in batch.frame.iter_rows(named=True)}
    john, bia = rows["4"], rows["7"]
    assert (john["company"], john["email_opt_out"], john["country"]) == (None, "1", "US")
    assert (bia["email"], bia["mobile"], bia["phone"]) == (None, "(11) 91234-5678", None)
    assert json.loads(bia["extra"])["emails_on_hold"] == "bia@bounce.example"
