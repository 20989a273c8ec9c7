"""vCard files and Dynamics 365 workbooks (hidden sheet) read into source tables."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from crmclean.errors import UserError
from crmclean.read import read_file

FOLDED = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Maria\r\n  de Souza\r\nN:de Souza;Ana;Maria;Dra.;\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:ana@ex.com.br\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+55 11 91111-2222\r\nTEL;type=HOME:11 3333-4444\r\n"
    "TEL;type=WORK:11 5555-6666\r\nORG:Clínica\\, Souza;Pediatria\r\nEND:VCARD\r\n"
)
QUOTED = (
    "BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Ara=FAjo;Jos=E9;;;\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:linha um=0D=0A=\nlinha dois\nTEL;CELL;PREF:+5521987654321\n"
    "END:VCARD\n"
)


def test_folded_lines_groups_and_types(tmp_path: Path):
    path = tmp_path / "iphone.vcf"
    path.write_text(FOLDED, encoding="utf-8")
    row = read_file(path).frame.row(0, named=True)
    assert row["FN"] == "Ana Maria de Souza"
    assert (row["N-FAMILY"], row["N-GIVEN"], row["N-MIDDLE"], row["N-PREFIX"]) == (
        "de Souza",
        "Ana",
        "Maria",
        "Dra.",
    )
    assert row["EMAIL"] == "ana@ex.com.br" and row["TEL-CELL"] == "+55 11 91111-2222"
    assert row["TEL"] == "11 3333-4444; 11 5555-6666" and row["ORG"] == "Clínica, Souza"
    assert row["OTHER"] == "X-ABLABEL:_$!<Work>!$_"


def test_vcard_21_quoted_printable_with_charset(tmp_path: Path):
    path = tmp_path / "android.vcf"
    path.write_bytes(QUOTED.encode("ascii"))
    row = read_file(path).frame.row(0, named=True)
    assert (row["N-FAMILY"], row["N-GIVEN"]) == ("Araújo", "José")
    assert row["NOTE"] == "linha um\r\nlinha dois" and row["TEL-CELL"] == "+5521987654321"


def test_a_file_without_cards_is_a_user_error(tmp_path: Path):
    path = tmp_path / "empty.vcf"
    path.write_text("not a card\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"empty\.vcf: no BEGIN:VCARD"):
        read_file(path)


def test_dynamics_hidden_sheet_is_skipped_unless_named(tmp_path: Path):
    path = tmp_path / "contacts.xlsx"
    book = xlsxwriter.Workbook(path)
    hidden = book.add_worksheet("hiddenSheet")
    hidden.write_row(0, 0, ["contact", "metadata"])
    hidden.hide()
    data = book.add_worksheet("My Active Contacts")
    data.write_row(0, 0, ["(Do Not Modify) Contact", "Full Name"])
    data.write_row(1, 0, ["a1b2", "Ana Souza"])
    data.activate()
    book.close()
    table = read_file(path)
    assert table.sheet == "My Active Contacts" and table.frame["Full Name"].to_list() == [
        "Ana Souza"
    ]
    assert read_file(path, sheet="hiddenSheet").frame.columns[:2] == ["contact", "metadata"]
