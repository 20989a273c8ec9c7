"""The load stage: one transaction, round trips on SQLite and PostgreSQL, re-runs replace."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from crmclean.batch import FINDING_SCHEMA, REJECT_SCHEMA, Batch, empty_findings, empty_rejects
from crmclean.errors import UserError
from crmclean.load import RunInfo, load
from crmclean.load.schema import build_tables
from crmclean.load.target import target_url
from crmclean.rules import Rules

TABLES = ("runs", "contacts", "contact_sources", "rejects", "findings", "schema_version")
RAW = [
    '{"Nome": "José \\"Zé\\" Silva", "E-mail": "ze@exemplo.com.br"}',
    '{"Nome": "Ana Souza", "Telefone": "(11) 98765-4321"}',
    '{"Name": "JOSE SILVA", "Email": "jose@work.com"}',
    '{"Name": "Bob", "Email": "bob@x.com", "Notes": "línea 1\\nlínea 2"}',
]


def make_batch(rules: Rules, golden_ids: tuple[str, str, str] = ("g1", "g2", "g3")) -> Batch:
    """Three golden records from four source rows, one reject and two findings."""
    g1, g2, g3 = golden_ids
    golden = pl.DataFrame({"golden_id": list(golden_ids)}).with_columns(
        *(pl.lit(None, pl.String).alias(name) for name in rules.model.names),
    )
    golden = golden.with_columns(
        full_name=pl.Series(["José Silva", "Ana Souza", "Bob"]),
        email=pl.Series(["ze@exemplo.com.br", None, "bob@x.com"]),
        email_alt=pl.Series([["jose@work.com", 'o"q@x.com'], [], None], dtype=pl.List(pl.String)),
        phone_alt=pl.Series([[], ["+5511987654321"], None], dtype=pl.List(pl.String)),
        source_count=pl.Series([2, 1, 1], dtype=pl.UInt32),
    )
    frame = pl.DataFrame(
        {
            "_source": ["crm", "crm", "sheet", "sheet"],
            "_source_id": ["1", "2", "7", "8"],
            "_row": [1, 2, 1, 2],
            "_raw": RAW,
            "golden_id": [g1, g2, g1, g3],
        }
    )
    reject = ["sheet", "9", "normalize", None, "record.unidentifiable", "a name", ""]
    finding = ["crm", "1", "email", "EM02", "email.typo_domain", "info", "ze@gmial.com", None]
    return Batch(
        frame=frame,
        rejects=pl.DataFrame([reject], schema=REJECT_SCHEMA, orient="row"),
        findings=pl.DataFrame([finding, finding], schema=FINDING_SCHEMA, orient="row"),
        golden=golden,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh target: a plain SQLite file path, or a schema on the real PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def read(target: str, sql: str) -> list[Any]:
    engine = sa.create_engine(target_url(target))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql)).all()
    engine.dispose()
    return rows


def count(target: str, table: str) -> int:
    return read(target, f"select count(*) from {table}")[0][0]


def snapshot(target: str) -> dict[str, list[str]]:
    """Every row of every table that exists, sorted, as text."""
    engine = sa.create_engine(target_url(target))
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        rows = {t: conn.execute(sa.text(f"select * from {t}")).all() for t in names}
    engine.dispose()
    return {table: sorted(map(repr, found)) for table, found in rows.items()}


def test_load_round_trip(target: str, rules: Rules) -> None:
    batch = make_batch(rules)
    run = RunInfo.start("cfg-1")
    result = load(batch, target, run=run, rules=rules)
    counts = {"contacts": 3, "contact_sources": 4, "rejects": 1, "findings": 2}
    assert result.to_dict() == {"run_id": run.run_id, "counts": counts}
    assert {t: count(target, t) for t in counts} == counts
    raw = read(target, "select source_id, raw from contact_sources order by source, source_id")
    assert [json.loads(r) for _, r in raw] == [json.loads(r) for r in RAW]
    contacts = read(
        target, "select full_name, email_alt, phone_alt, source_count from contacts order by 1"
    )
    assert [(n, a and json.loads(a), p and json.loads(p), c) for n, a, p, c in contacts] == [
        ("Ana Souza", [], ["+5511987654321"], 1),
        ("Bob", None, None, 1),
        ("José Silva", ["jose@work.com", 'o"q@x.com'], [], 2),
    ]
    runs = read(target, "select run_id, status, config_hash, counts, finished_at from runs")
    assert [r[:3] for r in runs] == [(run.run_id, "loaded", "cfg-1")]
    assert json.loads(runs[0][3]) == counts and runs[0][4] is not None
    assert read(target, "select version from schema_version") == [(1,)]
    assert {r[0] for r in read(target, "select distinct run_id from rejects")} == {run.run_id}


def test_reload_replaces_rows(target: str, rules: Rules) -> None:
    load(make_batch(rules), target, run=RunInfo.start("cfg"), rules=rules)
    before = {t: count(target, t) for t in TABLES if t != "runs"}
    load(make_batch(rules), target, run=RunInfo.start("cfg"), rules=rules)
    # New golden ids for the same source records: the old golden records lose every member.
    load(make_batch(rules, ("h1", "h2", "h3")), target, run=RunInfo.start("cfg"), rules=rules)
    assert {t: count(target, t) for t in before} == before
    assert count(target, "runs") == 3
    golden_ids = read(target, "select golden_id from contacts order by golden_id")
    assert [row[0] for row in golden_ids] == ["h1", "h2", "h3"]


def test_empty_side_tables(target: str, rules: Rules) -> None:
    batch = replace(make_batch(rules), rejects=empty_rejects(), findings=empty_findings())
    result = load(batch, target, run=RunInfo.start("cfg"), rules=rules)
    assert (result.counts["rejects"], result.counts["findings"]) == (0, 0)
    assert (count(target, "contacts"), count(target, "rejects")) == (3, 0)


def test_failed_load_changes_nothing(target: str, rules: Rules) -> None:
    load(make_batch(rules), target, run=RunInfo.start("cfg"), rules=rules)
    before = snapshot(target)
    bad = make_batch(rules, ("x1", "x2", "x3"))
    # rejects are written after contacts and the crosswalk; a null source id violates NOT NULL
    no_id = pl.lit(None, pl.String).alias("_source_id")
    bad = replace(bad, rejects=bad.rejects.with_columns(no_id))
    with pytest.raises(sa.exc.IntegrityError):
        load(bad, target, run=RunInfo.start("cfg"), rules=rules)
    assert snapshot(target) == before


def test_failed_first_load_creates_no_tables(
    target: str, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("crmclean.load.delete_orphans", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(make_batch(rules), target, run=RunInfo.start("cfg"), rules=rules)
    assert snapshot(target) == {}


def test_unreachable_target_hides_password(rules: Rules) -> None:
    url = "postgresql+psycopg://crm:s3cret@127.0.0.1:1/crm"
    with pytest.raises(UserError, match=r"cannot connect to .*crm:\*\*\*@127\.0\.0\.1") as info:
        load(make_batch(rules), url, run=RunInfo.start("cfg"), rules=rules)
    assert "s3cret" not in str(info.value)


def test_missing_golden_is_refused(tmp_path: Path, rules: Rules) -> None:
    batch = replace(make_batch(rules), golden=None)
    with pytest.raises(ValueError, match="run dedupe first"):
        load(batch, str(tmp_path / "crm.db"), run=RunInfo.start("cfg"), rules=rules)
    assert not (tmp_path / "crm.db").exists()


def test_plain_path_means_sqlite(tmp_path: Path) -> None:
    url = target_url(str(tmp_path / "out.db"))
    assert (url.get_backend_name(), url.database) == ("sqlite", str(tmp_path / "out.db"))
    assert target_url("sqlite:///rel.db").database == "rel.db"


def test_contacts_columns_follow_the_model() -> None:
    contacts = build_tables(["full_name", "email"]).contacts
    assert [c.name for c in contacts.columns] == [
        "golden_id", "full_name", "email", "email_alt", "phone_alt", "source_count", "run_id"
    ]  # fmt: skip
