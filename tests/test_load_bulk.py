"""SQLite bulk inserts through ADBC side files: the same target as ``executemany``, in the run's
one transaction, no side file left behind."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from test_load import changed_batch, make_batch, run_load, snapshot

import crmclean.load.sqlite_bulk as bulk
from crmclean.rules import Rules


def two_runs(folder: Path, rules: Rules, bulk_rows: int, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A first load and a changed second load into a new SQLite file; every table's rows
    (run ids and times left out: they differ from run to run)."""
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    folder.mkdir()
    target = str(folder / "crm.db")
    run_load(make_batch(rules), target, rules)
    run_load(changed_batch(rules), target, rules)
    assert [path.name for path in folder.iterdir()] == ["crm.db"]  # no side file left
    engine = sa.create_engine(f"sqlite:///{target}")
    tables = ("contacts", "contact_sources", "merges", "rejects", "findings", "contacts_before")
    with engine.connect() as conn:
        rows = {
            table: pl.read_database(f"select * from {table}", conn).drop(
                "run_id", "replaced_by", strict=False
            )
            for table in tables
        }
    engine.dispose()
    return {table: sorted(frame.rows()) for table, frame in rows.items()}


def test_side_files_load_what_executemany_loads(
    tmp_path: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    through_side = two_runs(tmp_path / "side", rules, 1, monkeypatch)
    row_by_row = two_runs(tmp_path / "rows", rules, 10**9, monkeypatch)
    assert through_side == row_by_row
    assert through_side["contacts"] and through_side["contacts_before"]


def test_a_failed_bulk_load_changes_nothing_and_leaves_no_side_file(
    tmp_path: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    target = str(tmp_path / "crm.db")
    run_load(make_batch(rules), target, rules)
    before = snapshot(target)
    no_id = pl.lit(None, pl.String).alias("_source_id")
    bad = changed_batch(rules)
    bad = replace(bad, findings=bad.findings.with_columns(no_id))  # NOT NULL, written last
    with pytest.raises(sa.exc.IntegrityError):
        run_load(bad, target, rules)
    assert snapshot(target) == before
    assert [path.name for path in tmp_path.iterdir()] == ["crm.db"]


def test_a_side_file_error_is_raised_as_the_targets_errors_are(
    tmp_path: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    target = tmp_path / "crm.db"
    monkeypatch.setattr(bulk, "SCHEMA", "no_such_folder/bulk_")  # ADBC cannot open the file
    with pytest.raises(sa.exc.OperationalError, match="failed to open"):
        run_load(make_batch(rules), str(target), rules)
    assert list(tmp_path.iterdir()) == []  # a failed first load leaves no file
