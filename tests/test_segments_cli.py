"""``crmclean segment`` and ``crmclean rules list|check`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from test_segments_history import CONTACTS, ORDERS

from crmclean.cli import main


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 or "--json" in args else result.stderr


def test_rules_check_proves_the_bundled_files() -> None:
    document = json.loads(cli("rules", "check", "--json"))
    assert len(document) == 2
    for result in document.values():
        assert result["exclusive"] and result["exhaustive"] and result["unreachable"] == []
    assert "segments.yaml: exclusive and exhaustive" in cli("rules", "check")


def test_rules_check_names_unreachable_segments_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "segments:\n"
        "  - {name: stage, when: [{field: lifecycle_stage, present: true}]}\n"
        "  - {name: leads, when: [{field: lifecycle_stage, in: [lead]}]}\n"
        "  - {name: rest, catch_all: true}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 1
    assert "unreachable: leads" in result.stdout and result.stderr == ""


def test_a_broken_segment_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("segments:\n  - {name: a, when: [{field: city, in: [x]}]}\n", "utf-8")
    error = cli("rules", "check", str(path), code=2)
    assert error.startswith(f"Error: {path}: ") and error.count("\n") == 1


def test_rules_list_names_the_files_in_use() -> None:
    listing = cli("rules", "list")
    assert "segments.yaml" in listing and "rfm.yaml" in listing and "orders.yaml" in listing


def test_segment_a_project_twice_and_show_the_moves(tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(CONTACTS, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(ORDERS, encoding="utf-8")
    project = tmp_path / "crmclean.yml"
    project.write_text(
        "sources:\n  - path: crm.csv\norders:\n  - path: orders.csv\n"
        "    customer_source: crm\ntarget: crm.db\n",
        encoding="utf-8",
    )
    loaded = json.loads(cli("migrate", "run", str(project), "--json"))
    assert loaded["stats"]["orders"]["linked"] == 3
    first = json.loads(cli("segment", str(project), "--as-of", "2025-01-01", "--json"))
    assert first["sizes"] == {"inactive": 1, "loyal": 2, "potential": 2, "other": 0}
    dry = json.loads(cli("segment", str(project), "--as-of", "2025-11-10", "--dry-run",
                         "--since", first["run_id"], "--json"))  # fmt: skip
    assert dry["moves"] == [
        {"from": "loyal", "to": "inactive", "contacts": 1},
        {"from": "potential", "to": "inactive", "contacts": 1},
    ]
    problems = tmp_path / "problems.csv"
    out = tmp_path / "segments.parquet"
    since = first["run_id"][:6]
    text = cli("segment", str(project), "--as-of", "2025-11-10", "--since", since,
               "--problems", str(problems), "--out", str(out))  # fmt: skip
    assert "1 loyal contacts are now inactive" in text
    assert "Segment run id:" in text
    assert pl.read_csv(problems)["reason"].to_list() == ["order.unlinked"]
    assert pl.read_parquet(out).height == 5
    bad = cli("segment", str(project), "--since", "nope", code=2)
    assert bad.startswith("Error: --since 'nope' is not a segment run")


def test_a_missing_orders_file_stops_the_run_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(CONTACTS, encoding="utf-8")
    project = tmp_path / "crmclean.yml"
    project.write_text(
        "sources:\n  - path: crm.csv\norders:\n  - path: gone.csv\ntarget: crm.db\n", "utf-8"
    )
    error = cli("migrate", "run", str(project), code=2)
    assert error == f"Error: {tmp_path / 'gone.csv'}: orders file not found\n"
    assert not (tmp_path / "crm.db").exists()


def test_dedupe_writes_each_golden_records_segment(tmp_path: Path) -> None:
    contacts = tmp_path / "crm.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    golden = tmp_path / "golden.csv"
    document = json.loads(
        cli("dedupe", str(contacts), "--crosswalk", str(tmp_path / "cw.csv"),
            "--golden", str(golden), "--json")
    )  # fmt: skip
    segments = pl.read_csv(golden, infer_schema=False)["segment"]
    assert segments.null_count() == 0 and segments.len() == 5
    assert document["stats"]["segment"] == {
        name: (segments == name).sum() for name in ("inactive", "loyal", "potential", "other")
    }
