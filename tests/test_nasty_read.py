"""Issue #17, data integrity at read time: mixed encodings, mojibake, formulas, NUL bytes and
blank, repeated or over-long record ids (tests/data/nasty/)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from crmclean import pipeline
from crmclean.api import clean_files
from crmclean.cell_patterns import FORMULA, MOJIBAKE
from crmclean.errors import UserError
from crmclean.read import detect_encoding, read_file
from crmclean.sources import SourceSpec

NASTY = Path(__file__).parent / "data" / "nasty"


def _findings(rules, *names: str) -> pl.DataFrame:
    specs = [SourceSpec(path=NASTY / name) for name in names]
    return pipeline.run(specs, rules, stop_before="normalize").batch.findings


def test_a_utf8_file_with_one_cp1252_row_reads_every_accent_right():
    table = read_file(NASTY / "mixed_encoding.csv")
    assert table.frame.get_column("last_name").to_list() == ["Brandão", "Silva", "Gonçalves"]
    assert table.frame.get_column("city").to_list() == ["São Paulo", "Brasília", "Belém"]
    assert table.frame.get_column("first_name").to_list() == ["Ana", "João", "Luís"]
    assert [(r.row, r.line) for r in table.repaired] == [(2, 3)]


def test_the_repaired_row_is_a_finding_naming_file_and_line(rules):
    found = _findings(rules, "mixed_encoding.csv").filter(pl.col("code") == "RD01")
    assert found.select("_source_id", "before").rows() == [("2", "mixed_encoding.csv line 3")]


@given(st.lists(st.sampled_from(["Ana", "João", "Conceição", "Müller", "Peña", "x"]), min_size=3))
def test_a_mostly_utf8_file_is_never_given_an_exotic_codec(words):
    lines = [w.encode("utf-8") for w in words] + ["Brasília".encode("cp1252")]
    assert detect_encoding(b"\n".join(lines)) in ("utf-8+cp1252", "cp1252")


def test_mojibake_formulas_and_nul_bytes_are_findings_on_any_input(rules):
    found = _findings(rules, "formulas_mojibake_nul.csv")
    by_code = dict(found.group_by("code").len().iter_rows())
    assert by_code["RD02"] == 1 and by_code["RD03"] == 2 and by_code["RD04"] == 1
    formula = found.filter(pl.col("code") == "RD03").select("_source_id", "field").rows()
    assert formula == [("2", "first_name"), ("3", "last_name")]


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://evil.example/x","Clique aqui")', "=cmd|' /C calc'!A0",
             "＝1+1", "@SUM(A1:A2)", "-cmd|' /C calc'!A0", " =2*3"],
)  # fmt: skip
def test_formula_cells_are_recognized(cell):
    assert pl.Series([cell]).str.contains(FORMULA).item()


@pytest.mark.parametrize("cell", ["+55 (11) 98765-4321", "-", "maria@x.com", "Ana = Ana", "-12.5"])
def test_ordinary_cells_are_not_formulas(cell):
    assert not pl.Series([cell]).str.contains(FORMULA).item()


@pytest.mark.parametrize("good", ["São Paulo", "Conceição", "Müller", "Açaí", "Ñandú", "sûr"])
def test_correct_accents_are_not_mojibake(good):
    assert not pl.Series([good]).str.contains(MOJIBAKE).item()
    garbled = good.encode("utf-8").decode("cp1252", errors="replace")
    assert pl.Series([garbled]).str.contains(MOJIBAKE).item()


def test_nul_bytes_are_removed_before_any_stage(rules):
    batch = pipeline.run([SourceSpec(path=NASTY / "nul_and_long_id.csv")], rules).batch
    assert not batch.frame.select(pl.col("_raw").str.contains("\x00").any()).item()


def test_blank_and_repeated_ids_are_named_at_read_time_and_the_rest_loads(rules, tmp_path):
    specs = [
        SourceSpec(path=NASTY / "duplicate_ids.csv"),
        SourceSpec(path=NASTY / "vcard_missing_uid.vcf"),
    ]
    result = pipeline.run(specs, rules, pipeline.RunOptions(target=str(tmp_path / "crm.db")))
    rejects = result.batch.rejects.select("_source", "_source_id", "rule", "actual").rows()
    assert sorted(rejects) == [
        ("duplicate_ids", "(row 2)", "id.duplicate", "1 (as on row 1)"),
        ("vcard_missing_uid", "(row 3)", "id.duplicate", "a1 (as on row 1)"),
    ]
    with sa.create_engine(f"sqlite:///{tmp_path / 'crm.db'}").connect() as conn:
        loaded = conn.execute(sa.text("select source, source_id from contact_sources")).all()
    assert sorted(loaded) == [
        ("duplicate_ids", "(row 3)"),
        ("duplicate_ids", "1"),
        ("duplicate_ids", "2"),
        ("vcard_missing_uid", "(row 2)"),
        ("vcard_missing_uid", "a1"),
    ]


def test_postgresql_takes_what_sqlite_takes_nul_bytes_long_and_repeated_ids(rules, postgres_url):
    specs = [
        SourceSpec(path=NASTY / "nul_and_long_id.csv"),
        SourceSpec(path=NASTY / "duplicate_ids.csv"),
    ]
    result = pipeline.run(specs, rules, pipeline.RunOptions(target=postgres_url))
    assert result.loaded is not None
    assert result.batch.rejects.get_column("rule").to_list() == ["id.too_long", "id.duplicate"]
    with sa.create_engine(postgres_url).connect() as conn:
        query = "select source, source_id from contact_sources order by 1, 2"
        loaded = conn.execute(sa.text(query)).all()
        names = conn.execute(sa.text("select first_name from contacts order by 1")).scalars()
        assert "Ana" in list(names)  # the cell held "Ana\\x00"
    assert [tuple(row) for row in loaded] == [
        ("duplicate_ids", "(row 3)"),
        ("duplicate_ids", "1"),
        ("duplicate_ids", "2"),
        ("nul_and_long_id", "1"),
        ("nul_and_long_id", "3"),
    ]


def test_sheets_of_one_shape_are_read_together_rows_numbered_on():
    table = read_file(NASTY / "sheets_same_shape.xlsx")
    assert table.sheet == "Janeiro, Fevereiro"
    assert table.frame.select("nome", "_row").rows() == [("Ana", 1), ("Bruno", 2), ("Carla", 3)]


def test_sheets_of_different_shapes_are_listed_and_none_is_read():
    with pytest.raises(UserError, match=r"several sheets.*'Contatos' \(1 row\), 'Empresas'"):
        read_file(NASTY / "sheets_different.xlsx")
    assert read_file(NASTY / "sheets_different.xlsx", sheet="Empresas").frame.height == 1


def test_an_empty_first_sheet_is_named_in_the_error():
    with pytest.raises(UserError, match="sheet 'Vazia': no columns"):
        read_file(NASTY / "sheets_first_empty.xlsx")


def test_a_row_with_stray_quotes_after_a_ragged_row_is_read_and_named(rules):
    table = read_file(NASTY / "ragged_then_quote.csv")
    assert table.frame.get_column("first_name").to_list() == ["Ana", "Bruno Lima", "Carla"]
    found = _findings(rules, "ragged_then_quote.csv").filter(pl.col("code") == "RD06")
    assert found.select("_source_id", "before").rows() == [("2", "ragged_then_quote.csv line 3")]


def test_an_unclosed_quote_names_its_row():
    with pytest.raises(UserError, match=r"unbalanced_quote.csv:2: a quote opened on line 3"):
        read_file(NASTY / "unbalanced_quote.csv")


def test_a_header_only_file_is_one_clear_error_not_a_failed_gate(rules, tmp_path):
    spec = SourceSpec(path=NASTY / "header_only.csv")
    with pytest.raises(UserError, match="no records in header_only: only a header"):
        pipeline.run([spec], rules, pipeline.RunOptions(target=str(tmp_path / "crm.db")))


def test_a_formula_full_name_is_never_split_and_is_escaped_in_clean_csv(rules, tmp_path):
    out = tmp_path / "clean.csv"
    result = clean_files([SourceSpec(path=NASTY / "formula_full_name.csv")], rules, out=out)
    first = result.batch.frame.row(0, named=True)
    assert first["first_name"] is None and first["last_name"] is None
    written = pl.read_csv(out, infer_schema=False).get_column("full_name").to_list()
    assert written == ['\'=HYPERLINK("http://evil.example/x","Clique aqui")', "Ana Souza"]


@pytest.mark.parametrize(("header", "kept"), [("*", "[*]"), ("^id$", "[^id$]")])
def test_a_header_polars_would_read_as_a_pattern_is_kept_literally(tmp_path, header, kept):
    path = tmp_path / "stars.csv"
    path.write_text(f"id,{header}\n1,x\n", encoding="utf-8")  # found by bench/fuzz_readers.py
    assert read_file(path).frame.columns == ["id", kept, "_row"]


def test_a_json_key_polars_would_read_as_a_pattern_is_kept_literally(tmp_path):
    path = tmp_path / "stars.json"
    path.write_text('[{"id": "1", "*": "x"}]', encoding="utf-8")
    assert read_file(path).frame.rows() == [("1", "x", 1)]
