"""``crmclean audit`` end to end: files and target databases (read-only), outputs, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from crmclean.api import migrate
from crmclean.cli import main
from crmclean.sources import SourceSpec

PLANTED = Path(__file__).parent / "data" / "audit" / "planted.csv"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", *args])
    return result.exit_code, result.output


def test_terminal_summary_fits_80_columns() -> None:
    code, out = run(str(PLANTED))
    assert code == 0, out
    assert "Data health score:" in out and "Uniqueness" in out and "EM01" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_json_is_one_document(tmp_path: Path) -> None:
    code, out = run(str(PLANTED), "--json", "--mask-pii")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "crmclean-audit" and doc["masked"] is True
    assert set(doc["dimensions"]) == {
        "completeness", "validity", "uniqueness", "consistency", "timeliness", "compliance",
    }  # fmt: skip
    assert "ana.souza@" not in out


def test_html_is_one_self_contained_file(tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    code, out = run(str(PLANTED), "--html", str(page))
    assert code == 0, out
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 2
    for remote in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert remote not in html


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], 0),
        (["--fail-on", "error"], 1),  # CP02: opted out but marked for marketing
        (["--fail-on", "never", "--fail-under", "50"], 0),
        (["--fail-under", "99"], 1),
    ],
)
def test_exit_codes_for_schedulers(options: list[str], expected: int) -> None:
    code, out = run(str(PLANTED), *options)
    assert code == expected, out


def test_user_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing.csv"))[0] == 2
    code, out = run("sqlite:///" + str(tmp_path / "none.db"))
    assert code == 2 and "database file not found" in out
    bad = tmp_path / "audit.yml"
    bad.write_text("weights: {happiness: 1}\n")
    code, out = run(str(PLANTED), "--config", str(bad))
    assert code == 2 and "weights" in out and "Traceback" not in out


def _load(target: str, tmp_path: Path) -> None:
    """The planted records without the two future-dated ones (the gate refuses those)."""
    frame = pl.read_csv(PLANTED, infer_schema=False).filter(~pl.col("id").is_in(["17", "18"]))
    frame.write_csv(tmp_path / "planted.csv")
    result = migrate([SourceSpec(tmp_path / "planted.csv")], target=target)
    assert result.loaded is not None, result.gate
    (tmp_path / "planted.csv").unlink()


def _snapshot(target: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select * from contacts order by golden_id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _audit_target(target: str, tmp_path: Path) -> None:
    _load(target, tmp_path)
    before = _snapshot(target)
    code, out = run(target, "--json", "--history", str(tmp_path / "history"))
    assert code == 0, out
    doc = json.loads(out)
    assert doc["records"]["audited"] == 19  # golden records: 22 loaded, 3 duplicates merged
    assert doc["dimensions"]["uniqueness"]["metrics"]["duplicates"] == 0
    assert doc["dimensions"]["compliance"]["metrics"]["opted_out_marketable"] == 2
    assert _snapshot(target) == before


def test_audits_a_sqlite_target_read_only(tmp_path: Path) -> None:
    database = tmp_path / "crm.db"
    target = f"sqlite:///{database}"
    _audit_target(target, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"crm.db", "history"}


def test_audits_a_postgres_target_read_only(postgres_url: str, tmp_path: Path) -> None:
    _audit_target(postgres_url, tmp_path)


def test_second_run_prints_the_comparison(tmp_path: Path) -> None:
    history = str(tmp_path / "history")
    assert run(str(PLANTED), "--history", history)[0] == 0
    code, out = run(str(PLANTED), "--history", history)
    assert code == 0
    assert "±0 since" in out and "New findings: none" in out and "Resolved: none" in out
    assert len(list((tmp_path / "history").glob("audit-*.json"))) == 2


def test_connector_reads_a_crm_export() -> None:
    sample = Path(__file__).parent / "data" / "connectors" / "salesforce_contact" / "sample.csv"
    code, out = run(str(sample), "--connector", "salesforce_contact", "--json")
    assert code == 0, out
    doc = json.loads(out)
    expected = pl.read_csv(sample.with_name("expected.csv"), infer_schema=False)
    assert doc["records"]["read"] == expected.height
    assert doc["sources"] == [str(sample)]


def test_unknown_connector_is_a_user_error() -> None:
    code, out = run(str(PLANTED), "--connector", "no_such_crm")
    assert code == 2 and "no_such_crm" in out and "Traceback" not in out


def test_sql_connector_audits_a_live_crm_database(mariadb_url: str) -> None:
    from sql_support import crm_database

    with crm_database(mariadb_url, "suitecrm.sql") as reader:
        code, out = run(reader, "--connector", "suitecrm", "--json", "--mask-pii")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["records"]["read"] == 4  # the deleted contact is not audited
    assert "secret" not in json.dumps(doc["sources"]) and doc["sources"][0].startswith("mysql")


def test_mapping_is_refused_for_a_database_source(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("columns: {}\n", encoding="utf-8")
    code, out = run("sqlite:///crm.db", "--mapping", str(mapping))
    assert code == 2 and "--mapping applies to a single file source" in out


def test_findings_file_lists_every_record_and_masks_on_request(tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    code, text = run(str(PLANTED), "--findings", str(out), "--json")
    assert code == 0, text
    document = json.loads(text)
    rows = pl.read_csv(out, infer_schema=False)
    assert rows.columns == [
        "source", "source_id", "code", "rule", "severity", "dimension", "field", "value"
    ]  # fmt: skip
    counted = {(f["code"], f["field"]): f["count"] for f in document["findings"]}
    per_record = rows.group_by("code", "field").len()
    for found_code, field, count in per_record.iter_rows():
        assert counted[(found_code, field)] == count, (found_code, field)
    for audit_code in ("DU01", "TM01", "CP01", "CS01"):
        assert audit_code in set(rows["code"])
    assert rows["severity"][0] == "error"  # the most severe first
    invalid = rows.filter(pl.col("code") == "EM01")["value"].to_list()
    parquet = tmp_path / "masked.parquet"
    assert run(str(PLANTED), "--findings", str(parquet), "--mask-pii")[0] == 0
    hidden = pl.read_parquet(parquet).filter(pl.col("code") == "EM01")["value"].to_list()
    assert len(hidden) == len(invalid) and set(hidden).isdisjoint(invalid)
