"""Large PostgreSQL runs: the gate runs on a staging table inside the target through GX's SQL
datasource, the load copies from it, and the table is gone afterwards whatever happened.

``stage_rows=0`` forces staging on the small batches of these tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from test_load import DATA_TABLES, changed_batch, make_batch, read, run_load, snapshot
from test_validate import golden

from crmclean.batch import Batch
from crmclean.dedupe.merge import golden_records
from crmclean.load import RunInfo, plan_load
from crmclean.load.frames import table_frame
from crmclean.load.gated import gate_and_load
from crmclean.load.rollback import rollback
from crmclean.load.run import STAGE_ROWS
from crmclean.load.schema import PENDING, build_tables
from crmclean.load.staging import PREFIX, staged, stages
from crmclean.rules import Rules
from crmclean.validate import GateResult, validate_frame, validate_table


def stage_tables(target: str) -> list[str]:
    """Staging tables left in the target's schema."""
    sql = (
        "select table_name from information_schema.tables "
        f"where table_schema = current_schema() and table_name like '{PREFIX}%'"
    )
    return [row[0] for row in read(target, sql)]


def staged_run(batch: Batch, target: str, rules: Rules) -> tuple[GateResult, object]:
    plan = plan_load(batch, target, rules)
    return gate_and_load(plan, target, rules, run=RunInfo.start("cfg"), stage_rows=0)


def outcome(result: GateResult) -> list[tuple[object, ...]]:
    return [
        (f.expectation, f.column, f.severity, f.unexpected_count, f.element_count, f.examples)
        for f in (*result.failures, *result.warnings)
    ]


def test_the_sql_gate_judges_as_the_in_memory_gate(postgres_url: str, rules: Rules) -> None:
    """Every crmclean expectation has a SQL implementation that fails the same rows."""
    frame = golden(
        rules,
        golden_id=["g1", "g2", "g2"],
        tax_id=["529.982.247-25", "52998224725", "123.456.789-00"],
        created_at=["2020-01-01", "2999-01-01T00:00:00", "2024-06-01T10:00:00"],
        email=["ana@exemplo.com.br", "Bob@Example.com", "ana@exemplo.com.br"],
        lifecycle_stage=["lead", "customer", "quase cliente"],
    )
    no_company = pl.lit(None, dtype=pl.String).alias("company_id")  # contacts.company_id
    rows = table_frame(
        frame.with_columns(no_company), build_tables(rules.model.names).contacts, PENDING
    )
    lineage = pl.DataFrame({"golden_id": ["g2"], "_source": ["crm"], "_source_id": ["2"]})
    in_memory = validate_frame(rows, rules, lineage=lineage)
    contacts = build_tables(rules.model.names).contacts
    with staged(rows, postgres_url, "t" * 32, contacts) as stage:
        in_database = validate_table(stage.url, stage.location, rows, rules, lineage=lineage)
    assert not in_database.success and in_database.exceptions == []
    assert outcome(in_database) == outcome(in_memory)
    failed = {(f.expectation, f.column) for f in in_database.failures}
    assert {
        ("expect_column_values_to_be_valid_br_tax_id", "tax_id"),
        ("expect_column_values_to_not_be_in_the_future", "created_at"),
        ("expect_column_values_to_be_valid_email", "email"),
        ("expect_column_values_to_be_unique", "golden_id"),
    } <= failed
    assert stage_tables(postgres_url) == []


def test_staged_run_loads_what_an_in_memory_run_loads(
    postgres_url: str, tmp_path: Path, rules: Rules
) -> None:
    gate, loaded = staged_run(make_batch(rules), postgres_url, rules)
    assert gate.success and loaded is not None and loaded.counts["contacts"] == 3
    assert stage_tables(postgres_url) == []
    sqlite = str(tmp_path / "crm.db")
    run_load(make_batch(rules), sqlite, rules)
    columns = ", ".join(c.name for c in build_tables(rules.model.names).contacts.columns[:-1])
    query = f"select {columns} from contacts order by golden_id"
    assert read(postgres_url, query) == read(sqlite, query)
    runs = read(postgres_url, "select run_id, status, gate from runs")
    assert [(r[0], r[1]) for r in runs] == [(loaded.run_id, "loaded")]
    assert '"success": true' in runs[0][2]


def test_staged_reruns_and_rollback(postgres_url: str, rules: Rules) -> None:
    staged_run(make_batch(rules), postgres_url, rules)
    before = snapshot(postgres_url, DATA_TABLES)
    _gate, again = staged_run(make_batch(rules), postgres_url, rules)
    assert again is not None and again.run_id is None
    _gate, second = staged_run(changed_batch(rules), postgres_url, rules)
    assert second is not None and second.changes["contacts"] == {
        "insert": 0, "update": 2, "delete": 1
    }  # fmt: skip
    assert read(postgres_url, "select email from contacts where golden_id = 'g3'") == [
        ("bob@new.com",)
    ]
    rollback(postgres_url, str(second.run_id), rules=rules)
    assert snapshot(postgres_url, DATA_TABLES) == before
    assert stage_tables(postgres_url) == []


def bad_batch(rules: Rules) -> Batch:
    """The changed batch with Bob's new e-mail malformed and a date in the future."""
    batch = changed_batch(rules)
    frame = batch.frame.with_columns(
        email=pl.when(pl.col("_source_id") == "8").then(pl.lit("bob at new")).otherwise("email"),
        updated_at=pl.when(pl.col("_source_id") == "1")
        .then(pl.lit("2999-12-31"))
        .otherwise("updated_at"),
    )
    return replace(batch, frame=frame, golden=golden_records(frame, rules.model.names))


def test_failed_staged_gate_writes_nothing(postgres_url: str, rules: Rules) -> None:
    run_load(make_batch(rules), postgres_url, rules)
    before = snapshot(postgres_url)
    gate, loaded = staged_run(bad_batch(rules), postgres_url, rules)
    assert not gate.success and loaded is None
    failures = {(f.expectation, f.column): f for f in gate.failures}
    email = failures["expect_column_values_to_match_regex", "email"]
    assert email.examples == [
        {"golden_id": "g3", "source": "sheet", "source_id": "8", "value": "bob at new"}
    ]
    assert ("expect_column_values_to_not_be_in_the_future", "updated_at") in failures
    assert snapshot(postgres_url) == before
    assert stage_tables(postgres_url) == []


def test_stage_is_dropped_when_the_load_fails(
    postgres_url: str, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_load(make_batch(rules), postgres_url, rules)
    before = snapshot(postgres_url)

    def fail(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("crmclean.load.apply.finish_run", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        staged_run(changed_batch(rules), postgres_url, rules)
    assert snapshot(postgres_url) == before
    assert stage_tables(postgres_url) == []


def test_only_large_postgresql_targets_stage(tmp_path: Path, postgres_url: str) -> None:
    assert stages(postgres_url, STAGE_ROWS + 1, STAGE_ROWS)
    assert not stages(postgres_url, STAGE_ROWS, STAGE_ROWS)
    assert stages(postgres_url, 1, 0)
    assert not stages(str(tmp_path / "crm.db"), STAGE_ROWS + 1, 0)
    assert not stages("sqlite:///x.db", 10, 0)
    assert sa.make_url(postgres_url).get_backend_name() == "postgresql"
