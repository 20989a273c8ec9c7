"""``crmclean dedupe explain GOLDEN_ID SOURCES``: per field, the candidates, their records and
why the winner won; ``crmclean dedupe SOURCES`` unchanged beside it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from crmclean.cli import main

SHEET = """id,Nome,E-mail,Telefone,Cidade,Atualizado em
1,Wagner Araújo,wagner.araujo@empresa.com.br,(11) 98765-4321,São Paulo,2020-01-01
2,Wagner Araujo,wagner.araujo@empresa.com.br,(11) 98765-4321,Sao Paulo,2023-01-01
"""
EXPORT = """id,Name,Email,Phone,City,Updated
e1,Wagner Araujo,contato@empresa.com.br,+55 11 98765-4321,Sao Paulo,2024-06-01
"""


def _sources(tmp_path: Path) -> list[str]:
    (tmp_path / "planilha.csv").write_text(SHEET, encoding="utf-8")
    (tmp_path / "crm.csv").write_text(EXPORT, encoding="utf-8")
    return [str(tmp_path / "planilha.csv"), str(tmp_path / "crm.csv")]


def test_explain_names_candidates_records_and_reasons(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    crosswalk = tmp_path / "crosswalk.csv"
    ran = CliRunner().invoke(main, ["dedupe", *sources, "--crosswalk", str(crosswalk)])
    assert ran.exit_code == 0, ran.output  # dedupe itself is unchanged
    golden_ids = pl.read_csv(crosswalk)["golden_id"].unique()
    assert golden_ids.len() == 1
    result = CliRunner().invoke(main, ["dedupe", "explain", golden_ids[0], *sources, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["fields"]
    won = {r["field"]: r for r in rows if r["won"]}
    assert won["city"]["value"] == "São Paulo" and won["last_name"]["value"] == "Araújo"
    assert "best-written form of 'Sao Paulo'" in won["city"]["why"]
    assert won["email"]["value"] == "wagner.araujo@empresa.com.br"
    assert won["email"]["why"].startswith("a personal address comes first")
    assert won["email"]["records"] == "planilha:2, planilha:1"  # newest first
    lost = [r for r in rows if r["field"] == "email" and not r["won"]]
    assert [(r["value"], r["records"], r["why"]) for r in lost] == [
        ("contato@empresa.com.br", "crm:e1", "")
    ]
    text = CliRunner().invoke(main, ["dedupe", "explain", golden_ids[0], *sources]).output
    assert "  * São Paulo  [planilha:1]  <- the newest record with a value" in text


def test_an_unknown_golden_id_is_a_user_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["dedupe", "explain", "g_nope", *_sources(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no golden record 'g_nope' in these sources"
