"""The read stage: encodings, delimiters, headers, blank rows, spreadsheets, JSON, Parquet."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.errors import UserError
from crmclean.read import (
    SourceTable,
    detect_encoding,
    list_sheets,
    read_file,
    read_source,
    sniff_delimiter,
)
from crmclean.read.table import clean_headers

READ = Path(__file__).parent / "data" / "read"
PUBLIC_DATA = Path(__file__).parent / "data" / "public"
DELIMITERS = [",", ";", "\t", "|"]


def column(table: SourceTable, name: str) -> list[str | None]:
    return table.frame[name].to_list()


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nome\nJoão\n".encode("utf-8-sig"), "utf-8-sig"),
        ("nome\nJoão\n".encode("utf-16"), "utf-16"),
        ("nome\nJoão\n".encode(), "utf-8"),
        (b"nome,email\nana,a@x.com\n", "utf-8"),
        ("nome;cidade\nJoão;São Paulo\n".encode("cp1252"), "cp1252"),
        ("nome;cidade\nConceição;Maceió\nAçaí;Brasília\n".encode("latin-1"), "cp1252"),
        ("nombre,ciudad\nJosé Muñoz,Bogotá\n".encode("cp1252"), "cp1252"),
        (("Código;Nome;Observação\n" + "001;João;obs ação\n" * 2000).encode("cp1252"), "cp1252"),
    ],
)
def test_detect_encoding(raw: bytes, expected: str) -> None:
    assert detect_encoding(raw) == expected


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("nome;cidade\nJoão;São Paulo\nAçaí;Maceió\nConceição;Ribeirão Preto\n", "cp850"),
        ("имя,город\nИван,Москва\nПётр,Санкт-Петербург\n", "cp1251"),
        ("名前,都市\n田中,東京\n鈴木,大阪\n", "shift_jis"),
    ],
)
def test_detect_encoding_reads_other_legacy_encodings_back(text: str, encoding: str) -> None:
    raw = text.encode(encoding)
    assert raw.decode(detect_encoding(raw)) == text


def test_detect_encoding_refuses_binary() -> None:
    with pytest.raises(UserError, match=r"not UTF-8 \(invalid byte 0x89 at offset 0"):
        detect_encoding((READ / "binary.csv").read_bytes())


def test_binary_file_is_a_one_line_error_naming_the_file() -> None:
    with pytest.raises(UserError) as caught:
        read_file(READ / "binary.csv")
    message = str(caught.value)
    assert message.startswith(str(READ / "binary.csv") + ": not a text file")
    assert "\n" not in message


def test_wrong_encoding_given_says_where_decoding_failed() -> None:
    with pytest.raises(
        UserError, match=r"cannot decode the file as utf-8: invalid byte 0xf3 .*line 1"
    ):
        read_file(READ / "contatos_cp1252.csv", encoding="utf-8")


def test_unknown_encoding_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown encoding 'klingon'"):
        read_file(READ / "pipes.txt", encoding="klingon")


# --- delimiters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("nome;valor\nSilva, João;1,5\nSouza, Ana;2,0\n", ";"),
        ("nome\tendereco\nAna\tRua A, 10; apto 2\nBia\tAv. B, 20\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('nome;nota\nAna;"x, y, z"\nBia;"a,b"\n', ";"),
        ('nome,nota\nAna,"x; y | z"\n"Bia; Lima","a;b"\n', ","),
        ("email\nana@x.com\n", ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample) == expected


SAFE_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters='",;|\t'
    ),
    max_size=8,
)


@st.composite
def delimited_sample(draw: st.DrawFn) -> tuple[str, str]:
    """A CSV of k >= 2 columns; cells holding another candidate delimiter are quoted."""
    delimiter = draw(st.sampled_from(DELIMITERS))
    others = [d for d in DELIMITERS if d != delimiter]
    quoted = st.builds(
        lambda a, d, b: f'"{a}{d}{b}"', SAFE_TEXT, st.sampled_from(others), SAFE_TEXT
    )
    width = draw(st.integers(min_value=2, max_value=6))
    cells = st.lists(SAFE_TEXT | quoted, min_size=width, max_size=width)
    rows = draw(st.lists(cells, min_size=1, max_size=8))
    return delimiter, "".join(delimiter.join(row) + "\n" for row in rows)


@settings(max_examples=150, deadline=None)
@given(delimited_sample())
def test_sniff_delimiter_finds_the_delimiter_used(case: tuple[str, str]) -> None:
    delimiter, sample = case
    assert sniff_delimiter(sample) == delimiter


HEADER = st.text(alphabet="abcdefghij", min_size=1, max_size=5)
CELL = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=10)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(HEADER, min_size=2, max_size=5, unique=True).flatmap(
        lambda names: st.tuples(
            st.just(names),
            st.lists(st.lists(CELL, min_size=len(names), max_size=len(names)), max_size=6),
            st.sampled_from(DELIMITERS),
        )
    )
)
def test_every_cell_comes_back_as_written(case: tuple[list[str], list[list[str]], str]) -> None:
    names, rows, delimiter = case
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL).writerows([names, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roundtrip.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        table = read_file(path)
    expected = [
        (*(cell if cell.strip() else None for cell in row), number)
        for number, row in enumerate(rows, start=1)
        if any(cell.strip() for cell in row)
    ]
    assert table.delimiter == delimiter
    assert table.frame.columns == [*names, "_row"]
    assert table.frame.rows() == expected
    assert table.blank_rows == len(rows) - len(expected)


# --- delimited files -------------------------------------------------------------------------


def test_brazilian_cp1252_semicolon_file() -> None:
    table = read_file(READ / "contatos_cp1252.csv")
    assert (table.name, table.encoding, table.delimiter, table.sheet) == (
        "contatos_cp1252",
        "cp1252",
        ";",
        None,
    )
    assert table.frame.columns[7] == "Observação"
    assert column(table, "Código") == ["001", "002", "003"]
    assert column(table, "CEP") == ["01310-100", "04538133", "01001000"]
    assert column(table, "Observação")[0] == "cliente “VIP” – desde 2019"
    assert column(table, "Faturamento") == ["1.234,56", "0,5", "10"]
    assert column(table, "E-mail")[2] is None
    assert (column(table, "_row"), table.blank_rows) == ([1, 2, 4], 1)
    assert table.frame.schema["_row"] == pl.Int64
    assert all(dtype == pl.String for dtype in table.frame.drop("_row").dtypes)


def test_bom_blank_and_duplicate_headers_and_blank_records() -> None:
    table = read_file(READ / "bom_headers.csv")
    assert table.encoding == "utf-8-sig"
    assert table.frame.columns == ["Nome", "column_2", "Email", "Email_2", "Telefone", "_row"]
    assert table.frame.row(0) == (
        "Ana",
        "x",
        "ana@exemplo.com",
        "ana@pessoal.com",
        "011987654321",
        1,
    )
    assert table.frame.row(1) == ("Bia", None, "bia@exemplo.com", None, None, 4)
    assert table.blank_rows == 2


def test_clean_headers_keeps_names_unique_and_leaves_row_free() -> None:
    cells = ["_row", "a", "a", "a_2", "  ", None, "\ufeffb "]
    assert clean_headers(cells) == ["_row_2", "a", "a_2", "a_2_2", "column_5", "column_6", "b"]


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [("tabs.tsv", "\t", "utf-8"), ("unicode_text.txt", "\t", "utf-16")],
)
def test_tab_separated_files(name: str, delimiter: str, encoding: str) -> None:
    table = read_file(READ / name)
    assert (table.delimiter, table.encoding) == (delimiter, encoding)
    assert column(table, "endereco") == ["Rua A, 10; apto 2", "Av. B, 20"]


@pytest.mark.parametrize("name", ["pipes.txt", "mac_classic.csv"])
def test_pipes_and_classic_mac_line_endings(name: str) -> None:
    table = read_file(READ / name)
    assert column(table, "cep") == ["01310100", "04538-133"]
    assert column(table, "telefone") == ["0800 123 4567", "(11) 3333-4444"]


def test_quoted_multiline_cells() -> None:
    table = read_file(READ / "multiline.csv")
    assert column(table, "endereco") == ["Rua A, 10\nApto 2\nSão Paulo", "Av. B, 20", "Rua C"]
    assert column(table, "nota") == ['disse "olá"; tudo | certo', "linha 1\r\nlinha 2", None]
    assert column(table, "_row") == [1, 2, 3]


def test_row_longer_than_header_names_file_row_and_count() -> None:
    with pytest.raises(UserError) as caught:
        read_file(READ / "ragged.csv")
    assert (caught.value.file, caught.value.row) == (str(READ / "ragged.csv"), 3)
    assert "row has 4 fields, expected at most 3" in str(caught.value)


def test_trailing_empty_fields_are_harmless_and_short_rows_padded() -> None:
    table = read_file(READ / "trailing.csv")
    assert table.frame.columns == ["nome", "email", "column_3", "_row"]
    assert table.frame.rows() == [
        ("Ana", "ana@x.com", None, 1),
        ("Bia", "bia@x.com", None, 2),
        ("Caio", None, None, 3),
    ]


def test_header_only_file_is_an_empty_table() -> None:
    table = read_file(READ / "header_only.csv")
    assert table.frame.columns == ["nome", "email", "_row"]
    assert table.frame.height == 0


def test_leading_blank_lines_are_not_records(tmp_path: Path) -> None:
    path = tmp_path / "leading.csv"
    path.write_bytes(b"\r\n\r\nnome,email\r\nAna,ana@x.com\r\n")
    table = read_file(path)
    assert table.frame.rows() == [("Ana", "ana@x.com", 1)]
    assert table.blank_rows == 0


def test_a_stray_quote_is_read_as_a_spreadsheet_would_and_its_row_named(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_bytes(b'produto,qtd\nTV 50" LED,2\nRadio,1\n')
    table = read_file(path)
    assert table.frame.rows() == [('TV 50" LED', "2", 1), ("Radio", "1", 2)]
    assert [(r.row, r.line, r.rule) for r in table.repaired] == [(1, 2, "read.malformed_row")]


def test_a_quote_never_closed_is_a_user_error_naming_its_row(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_bytes(b'produto,qtd\nTV,2\n"Radio,1\nFan,3\n')
    with pytest.raises(UserError, match=r"quotes.csv:2: a quote opened on line 3 is never closed"):
        read_file(path)


def test_given_delimiter_wins_over_sniffing() -> None:
    table = read_file(READ / "pipes.txt", delimiter=",")
    assert table.frame.columns == ["nome|cep|telefone", "_row"]


def test_salesforce_export_row_count_matches_python_csv() -> None:
    path = PUBLIC_DATA / "jsforce_salesforce_Account.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    table = read_file(path)
    assert table.frame.height + table.blank_rows == len(records) - 1
    assert table.frame.columns[:-1] == records[0]
    assert table.frame["DESCRIPTION"].str.contains("\n").sum() > 0
    assert column(table, "ANNUALREVENUE")[0] == "6.11E+10"


# --- spreadsheets ----------------------------------------------------------------------------


def test_xlsx_cells_come_back_as_a_person_saw_them() -> None:
    table = read_file(READ / "contatos.xlsx", sheet="Contatos")
    assert table.sheet == "Contatos"
    assert table.frame.columns[:5] == ["Nome", "column_2", "Email", "Email_2", "Celular"]
    assert column(table, "Celular") == ["5511987654321", "551133334444"]
    assert column(table, "CEP") == ["01310100", "04538133"]
    assert column(table, "Nascimento") == ["1990-03-01", "1985-12-31"]
    assert column(table, "Cadastro") == ["2024-03-01T10:20:00", "2024-03-02T00:00:00"]
    assert column(table, "Ativo") == ["true", "false"]
    assert column(table, "Misto") == ["12", "abc"]
    assert column(table, "Valor") == ["1.5", "1000000"]
    assert column(table, "Email")[1] is None
    assert (column(table, "_row"), table.blank_rows) == ([1, 3], 1)


@pytest.mark.parametrize("sheet", ["Empresas", 1, "1"])
def test_xlsx_sheet_by_name_or_index(sheet: str | int) -> None:
    table = read_file(READ / "contatos.xlsx", sheet=sheet)
    assert table.sheet == "Empresas"
    assert table.frame.rows() == [("ACME", "11222333000181", 1)]


def test_unknown_sheet_lists_the_sheets() -> None:
    with pytest.raises(UserError, match=r"no sheet 'Leads'; expected one of 0: 'Contatos', 1: 'E"):
        read_file(READ / "contatos.xlsx", sheet="Leads")


def test_list_sheets() -> None:
    assert list_sheets(READ / "contatos.xlsx") == ["Contatos", "Empresas"]
    with pytest.raises(UserError, match="not a spreadsheet"):
        list_sheets(READ / "pipes.txt")


def test_corrupt_spreadsheet_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UserError, match="cannot read as a spreadsheet"):
        read_file(path)


# --- JSON and Parquet ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "blank_rows"), [("contatos.json", 1), ("contatos.ndjson", 0)])
def test_json_and_ndjson_values_become_text(name: str, blank_rows: int) -> None:
    table = read_file(READ / name)
    assert table.frame.columns == [
        "nome",
        "telefone",
        "cep",
        "score",
        "tags",
        "endereco",
        "ativo",
        "_row",
    ]
    assert table.frame.row(0) == (
        "Ana",
        "5511987654321",
        "01310100",
        "1.5",
        '["vip","sp"]',
        '{"cidade":"São Paulo"}',
        "true",
        1,
    )
    assert table.frame.row(1) == ("Bia", "(11) 3333-4444", None, "2", None, None, "false", 2)
    assert table.blank_rows == blank_rows


def test_parquet_typed_columns_become_text() -> None:
    table = read_file(READ / "contatos.parquet")
    assert table.frame.rows() == [
        (
            "Ana",
            "5511987654321",
            "1.5",
            "1990-03-01",
            "2024-03-01T10:20:00",
            "true",
            '["vip","sp"]',
            1,
        ),
        ("Bia", None, "2", None, "2024-03-02T00:00:00", "false", "[]", 2),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", b'[{"a": 1}, {"a": ', "expected a JSON array of objects"),
        ("none.json", b"[]", "no columns"),
        ("bad.parquet", b"PAR1 nope", "not a readable Parquet file"),
        ("blank.csv", b"\r\n\n\n", "no columns: the file has only blank lines"),
        ("spaces.csv", b"  ;  \n1;2\n", "no columns: expected column names in the first row"),
        ("notes.docx", b"hello", r"unsupported file type '\.docx'; expected one of \.csv"),
    ],
)
def test_bad_content_is_a_user_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        read_file(path)


# --- files and options -----------------------------------------------------------------------


def test_missing_file_directory_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="file not found"):
        read_file(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="expected a file, got a directory"):
        read_file(tmp_path)
    with pytest.raises(UserError, match=r"file is empty \(0 bytes\)"):
        read_file(READ / "empty.csv")


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("pipes.txt", {"sheet": "x"}, "option sheet does not apply to delimited files"),
        ("contatos.xlsx", {"delimiter": ";"}, "option delimiter does not apply to spreadsheet"),
        ("pipes.txt", {"delimiter": "||"}, "delimiter must be one character"),
    ],
)
def test_options_are_checked(name: str, options: dict[str, str], message: str) -> None:
    with pytest.raises(UserError, match=message):
        read_file(READ / name, **options)  # type: ignore[arg-type]


def test_sources_are_never_written(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    shutil.copytree(READ, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    for path in folder.iterdir():
        with contextlib.suppress(UserError):
            read_file(path)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert after == before


def test_read_source_dispatches_by_kind() -> None:
    table = read_source(READ / "pipes.txt")
    assert (table.name, table.frame.height) == ("pipes", 2)
    with pytest.raises(UserError, match="unknown source kind 'ftp'; expected one of file"):
        read_source(READ / "pipes.txt", kind="ftp")
