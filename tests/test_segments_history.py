"""Segment history over two runs on a real target (SQLite and PostgreSQL): every golden record's
segment stored per run, ``contacts.segment`` kept current, and the moves between runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from crmclean.api import audit, export_golden, migrate, migrate_rollback
from crmclean.errors import UserError
from crmclean.report.html import render_html
from crmclean.segments import OrderSource
from crmclean.segments.target import segment_target
from crmclean.sources import SourceSpec

CONTACTS = """id,Name,Email,Lifecycle Stage,Last Activity Date
1,Ana Souza,ana@exemplo.com.br,customer,2024-12-20
2,Bruno Lima,bruno@exemplo.com.br,customer,2024-11-02
3,Carla Dias,carla@exemplo.com.br,lead,2024-10-01
4,Davi Rocha,davi@exemplo.com.br,,2023-05-01
5,Elisa Melo,elisa@exemplo.com.br,subscriber,
"""
ORDERS = """Order ID,Customer ID,Order Date,Total
p1,1,2024-12-15,"1.200,00"
p2,1,2024-10-15,"300,00"
p3,2,2024-11-01,"50,00"
p4,9,2024-11-01,"50,00"
"""


def _project(tmp_path: Path) -> tuple[list[SourceSpec], list[OrderSource]]:
    contacts = tmp_path / "crm.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    return [SourceSpec(path=contacts)], [OrderSource(orders, customer_source="crm")]


def _two_runs(target: str, tmp_path: Path, rules) -> None:
    sources, orders = _project(tmp_path)
    loaded = migrate(sources, rules, target=target).loaded.run_id
    assert loaded is not None  # the load stored its own segment run under its run id
    first = segment_target(target, rules, orders=orders, as_of=date(2025, 1, 1))
    assert first.segmented.sizes == {"inactive": 1, "loyal": 2, "potential": 2, "other": 0}
    assert first.segmented.orders["order.unlinked"] == 1
    # Ten months later, nothing new: Bruno (last seen 2024-11-02) and Carla (2024-10-01) have
    # been quiet for over 365 days; Ana (last activity 2024-12-20) has not.
    second = segment_target(
        target, rules, orders=orders, as_of=date(2025, 11, 10), since=first.run_id[:8]
    )
    assert second.since == first.run_id
    assert second.segmented.sizes == {"inactive": 3, "loyal": 1, "potential": 1, "other": 0}
    assert second.moves.rows() == [("loyal", "inactive", 1), ("potential", "inactive", 1)]
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        history = pl.read_database("select run_id, segment from segment_history", conn)
        current = pl.read_database("select segment from contacts order by golden_id", conn)
    engine.dispose()
    per_run = dict(history.group_by("run_id").len().iter_rows())
    assert per_run == {loaded: 5, first.run_id: 5, second.run_id: 5}
    assert sorted(current["segment"].to_list()) == sorted(
        second.segmented.assignments["segment"].to_list()
    )
    _exports_carry_the_segment(target, tmp_path, second.segmented.assignments)
    _audit_shows_the_moves(target, second.moves)
    with pytest.raises(UserError, match="is not a segment run"):
        segment_target(target, rules, since="ffff", write=False)


def _exports_carry_the_segment(target: str, tmp_path: Path, assignments: pl.DataFrame) -> None:
    expected = dict(assignments.select("golden_id", "segment").iter_rows())
    export_golden(target, "hubspot", tmp_path / "hubspot.csv")
    export_golden(target, "salesforce", tmp_path / "sf.csv")
    hubspot = pl.read_csv(tmp_path / "hubspot.csv", infer_schema=False)
    salesforce = pl.read_csv(tmp_path / "sf.csv", infer_schema=False)
    assert dict(hubspot.select("crmclean golden id", "crmclean segment").iter_rows()) == expected
    assert dict(salesforce.select("Crmclean_Golden_Id__c", "Crmclean_Segment__c").iter_rows()) == (
        expected
    )


def _audit_shows_the_moves(target: str, moved: pl.DataFrame) -> None:
    document = audit([target]).document
    summary = document["segments"]
    assert summary["sizes"] == {"inactive": 3, "loyal": 1, "potential": 1}
    assert summary["moves"] == moved.to_dicts()
    page = render_html(document)
    assert "<section id='segments'>" in page
    assert "1 loyal contacts are now inactive" in page and "loyal → inactive" in page


def test_history_and_moves_on_sqlite(tmp_path, rules) -> None:
    _two_runs(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path, rules)


def test_history_and_moves_on_postgres(tmp_path, rules, postgres_url) -> None:
    _two_runs(postgres_url, tmp_path, rules)


def test_rollback_forgets_the_runs_segments(tmp_path, rules) -> None:
    target = f"sqlite:///{tmp_path / 'crm.db'}"
    sources, orders = _project(tmp_path)
    first = migrate(sources, rules, target=target).loaded.run_id
    kept = segment_target(target, rules, orders=orders, as_of=date(2025, 1, 1))
    more = tmp_path / "more.csv"
    more.write_text("id,Name,Email,Lifecycle Stage\n9,Gil Prado,gil@exemplo.com.br,lead\n", "utf-8")
    second = migrate([*sources, SourceSpec(path=more)], rules, target=target).loaded.run_id
    segment_target(target, rules, orders=orders, as_of=date(2025, 11, 10))
    migrate_rollback(target, second)
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        runs = pl.read_database("select distinct run_id from segment_history", conn)
        current = pl.read_database("select golden_id, segment from contacts", conn)
    engine.dispose()
    assert set(runs["run_id"]) == {first, kept.run_id}  # the second load's and the later run's
    expected = kept.segmented.assignments.select("golden_id", "segment")
    assert current.sort("golden_id").rows() == expected.sort("golden_id").rows()


def test_a_load_segments_the_golden_records_it_planned_as_a_read_back_would(tmp_path, rules):
    """Without orders the load segments its plan's golden records instead of reading the target
    back: the stored segments equal a fresh segmentation of what the target holds, on a first
    run and on a second run that keeps most golden records as they were."""
    target = f"sqlite:///{tmp_path / 'crm.db'}"
    sources, _ = _project(tmp_path)
    more = tmp_path / "more.csv"
    more.write_text("id,Name,Email,Lifecycle Stage\n9,Gil Prado,gil@exemplo.com.br,lead\n", "utf-8")
    for run in (sources, [*sources, SourceSpec(path=more)]):
        loaded = migrate(run, rules, target=target).loaded.run_id
        fresh = segment_target(target, rules, write=False).segmented.assignments
        engine = sa.create_engine(target)
        with engine.connect() as conn:
            query = f"select * from segment_history where run_id = '{loaded}'"
            stored = pl.read_database(query, conn)
            current = pl.read_database("select golden_id, segment from contacts", conn)
        engine.dispose()
        columns = [c for c in fresh.columns if c in stored.columns]
        assert stored.select(columns).sort("golden_id").rows() == (
            fresh.select(columns).sort("golden_id").rows()
        )
        expected = fresh.select("golden_id", "segment").sort("golden_id").rows()
        assert current.sort("golden_id").rows() == expected
