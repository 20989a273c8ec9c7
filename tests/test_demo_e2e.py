"""``crmclean demo`` end to end: generated sources in, SQLite single source of truth out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from crmclean.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(
        main, ["demo", "--dir", str(directory), "--people", "300", "--json"]
    )
    assert result.exit_code == 0, result.output
    return directory, json.loads(result.stdout)


def test_every_source_row_is_loaded_or_rejected(demo):
    directory, document = demo
    read = sum(v["rows"] for k, v in document["stats"].items() if k.startswith("read:"))
    with sqlite3.connect(directory / "crm.db") as db:
        sources = db.execute("select count(*) from contact_sources").fetchone()[0]
        sources += db.execute(  # the accounts export's records (stats count every source read)
            "select count(*) from company_sources where source <> 'contacts'"
        ).fetchone()[0]
        rejected = db.execute("select count(distinct source || ':' || source_id) from rejects")
        golden = db.execute("select count(*) from contacts").fetchone()[0]
        orphans = db.execute(
            "select count(*) from contact_sources s left join contacts c using (golden_id)"
            " where c.golden_id is null"
        ).fetchone()[0]
    assert sources + rejected.fetchone()[0] == read
    assert golden == document["golden"] and orphans == 0


def test_raw_source_rows_are_kept_verbatim(demo):
    directory, _ = demo
    with sqlite3.connect(directory / "crm.db") as db:
        raw = db.execute(
            "select raw from contact_sources where source = 'planilha_clientes' limit 1"
        ).fetchone()[0]
    assert set(json.loads(raw)) >= {"Código", "Nome completo", "E-mail", "Telefone", "CEP"}


def test_duplicates_found_against_known_truth(demo):
    _, document = demo
    accuracy = document["accuracy"]
    assert accuracy["precision"] >= 0.98
    assert accuracy["recall"] >= 0.80


def test_outputs_written_beside_the_database(demo):
    directory, _ = demo
    crosswalk = pl.read_csv(directory / "crosswalk.csv", infer_schema=False)
    assert crosswalk.columns == ["source", "source_id", "golden_id"]
    assert (directory / "findings.csv").stat().st_size > 0


def test_gate_ran_and_passed(demo):
    assert demo[1]["gate"]["success"] is True


def test_orders_feed_the_segments_and_every_order_is_counted(demo):
    directory, document = demo
    orders = pl.read_csv(directory / "pedidos.csv", separator=";", infer_schema=False)
    counted = document["stats"]["orders"]
    assert counted["read"] == orders.height
    assert counted["read"] == counted["linked"] + sum(
        count for reason, count in counted.items() if reason.startswith("order.")
    )
    assert counted["order.not_won"] > 0 and counted["order.unlinked"] > 0
    sizes = document["stats"]["segment"]
    assert sum(sizes.values()) == document["golden"] and sizes["loyal"] > 0
    with sqlite3.connect(directory / "crm.db") as db:
        stored = dict(db.execute("select segment, count(*) from contacts group by 1").fetchall())
        rfm = dict(db.execute("select rfm_segment, count(*) from segment_history group by 1"))
    assert stored == {name: count for name, count in sizes.items() if count}
    assert len(set(rfm) - {"Unscored"}) >= 5  # buyers spread over the RFM map


def test_the_text_summary_prints_the_segment_sizes(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path), "--people", "60"])
    assert result.exit_code == 0, result.output
    assert "Segments:            inactive " in result.output
    assert "Orders:              " in result.output
