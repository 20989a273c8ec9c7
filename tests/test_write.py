"""The one writer of every output: atomic, never over an input, CSV safe to open (OWASP)."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from crmclean.dedupe.decisions import COLUMNS, read_pairs_file
from crmclean.errors import UserError
from crmclean.write import atomic, refuse_inputs, spreadsheet_safe, write_csv, write_table

FORMULAS = [
    '=HYPERLINK("http://evil.example/x","Clique aqui")',
    "=cmd|' /C calc'!A0",
    "+A1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "＝1+1",
    "＋A1",
    "－A1",
    "＠SUM(A1)",
]
KEPT = ["+5511987654321", "-12.5", "42", "Ana", "", "a=b"]


def test_every_formula_start_is_escaped_and_numbers_are_not():
    cells = spreadsheet_safe(pl.DataFrame({"c": FORMULAS + KEPT})).get_column("c").to_list()
    assert cells == ["'" + f for f in FORMULAS] + KEPT


def test_machine_files_opt_out_of_escaping(tmp_path: Path):
    frame = pl.DataFrame({"c": ["=1+1"]})
    write_csv(frame, tmp_path / "people.csv")
    write_csv(frame, tmp_path / "machine.csv", for_people=False)
    assert (tmp_path / "people.csv").read_text() == "c\n'=1+1\n"
    assert (tmp_path / "machine.csv").read_text() == "c\n=1+1\n"


def test_an_escaped_file_reads_back_as_it_was_before(tmp_path: Path):
    row = {
        "source_a": "crm",
        "source_id_a": "=1",
        "source_b": "erp",
        "source_id_b": "@2",
        "decision": "must-link",
    }
    write_table(pl.DataFrame([row]), tmp_path / "review.csv")
    assert "'=1" in (tmp_path / "review.csv").read_text()
    back = read_pairs_file(tmp_path / "review.csv", COLUMNS, "decisions")
    assert back.select(COLUMNS).row(0, named=True) == row


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    out = tmp_path / "out.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic(out) as temporary:
        temporary.write_text("half")
        raise RuntimeError("crash while writing")
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_outputs_that_are_inputs_or_named_twice_are_refused(tmp_path: Path):
    source = tmp_path / "a.csv"
    source.write_text("x")
    os.link(source, tmp_path / "b.csv")
    for outputs in ([source], [tmp_path / "b.csv"], [tmp_path / "c.csv", tmp_path / "c.csv"]):
        with pytest.raises(UserError):
            refuse_inputs(outputs, [source])
    refuse_inputs([tmp_path / "c.csv", None], [source, None])


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own(tmp_path: Path):
    umask = os.umask(0o022)
    try:
        write_csv(pl.DataFrame({"c": ["x"]}), tmp_path / "new.csv")
        kept = tmp_path / "kept.csv"
        kept.write_text("old")
        kept.chmod(0o600)
        write_csv(pl.DataFrame({"c": ["x"]}), kept)
    finally:
        os.umask(umask)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o600
