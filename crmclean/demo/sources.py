"""The three demo source files: a cp1252 spreadsheet, a CRM export and an event XLSX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from random import Random

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from crmclean.demo.rows import Appearance, Row, crm_row, evento_row, planilha_row
from crmclean.demo.vocab import Vocab

PLANILHA_HEADERS = [
    "Código", "Nome completo", "E-mail", "Telefone", "Celular", "Empresa", "Cargo", "Cidade",
    "UF", "CEP", "Data de cadastro", "Aceita receber e-mails",
]  # fmt: skip
CRM_HEADERS = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Company Name", "Job Title", "City", "State/Region", "Postal Code", "Country/Region",
    "Lifecycle Stage", "Contact owner", "Create Date", "Last Modified Date",
]  # fmt: skip
EVENTO_HEADERS = ["Nome", "Sobrenome", "Email", "WhatsApp", "Empresa", "Data de inscrição"]
TruthRow = tuple[str, str, str]
_WORKBOOK_CREATED = datetime(2025, 3, 15, 12, 0)


def _text_frame(rows: list[Row], headers: list[str]) -> pl.DataFrame:
    columns = {h: [row.get(h) for row in rows] for h in headers}
    return pl.DataFrame(columns, schema=dict.fromkeys(headers, pl.String))


def write_planilha(path: Path, rows: list[Row], vocab: Vocab) -> None:
    """Excel's "CSV (separado por vírgulas)" in Brazil: cp1252, ``;``, CRLF."""
    text = _text_frame(rows, PLANILHA_HEADERS).write_csv(separator=";", line_terminator="\r\n")
    path.write_bytes(text.encode("cp1252"))


def write_crm(path: Path, rows: list[Row], vocab: Vocab) -> None:
    """A HubSpot-style export: UTF-8, ``,``."""
    _text_frame(rows, CRM_HEADERS).write_csv(path)


def _write_cell(sheet: Worksheet, at: tuple[int, int], value: object, when: Format) -> None:
    if isinstance(value, datetime):
        sheet.write_datetime(*at, value, when)
    elif isinstance(value, int):
        sheet.write_number(*at, value)
    elif isinstance(value, str):
        sheet.write_string(*at, value)


def write_evento(path: Path, rows: list[Row], vocab: Vocab) -> None:
    """The sign-up sheet first, then a sheet of instructions a reader must skip."""
    with xlsxwriter.Workbook(path) as book:
        book.set_properties({"created": _WORKBOOK_CREATED, "author": "Eventos"})
        when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        sheet = book.add_worksheet("Inscrições")
        sheet.write_row(0, 0, EVENTO_HEADERS, book.add_format({"bold": True}))
        for r, row in enumerate(rows, start=1):
            for c, header in enumerate(EVENTO_HEADERS):
                _write_cell(sheet, (r, c), row.get(header), when)
        notes = book.add_worksheet("Instruções")
        for r, line in enumerate(vocab.instructions):
            notes.write_string(r, 0, line)


def codigo_ids(rng: Random, count: int) -> list[str]:
    """``C0001``, ``C0002``... (wider when needed)."""
    width = max(4, len(str(count)))
    return [f"C{n:0{width}d}" for n in range(1, count + 1)]


def record_ids(rng: Random, count: int) -> list[str]:
    """Increasing CRM ids with gaps (deleted records)."""
    gaps = [rng.randint(1, 9) for _ in range(count)]
    return [str(n) for n in accumulate(gaps, initial=51000)][1:]


def row_numbers(rng: Random, count: int) -> list[str]:
    """1-based data row numbers, for a source without an id column."""
    return [str(n) for n in range(1, count + 1)]


@dataclass(frozen=True)
class Source:
    """One demo source: how a person's record looks there and how the file is written."""

    stem: str  # the source name the pipeline will use
    extension: str
    share: int  # how likely a person is to be in this source, relative to the others
    jobs: str  # which job its records show when someone moved: "old", "new" or "both"
    id_column: str | None
    make_ids: Callable[[Random, int], list[str]]
    render: Callable[[Random, Vocab, Appearance], tuple[datetime, Row]]
    write: Callable[[Path, list[Row], Vocab], None]

    @property
    def file_name(self) -> str:
        """The file's name in the case directory."""
        return self.stem + self.extension


SOURCES = (
    Source(
        "planilha_clientes", ".csv", 4, "old", "Código", codigo_ids, planilha_row, write_planilha
    ),
    Source("crm_export", ".csv", 4, "both", "Record ID", record_ids, crm_row, write_crm),
    Source("evento_inscricoes", ".xlsx", 2, "new", None, row_numbers, evento_row, write_evento),
)


def write_source(
    rng: Random, vocab: Vocab, source: Source, seen: list[Appearance], path: Path
) -> list[TruthRow]:
    """Render, order by date, number and write one source; return its truth rows."""
    rendered = [source.render(rng, vocab, appearance) for appearance in seen]
    order = sorted(range(len(rendered)), key=lambda i: rendered[i][0])
    rows = [rendered[i][1] for i in order]
    ids = source.make_ids(rng, len(rows))
    if source.id_column:
        for row, source_id in zip(rows, ids, strict=True):
            row[source.id_column] = source_id
    source.write(path, rows, vocab)
    return [(source.stem, sid, seen[i].person.person_id) for sid, i in zip(ids, order, strict=True)]
