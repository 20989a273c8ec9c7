"""``crmclean validate`` and the gate inside ``migrate run``: failing rows shown and written,
exit 1, nothing loaded."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from crmclean.cli import main

GOOD = """id,Nome,E-mail,CPF
1,Ana Souza,ana@exemplo.com.br,529.982.247-25
2,Bruno Lima,bruno@exemplo.com.br,
"""
BAD_IDS = """id,Nome,E-mail,CPF
7,Carla Dias,carla@exemplo.com.br,123.456.789-00
8,Diego Ramos,diego@exemplo.com,111.222.333-44
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_failed_gate_in_migrate_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "bad.csv", BAD_IDS)
    project = write(tmp_path, "crmclean.yml", "sources:\n  - path: bad.csv\ntarget: crm.db\n")
    result = CliRunner().invoke(main, ["migrate", "run", str(project)])
    assert result.exit_code == 1, result.output
    assert "FAIL expect_column_values_to_be_valid_br_tax_id(tax_id): 2 of 2" in result.stdout
    assert "    bad 7  (" in result.stdout and "'123.456.789-00'" in result.stdout
    assert "gate-failures.csv" in result.stderr
    assert not (tmp_path / "crm.db").exists()
    rows = pl.read_csv(tmp_path / "gate-failures.csv", infer_schema=False)
    assert sorted(rows["source_id"]) == ["7", "8"] and set(rows["column"]) == {"tax_id"}


def test_validate_sources_and_target(tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", GOOD)
    bad = write(tmp_path, "bad.csv", BAD_IDS)
    failures = tmp_path / "out" / "failures.csv"
    failed = CliRunner().invoke(
        main, ["validate", str(good), str(bad), "--failures", str(failures), "--json"]
    )
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert [f["column"] for f in report["failures"]] == ["tax_id"]
    assert report["failures"][0]["examples"][0]["source"] == "bad"
    assert pl.read_csv(failures).height == 2

    project = write(tmp_path, "crmclean.yml", "sources:\n  - path: good.csv\ntarget: crm.db\n")
    assert CliRunner().invoke(main, ["migrate", "run", str(project)]).exit_code == 0
    html = tmp_path / "gate.html"
    passed = CliRunner().invoke(main, ["validate", str(tmp_path / "crm.db"), "--html", str(html)])
    assert passed.exit_code == 0, passed.output
    assert passed.stdout.startswith("Gate passed: 19 expectations, 0 failed")
    assert "Gate passed" in html.read_text(encoding="utf-8")
