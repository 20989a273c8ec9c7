"""``crmclean connectors list|show`` and a user's own specs in ``--connectors DIR``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crmclean.cli import main

MINE = "name: hubspot_contacts\ntitle: Our HubSpot portal\ndetect: [Record ID, Email]\n"


def test_list_shows_every_bundled_spec_with_what_it_reads():
    result = CliRunner().invoke(main, ["connectors", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)["connectors"]}
    bundled = {p.stem for p in (Path(__file__).parents[1] / "connectors").glob("*.yaml")}
    assert set(rows) == bundled
    assert {row["origin"] for row in rows.values()} == {"bundled"}
    assert rows["suitecrm"]["kind"] == "sql" and rows["suitecrm"]["reads"] == "database query"
    assert rows["salesforce_account"]["reads"] == "Name, BillingCity, AccountNumber"
    assert "jsforce" in rows["salesforce_account"]["checked"]


def test_user_spec_overrides_the_bundled_one(tmp_path: Path):
    (tmp_path / "ours.yaml").write_text(MINE + "fields: {Record ID: record_id}\n", "utf-8")
    listed = CliRunner().invoke(main, ["connectors", "list", "--connectors", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith("hubspot_contacts "))
    assert "user (overrides bundled)" in line and "Our HubSpot portal" in line
    others = [x for x in listed.output.splitlines() if x.startswith("salesforce_contact ")]
    assert others and "overrides" not in others[0]
    shown = CliRunner().invoke(
        main, ["connectors", "show", "hubspot_contacts", "--connectors", str(tmp_path)]
    )
    assert shown.output.startswith(f"# user spec: {tmp_path / 'ours.yaml'}\n")


def test_show_prints_the_mapping_and_unknown_names_exit_2():
    shown = CliRunner().invoke(main, ["connectors", "show", "pipedrive_persons"])
    assert shown.exit_code == 0 and "  Person - Email - Work: email\n" in shown.output
    missing = CliRunner().invoke(main, ["connectors", "show", "nope"])
    assert missing.exit_code == 2 and "unknown connector 'nope' (known: " in missing.output


def test_clean_takes_a_named_connector_from_a_user_folder(tmp_path: Path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "legacy.yaml").write_text(
        "name: legacy\ntitle: Old system\ndetect: [COD, NM]\n"
        "fields: {COD: record_id, NM: full_name, TEL: mobile}\n",
        "utf-8",
    )
    source = tmp_path / "old.csv"
    source.write_text("COD;NM;TEL\n1;ana lima;11 98765-4321\n", encoding="utf-8")
    out = tmp_path / "clean.csv"
    args = ["clean", str(source), "--out", str(out), "--connectors", str(tmp_path / "specs")]
    result = CliRunner().invoke(main, [*args, "--connector", "legacy"])
    assert result.exit_code == 0, result.output
    assert "+5511987654321" in out.read_text(encoding="utf-8")
