"""The load stage: plan then one transaction, round trips on SQLite and PostgreSQL, re-runs
change only what changed, rollback restores the earlier contents exactly."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from crmclean.batch import FINDING_SCHEMA, REJECT_SCHEMA, Batch, empty_findings, empty_rejects
from crmclean.dedupe.merge import golden_records
from crmclean.errors import UserError
from crmclean.load import LoadResult, RunInfo, load, plan_load
from crmclean.load.rollback import rollback, run_status
from crmclean.load.schema import build_tables
from crmclean.load.target import target_url
from crmclean.rules import Rules

DATA_TABLES = ("contacts", "contact_sources", "merges", "rejects", "findings")
RAW = [
    '{"Nome": "José \\"Zé\\" Silva", "E-mail": "ze@exemplo.com.br"}',
    '{"Nome": "Ana Souza", "Telefone": "(11) 98765-4321"}',
    '{"Name": "JOSE SILVA", "Email": "jose@work.com"}',
    '{"Name": "Bob", "Email": "bob@x.com", "Notes": "línea 1\\nlínea 2"}',
]


def make_batch(rules: Rules, golden_ids: tuple[str, str, str] = ("g1", "g2", "g3")) -> Batch:
    """Three golden records from four source rows, one reject and two findings."""
    g1, g2, g3 = golden_ids
    frame = pl.DataFrame(
        {
            "_source": ["crm", "crm", "sheet", "sheet"],
            "_source_id": ["1", "2", "7", "8"],
            "_row": [1, 2, 1, 2],
            "_raw": RAW,
            "golden_id": [g1, g2, g1, g3],
        }
    ).with_columns(*(pl.lit(None, pl.String).alias(name) for name in rules.model.names))
    frame = frame.with_columns(
        full_name=pl.Series(["José Silva", "Ana Souza", "Jose Silva", "Bob"]),
        email=pl.Series(["ze@exemplo.com.br", None, "jose@work.com", "bob@x.com"]),
        phone=pl.Series([None, "+5511987654321", None, None]),
        updated_at=pl.Series(["2024-05-01", None, "2023-01-01", None]),
        email_alt=pl.Series([['o"q@x.com'], [], None, None], dtype=pl.List(pl.String)),
        phone_alt=pl.Series([[], [], None, None], dtype=pl.List(pl.String)),
    )
    reject = ["sheet", "9", "normalize", None, "record.unidentifiable", "a name", ""]
    finding = ["crm", "1", "email", "EM02", "email.typo_domain", "info", "ze@gmial.com", None]
    return Batch(
        frame=frame,
        rejects=pl.DataFrame([reject], schema=REJECT_SCHEMA, orient="row"),
        findings=pl.DataFrame([finding, finding], schema=FINDING_SCHEMA, orient="row"),
        golden=golden_records(frame, rules.model.names),
    )


def run_load(batch: Batch, target: str, rules: Rules) -> LoadResult:
    """Plan ``batch`` against ``target`` and apply it, as ``migrate run`` does."""
    return load(plan_load(batch, target, rules), target, run=RunInfo.start("cfg"), rules=rules)


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


def snapshot(target: str, tables: tuple[str, ...] | None = None) -> dict[str, list[str]]:
    """Every row of every table and view (or of ``tables``), sorted, as the driver returns
    it."""
    engine = sa.create_engine(target_url(target))
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        names = tables or [*inspector.get_table_names(), *inspector.get_view_names()]
        rows = {t: conn.execute(sa.text(f"select * from {t}")).all() for t in names}
    engine.dispose()
    return {table: sorted(map(repr, found)) for table, found in rows.items()}


def test_the_package_names_are_their_modules() -> None:
    """``crmclean.load``'s names load their modules when asked for (PEP 562), unchanged."""
    import crmclean.load as package
    from crmclean.load.apply import load as applied
    from crmclean.load.plan import LoadPlan
    from crmclean.load.plan import plan_load as planned

    assert package.load is applied is load and package.plan_load is planned is plan_load
    assert package.LoadPlan is LoadPlan and package.RunInfo is RunInfo
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        package.nothing  # noqa: B018


def test_load_round_trip(target: str, rules: Rules) -> None:
    result = run_load(make_batch(rules), target, rules)
    counts = {"contacts": 3, "contact_sources": 4, "rejects": 1, "findings": 2}
    assert {t: result.counts[t] for t in counts} == counts
    assert {t: count(target, t) for t in counts} == counts
    raw = read(target, "select source_id, raw from contact_sources order by source, source_id")
    assert [json.loads(r) for _, r in raw] == [json.loads(r) for r in RAW]
    contacts = read(
        target, "select full_name, email, email_alt, source_count from contacts order by 1"
    )
    assert [(n, e, json.loads(a), c) for n, e, a, c in contacts] == [
        ("Ana Souza", None, [], 1),
        ("Bob", "bob@x.com", [], 1),
        ("José Silva", "ze@exemplo.com.br", ['o"q@x.com', "jose@work.com"], 2),
    ]
    # the older record's values lost survivorship: kept in merges
    merges = read(target, "select source_id, golden_id, field, value from merges order by 3")
    assert merges == [
        ("7", "g1", "email", "jose@work.com"),
        ("7", "g1", "full_name", "Jose Silva"),
        ("7", "g1", "updated_at", "2023-01-01"),
    ]
    runs = read(target, "select run_id, status, config_hash, sequence, finished_at from runs")
    assert [r[:4] for r in runs] == [(result.run_id, "loaded", "cfg", 1)]
    assert runs[0][4] is not None
    assert read(target, "select version from schema_version") == [(3,)]


def test_same_input_again_writes_nothing(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target)
    result = run_load(make_batch(rules), target, rules)
    assert result.run_id is None and set(result.counts.values()) == {0}
    assert snapshot(target) == before


def test_golden_ids_stay_stable_across_runs(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    # the same source records clustered under new ids in this run keep the target's ids
    result = run_load(make_batch(rules, ("h1", "h2", "h3")), target, rules)
    assert result.run_id is None
    golden_ids = read(target, "select golden_id from contacts order by golden_id")
    assert [row[0] for row in golden_ids] == ["g1", "g2", "g3"]


def changed_batch(rules: Rules) -> Batch:
    """Bob changes his e-mail, Ana's record is rejected now, and a new record joins José."""
    batch = make_batch(rules)
    frame = batch.frame.filter(pl.col("_source_id") != "2").with_columns(
        email=pl.when(pl.col("_source_id") == "8").then(pl.lit("bob@new.com")).otherwise("email")
    )
    extra = frame.head(1).with_columns(
        _source=pl.lit("web"), _source_id=pl.lit("55"), full_name=pl.lit("José da Silva")
    )
    frame = pl.concat([frame, extra])
    ana = pl.DataFrame(
        [["crm", "2", "normalize", None, "record.unidentifiable", "a name", ""]],
        schema=REJECT_SCHEMA,
        orient="row",
    )
    rejects = pl.concat([batch.rejects, ana])
    return replace(
        batch, frame=frame, rejects=rejects, golden=golden_records(frame, rules.model.names)
    )


def test_rollback_restores_previous_contents_exactly(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target, DATA_TABLES)
    second = run_load(changed_batch(rules), target, rules)
    assert second.changes["contacts"] == {"insert": 0, "update": 2, "delete": 1}
    assert read(target, "select email from contacts where golden_id = 'g3'") == [("bob@new.com",)]
    assert rollback(target, str(second.run_id), rules=rules) == [second.run_id]
    assert snapshot(target, DATA_TABLES) == before
    assert all(count(target, f"{t}_before") == 0 for t in DATA_TABLES)
    assert [r.status for r in run_status(target, rules)] == ["loaded", "rolled_back"]


def test_a_load_given_segments_writes_them_with_its_rows(target: str, rules: Rules) -> None:
    """Given ``segments`` the load adds ``contacts.segment`` and inserts each new or changed
    golden record with its segment, so the segment run after it sets none."""
    first = pl.DataFrame({"golden_id": ["g1", "g2", "g3"], "segment": ["loyal", "lead", None]})
    plan = plan_load(make_batch(rules), target, rules)
    load(plan, target, run=RunInfo.start("cfg"), rules=rules, segments=first)
    query = "select golden_id, segment from contacts order by 1"
    assert read(target, query) == [("g1", "loyal"), ("g2", "lead"), ("g3", None)]
    second = pl.DataFrame({"golden_id": ["g1", "g3"], "segment": ["inactive", "lead"]})
    plan = plan_load(changed_batch(rules), target, rules)
    load(plan, target, run=RunInfo.start("cfg"), rules=rules, segments=second)
    assert read(target, query) == [("g1", "inactive"), ("g3", "lead")]


def test_rollback_refuses_a_run_others_built_on(target: str, rules: Rules) -> None:
    first = run_load(make_batch(rules), target, rules)
    second = run_load(changed_batch(rules), target, rules)
    latest = snapshot(target)
    with pytest.raises(UserError, match=f"followed by 1 loaded run.*{second.run_id}.*--cascade"):
        rollback(target, str(first.run_id), rules=rules)
    assert snapshot(target) == latest
    undone = rollback(target, str(first.run_id), cascade=True, rules=rules)
    assert undone == [second.run_id, first.run_id]
    assert all(count(target, t) == 0 for t in DATA_TABLES)
    with pytest.raises(UserError, match="rolled_back, not loaded"):
        rollback(target, str(first.run_id), rules=rules)
    with pytest.raises(UserError, match="no run 'nope'"):
        rollback(target, "nope", rules=rules)


def test_a_plan_is_refused_once_the_target_changed(target: str, rules: Rules) -> None:
    plan = plan_load(make_batch(rules), target, rules)
    run_load(make_batch(rules, ("h1", "h2", "h3")), target, rules)
    with pytest.raises(UserError, match="target changed since"):
        load(plan, target, run=RunInfo.start("cfg"), rules=rules)


def test_empty_side_tables(target: str, rules: Rules) -> None:
    batch = replace(make_batch(rules), rejects=empty_rejects(), findings=empty_findings())
    result = run_load(batch, target, rules)
    assert (result.counts["rejects"], result.counts["findings"]) == (0, 0)
    assert (count(target, "contacts"), count(target, "rejects")) == (3, 0)


def test_failed_load_changes_nothing(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target)
    bad = changed_batch(rules)
    # findings are written last; a null source id violates NOT NULL
    no_id = pl.lit(None, pl.String).alias("_source_id")
    bad = replace(bad, findings=bad.findings.with_columns(no_id))
    with pytest.raises(sa.exc.IntegrityError):
        run_load(bad, target, rules)
    assert snapshot(target) == before


def test_failed_first_load_creates_no_tables(
    target: str, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("crmclean.load.apply.finish_run", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_load(make_batch(rules), target, rules)
    assert snapshot(target) == {}


def test_unreachable_target_hides_password(rules: Rules) -> None:
    url = "postgresql+psycopg://crm:s3cret@127.0.0.1:1/crm"
    with pytest.raises(UserError, match=r"cannot connect to .*crm:\*\*\*@127\.0\.0\.1") as info:
        run_load(make_batch(rules), url, rules)
    assert "s3cret" not in str(info.value)


def test_missing_golden_is_refused(tmp_path: Path, rules: Rules) -> None:
    batch = replace(make_batch(rules), golden=None)
    with pytest.raises(ValueError, match="run dedupe first"):
        plan_load(batch, str(tmp_path / "crm.db"), rules)
    assert not (tmp_path / "crm.db").exists()


def test_plain_path_means_sqlite(tmp_path: Path) -> None:
    url = target_url(str(tmp_path / "out.db"))
    assert (url.get_backend_name(), url.database) == ("sqlite", str(tmp_path / "out.db"))
    assert target_url("sqlite:///rel.db").database == "rel.db"


def test_contacts_columns_follow_the_model() -> None:
    contacts = build_tables(["full_name", "email"]).contacts
    assert [c.name for c in contacts.columns] == [
        "golden_id", "full_name", "email", "email_alt", "phone_alt", "company_id",
        "source_count", "run_id",
    ]  # fmt: skip


def test_version_1_target_is_upgraded(tmp_path: Path, rules: Rules) -> None:
    """A target written by schema version 1 (no run numbers, no record values in the
    crosswalk) gains the new columns and tables; its rows stay and the run goes through."""
    target = str(tmp_path / "v1.db")
    fields = ", ".join(f"{name} TEXT" for name in (*rules.model.names, "email_alt", "phone_alt"))
    side = "source VARCHAR(255) NOT NULL, source_id VARCHAR(255) NOT NULL, {} run_id VARCHAR(32)"
    ddl = [
        "CREATE TABLE runs (run_id VARCHAR(32) PRIMARY KEY, started_at DATETIME NOT NULL, "
        "finished_at DATETIME, tool_version VARCHAR(32) NOT NULL, config_hash VARCHAR(128) "
        "NOT NULL, status VARCHAR(16) NOT NULL, counts TEXT)",
        f"CREATE TABLE contacts (golden_id VARCHAR(255) PRIMARY KEY, {fields}, "
        "source_count INTEGER NOT NULL, run_id VARCHAR(32) NOT NULL)",
        "CREATE TABLE contact_sources (source VARCHAR(255), source_id VARCHAR(255), golden_id "
        "VARCHAR(255) NOT NULL, raw TEXT, run_id VARCHAR(32) NOT NULL, "
        "PRIMARY KEY (source, source_id))",
        "CREATE TABLE rejects ("
        + side.format("stage TEXT, column TEXT, rule TEXT, expected TEXT, actual TEXT,")
        + ")",
        "CREATE TABLE findings ("
        + side.format("field TEXT, code TEXT, rule TEXT, severity TEXT, before TEXT, after TEXT,")
        + ")",
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version VALUES (1)",
        "INSERT INTO runs VALUES ('old', '2024-01-01 00:00:00', NULL, '0.1', 'x', 'loaded', NULL)",
        "INSERT INTO contacts (golden_id, full_name, source_count, run_id) "
        "VALUES ('g0', 'Old', 1, 'old')",
        "INSERT INTO contact_sources VALUES ('legacy', '1', 'g0', '{}', 'old')",
    ]
    engine = sa.create_engine(target_url(target))
    with engine.begin() as conn:
        for statement in ddl:
            conn.exec_driver_sql(statement)
    engine.dispose()
    result = run_load(make_batch(rules), target, rules)
    assert read(target, "select version from schema_version") == [(3,)]
    assert read(target, "select run_id, sequence from runs order by sequence") == [
        ("old", 1), (result.run_id, 2)
    ]  # fmt: skip
    assert count(target, "contacts") == 4 and count(target, "contact_sources") == 5


def test_records_clustered_together_merge_their_golden_records(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target, DATA_TABLES)
    # this run's dedupe puts Bob's record (golden g3 in the target) in José's cluster
    plan = plan_load(make_batch(rules, ("g1", "g2", "g1")), target, rules)
    assert plan.summary()["golden_merge"] == 1 and plan.summary()["golden_delete"] == 0
    result = load(plan, target, run=RunInfo.start("cfg"), rules=rules)
    assert read(target, "select golden_id, source_count from contacts order by 1") == [
        ("g1", 3), ("g2", 1)
    ]  # fmt: skip
    assert read(target, "select golden_id from contact_sources where source_id = '8'") == [("g1",)]
    rollback(target, str(result.run_id), rules=rules)
    assert snapshot(target, DATA_TABLES) == before


def test_whole_table_and_keyed_reads_plan_alike(
    target: str, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys naming most of a table read it whole and match in memory; others go through a
    temporary table of keys. Both give the same plan."""
    run_load(make_batch(rules), target, rules)
    plans = []
    for share in (0.0, math.inf):  # always whole, never whole
        monkeypatch.setattr("crmclean.load.existing.WHOLE_TABLE_SHARE", share)
        plans.append(plan_load(changed_batch(rules), target, rules))
    whole, keyed = plans
    assert whole.summary() == keyed.summary() and whole.summary()["golden_update"] == 2
    for name in DATA_TABLES:
        for part in ("replace", "insert"):
            frames = [getattr(plan.changes[name], part) for plan in plans]
            assert_frame_equal(*frames, check_row_order=False)
    assert_frame_equal(whole.after, keyed.after, check_row_order=False)
