"""The command line as a user meets it: help, errors, exit codes and the file contracts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from crmclean.cli import main

COMMANDS = ["demo", "map", "clean", "dedupe", "migrate"]
SHEET = (
    "Código;Nome completo;E-mail;Telefone;Cidade\r\n"
    "C1;JOÃO DA SILVA;joao.silva@gmail.com;(11) 98765-4321;São Paulo\r\n"
    "C2;Joao da Silva;JOAO.SILVA@GMAIL.COM;11 98765 4321;Sao Paulo\r\n"
    "C3;Maria Souza;maria@empresa.com.br;(21) 3456-7890;Rio de Janeiro\r\n"
    "C4;;;;\r\n"
    "C5;;;;Curitiba\r\n"
)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "planilha.csv"
    path.write_bytes(SHEET.encode("cp1252"))
    return path


def test_help_lists_every_command_and_each_has_an_example(runner):
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output
    for args in (
        ["demo"],
        ["map", "suggest"],
        ["clean"],
        ["dedupe"],
        ["migrate", "run"],
        ["migrate", "plan"],
    ):
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, args


def test_dedupe_writes_the_crosswalk_contract(runner, sheet, tmp_path):
    crosswalk, golden = tmp_path / "cw.csv", tmp_path / "golden.csv"
    result = runner.invoke(
        main, ["dedupe", str(sheet), "--crosswalk", str(crosswalk), "--golden", str(golden)]
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(crosswalk, infer_schema=False)
    assert rows.columns == ["source", "source_id", "golden_id"]
    assert rows["source"].to_list() == ["planilha"] * 5
    assert rows["source_id"].to_list() == ["C1", "C2", "C3", "C4", "C5"]
    ids = rows["golden_id"].to_list()
    assert ids[0] == ids[1] and ids[0] != ids[2]
    assert ids[3] is None and ids[4] is None  # nothing identifies C4, C5: rejected
    assert pl.read_csv(golden, infer_schema=False).height == 2


def test_dedupe_json_is_one_document(runner, sheet, tmp_path):
    result = runner.invoke(
        main, ["dedupe", str(sheet), "--crosswalk", str(tmp_path / "cw.csv"), "--json"]
    )
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["stats"]["read:planilha"]["rows"] == 5
    assert document["golden"] == 2 and document["rejects"] == 2


def test_map_suggest_prints_yaml_that_goes_back_in(runner, sheet, tmp_path):
    result = runner.invoke(main, ["map", "suggest", str(sheet)])
    assert result.exit_code == 0
    assert "Nome completo:" in result.output and "field: full_name" in result.output
    mapping = tmp_path / "m.yaml"
    mapping.write_text(result.output.replace("field: city", "field: null"), encoding="utf-8")
    out = tmp_path / "clean.csv"
    cleaned = runner.invoke(
        main, ["clean", str(sheet), "--mapping", str(mapping), "--out", str(out)]
    )
    assert cleaned.exit_code == 0, cleaned.output
    frame = pl.read_csv(out, infer_schema=False)
    assert frame["city"].null_count() == frame.height
    assert "Cidade" in frame["extra"][0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe\x00binary\x00", "planilha.csv"),
        (b"foo;bar\n1;2\n", "no recognizable columns"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner, tmp_path, content, expected):
    path = tmp_path / "planilha.csv"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(main, ["dedupe", str(path), "--crosswalk", str(tmp_path / "cw.csv")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "cw.csv").exists()


def test_bad_project_yaml_is_a_user_error(runner, tmp_path):
    project = tmp_path / "crmclean.yml"
    project.write_text("sources:\n  - path: [unclosed\n", encoding="utf-8")
    result = runner.invoke(main, ["migrate", "run", str(project)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {project}:")


def write_project(tmp_path: Path, sheet: Path) -> Path:
    project = tmp_path / "crmclean.yml"
    project.write_text(f"sources:\n  - path: {sheet.name}\ntarget: out.db\n", encoding="utf-8")
    return project


def test_migrate_plan_writes_nothing_and_run_loads(runner, sheet, tmp_path):
    project = write_project(tmp_path, sheet)
    plan = runner.invoke(main, ["migrate", "plan", str(project), "--json"])
    assert plan.exit_code == 0, plan.output
    assert json.loads(plan.stdout)["gate"]["success"] is True
    assert not (tmp_path / "out.db").exists()
    run = runner.invoke(main, ["migrate", "run", str(project)])
    assert run.exit_code == 0, run.output
    with sqlite3.connect(tmp_path / "out.db") as db:
        assert db.execute("select count(*) from contacts").fetchone()[0] == 2
        assert db.execute("select count(*) from contact_sources").fetchone()[0] == 3
        assert db.execute("select count(*) from rejects").fetchone()[0] == 2


def test_internal_errors_exit_3_and_debug_shows_the_traceback(runner, sheet, tmp_path, monkeypatch):
    import crmclean.pipeline

    def boom(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(crmclean.pipeline, "normalize", boom)
    args = ["dedupe", str(sheet), "--crosswalk", str(tmp_path / "cw.csv")]
    result = runner.invoke(main, args)
    assert result.exit_code == 3 and "rerun with --debug" in result.stderr
    debug = runner.invoke(main, ["--debug", *args])
    assert isinstance(debug.exception, RuntimeError)


def test_dedupe_accepts_a_named_connector(runner, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Id,FirstName,LastName,AccountId,Email\n003A,Ana,Souza,001X,ana@x.com\n", encoding="utf-8"
    )
    args = ["dedupe", str(path), "--crosswalk", str(tmp_path / "cw.csv")]
    assert runner.invoke(main, [*args, "--connector", "salesforce_contact"]).exit_code == 0
    wrong = runner.invoke(main, [*args, "--connector", "nope"])
    assert wrong.exit_code == 2 and "unknown connector 'nope'" in wrong.stderr


def test_run_summaries_show_the_most_severe_findings_first(runner, tmp_path):
    path = tmp_path / "contatos.csv"
    rows = [f"P{i},P{i}@EXEMPLO.COM.BR" for i in range(9)] + ["Q,not-an-email"]
    path.write_text("nome,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["clean", str(path), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    table = result.output.split("Top findings, the most severe first")[1]
    severities = [s for s in ("error", "warning", "info") if s in table]
    first = min(severities, key=table.index)
    assert "info" in severities and first == "warning"  # EM01 (1) before EM03 (9)
