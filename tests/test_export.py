"""``crmclean export``: import templates, formula-injection escaping and the BOM."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_load import make_batch, run_load

from crmclean.cli import main
from crmclean.dedupe.merge import golden_records
from crmclean.rules import Rules
from crmclean.write import spreadsheet_safe

BOM = "\ufeff".encode()
DANGER = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def target_with_formulas(tmp_path: Path, rules: Rules) -> str:
    batch = make_batch(rules)
    frame = batch.frame.with_columns(company=pl.Series(DANGER), job_title=pl.lit("\tTab"))
    target = str(tmp_path / "crm.db")
    run_load(
        replace(batch, frame=frame, golden=golden_records(frame, rules.model.names)), target, rules
    )
    return target


def export(target: str, to: str, out: Path) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["export", "--to", to, str(out), "--target", target])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 golden records" in result.stdout
    return list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))


def test_hubspot_escapes_formulas_and_keeps_phones(tmp_path: Path, rules: Rules) -> None:
    target = target_with_formulas(tmp_path, rules)
    out = tmp_path / "hubspot.csv"
    rows = export(target, "hubspot", out)
    assert out.read_bytes().startswith(BOM)
    assert list(rows[0])[:4] == ["First Name", "Last Name", "Email", "Phone Number"]
    companies = sorted(r["Company Name"] for r in rows)
    assert all(c.startswith("'") for c in companies)
    assert "'+cmd|' /C calc'!A0" in companies and '\'=HYPERLINK("http://x")' in companies
    assert {r["Job Title"] for r in rows} == {"'\tTab"}
    assert "+5511987654321" in {r["Phone Number"] for r in rows}  # a number, not a formula


def test_salesforce_has_api_names_and_no_bom(tmp_path: Path, rules: Rules) -> None:
    out = tmp_path / "sf.csv"
    rows = export(target_with_formulas(tmp_path, rules), "salesforce", out)
    assert not out.read_bytes().startswith(BOM)
    assert {"FirstName", "LastName", "Company", "Crmclean_Golden_Id__c"} <= set(rows[0])
    assert sorted(r["Crmclean_Golden_Id__c"] for r in rows) == ["g1", "g2", "g3"]


def test_csv_has_every_column(tmp_path: Path, rules: Rules) -> None:
    out = tmp_path / "all.csv"
    rows = export(target_with_formulas(tmp_path, rules), "csv", out)
    assert out.read_bytes().startswith(BOM)
    assert {"golden_id", "email_alt", "source_count", "run_id"} <= set(rows[0])


@given(st.text(max_size=30))
def test_no_cell_starts_a_formula(text: str) -> None:
    """Whatever the text, the written cell never starts a formula unless it is a number (an
    E.164 phone, ``-12.5``); full-width ``＝`` counts as ``=``."""
    cell = spreadsheet_safe(pl.DataFrame({"c": [text]})).item()
    if re.fullmatch(r"\+[1-9]\d{6,14}|[+\-]?\d[\d.,]*", text):
        assert cell == text
    else:
        assert not re.match(r"[=+\-@\t\r＝＋－＠]", cell)
        assert cell in (text, "'" + text)


def test_an_extension_it_does_not_write_is_refused(tmp_path: Path, rules: Rules) -> None:
    target = target_with_formulas(tmp_path, rules)
    out = tmp_path / "contacts.xlsx"
    result = CliRunner().invoke(main, ["export", "--to", "hubspot", str(out), "--target", target])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.strip() == (
        f"Error: {out}: expected a .csv file name (import templates are CSV), got '.xlsx'"
    )
