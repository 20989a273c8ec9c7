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
from crmclean.load.target import connect, open_engine
from crmclean.report.html import render_html
from crmclean.segments import OrderSource
from crmclean.segments.history import COLUMNS, history_runs, segments_of, write_segments
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
        runs = pl.read_database("select run_id, contacts, written from segment_runs", conn)
    engine.dispose()
    # Every run segments all 5 golden records; the history holds what changed: the load's 5,
    # then the 3 whose RFM orders changed, then the 2 that became inactive.
    per_run = dict(history.group_by("run_id").len().iter_rows())
    assert per_run == {loaded: 5, first.run_id: 3, second.run_id: 2}
    assert dict(runs.select("run_id", "contacts").iter_rows()) == dict.fromkeys(per_run, 5)
    for run in (first, second):
        with engine.connect() as conn:
            stored = segments_of(conn, run.run_id)
        engine.dispose()
        expected = run.segmented.assignments.select(stored.columns)
        assert stored.sort("golden_id").rows() == expected.sort("golden_id").rows()
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


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_a_load_segments_the_golden_records_it_planned_as_a_read_back_would(
    tmp_path, rules, dialect, request
):
    """Without orders the load segments its plan's golden records instead of reading the target
    back, and inserts them with their segments: the stored segments equal a fresh segmentation
    of what the target holds, on a first run and on a second run that keeps most golden records
    as they were (and appends to the history only the golden record it adds); a rollback of
    the second run sets ``contacts.segment`` back to the first's."""
    target = (
        f"sqlite:///{tmp_path / 'crm.db'}"
        if dialect == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    sources, _ = _project(tmp_path)
    more = tmp_path / "more.csv"
    more.write_text("id,Name,Email,Lifecycle Stage\n9,Gil Prado,gil@exemplo.com.br,lead\n", "utf-8")
    runs: list[tuple[str | None, pl.DataFrame]] = []
    for run, written in ((sources, 5), ([*sources, SourceSpec(path=more)], 1)):
        loaded = migrate(run, rules, target=target).loaded.run_id
        fresh = segment_target(target, rules, write=False).segmented.assignments
        engine = sa.create_engine(target)
        with engine.connect() as conn:
            stored = segments_of(conn, loaded)
            current = pl.read_database("select golden_id, segment from contacts", conn)
            query = f"select count(*) as n from segment_history where run_id = '{loaded}'"
            appended = pl.read_database(query, conn)["n"][0]
        engine.dispose()
        expected = fresh.select(stored.columns).sort("golden_id").rows()
        assert stored.sort("golden_id").rows() == expected
        assert current.sort("golden_id").rows() == [row[:2] for row in expected]
        assert appended == written
        runs.append((loaded, current))
    migrate_rollback(target, runs[1][0])
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        current = pl.read_database("select golden_id, segment from contacts", conn)
    engine.dispose()
    assert current.sort("golden_id").rows() == runs[0][1].sort("golden_id").rows()


def _assigned(run_id: str, segments: dict[str, str]) -> pl.DataFrame:
    rows = [
        {"run_id": run_id, "assigned_at": f"2025-01-0{run_id[-1]}", "as_of": "2025-01-01",
         "golden_id": golden, "segment": segment}
        for golden, segment in segments.items()
    ]  # fmt: skip
    frame = pl.DataFrame(rows)
    missing = [pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in frame.columns]
    return frame.with_columns(missing).select(COLUMNS)


def test_the_history_holds_what_changed_and_reads_every_run_whole(tmp_path) -> None:
    """A run appends only new and changed golden records and one row (null segment) per golden
    record gone; each run still reads back whole, and a run that changed nothing is listed."""
    engine = open_engine(str(tmp_path / "crm.db"), create=True)
    runs = [
        ("run1", {"g1": "loyal", "g2": "lead", "g3": "lead"}),
        ("run2", {"g1": "loyal", "g2": "inactive"}),  # g2 moves, g3 merged away
        ("run3", {"g1": "loyal", "g2": "inactive"}),  # nothing changes
    ]
    with connect(engine) as conn, conn.begin():
        sa.Table("contacts", sa.MetaData(), sa.Column("golden_id", sa.Text)).create(conn)
        conn.execute(sa.text("insert into contacts values ('g1'), ('g2')"))
    written, stored = [], []
    for run_id, segments in runs:
        with connect(engine) as conn, conn.begin():
            written.append(write_segments(conn, _assigned(run_id, segments)))
            read = conn.execute(sa.text("select golden_id, segment from contacts order by 1"))
            stored.append(dict(read.all()))
    with connect(engine) as conn:
        listed = history_runs(conn)
        states = {run_id: dict(segments_of(conn, run_id).select("golden_id", "segment").iter_rows())
                  for run_id, _ in runs}  # fmt: skip
        current = dict(conn.execute(sa.text("select golden_id, segment from contacts")).all())
    engine.dispose()
    assert written == [3, 2, 0]
    assert listed["run_id"].to_list() == ["run1", "run2", "run3"]
    assert listed["contacts"].to_list() == [3, 2, 2]
    assert states == {run_id: segments for run_id, segments in runs}
    assert current == {"g1": "loyal", "g2": "inactive"}
    # the first run adds the column and sets it: every golden record the contacts hold
    assert stored == [{"g1": "loyal", "g2": "lead"}, current, current]
