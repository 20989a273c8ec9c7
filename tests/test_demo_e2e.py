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
