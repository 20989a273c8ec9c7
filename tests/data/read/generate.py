"""Write the ugly sample files of this folder (run once; the bytes are committed).

.venv/bin/python tests/data/read/generate.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import polars as pl
import xlsxwriter

HERE = Path(__file__).parent

# cp1252 only: the en dash and curly quotes (0x96, 0x93, 0x94) are C1 controls in latin-1.
BRAZIL = (
    "Código;Nome;Sobrenome;E-mail;Telefone;CEP;Cidade;Observação;Faturamento\r\n"
    "001;João;Conceição;joao@exemplo.com.br;(11) 98765-4321;01310-100;São Paulo;"
    "cliente “VIP” – desde 2019;1.234,56\r\n"
    "002;Maria;Araújo;maria@exemplo.com.br;+55 21 3333-4444;04538133;Rio de Janeiro;;0,5\r\n"
    "\r\n"
    "003;José;D'Ávila;  ;5511987654321;01001000;Florianópolis;já comprou, pagou à vista;10\r\n"
)

BOM_HEADERS = (
    " Nome ,,Email,Email,Telefone\n"
    "Ana,x,ana@exemplo.com,ana@pessoal.com,011987654321\n"
    ",,,,\n"
    "\n"
    "Bia,   ,bia@exemplo.com,,\n"
)

TABS = "nome\temail\tendereco\nAna Lima\tana@x.com\tRua A, 10; apto 2\nBia\tbia@x.com\tAv. B, 20\n"

PIPES = "nome|cep|telefone\nAna|01310100|0800 123 4567\nBia|04538-133|(11) 3333-4444\n"

MULTILINE = (
    "nome,endereco,nota\n"
    'Ana,"Rua A, 10\nApto 2\nSão Paulo","disse ""olá""; tudo | certo"\n'
    'Bia,"Av. B, 20","linha 1\r\nlinha 2"\n'
    "Caio,Rua C,\n"
)

RAGGED = "nome,email,telefone\nAna,ana@x.com,111\nBia,bia@x.com\nCaio,caio@x.com,333,extra\n"

TRAILING = "nome;email;\nAna;ana@x.com;\nBia;bia@x.com;;;\nCaio\n"


def write_texts() -> None:
    """Delimited text samples in their encodings."""
    (HERE / "contatos_cp1252.csv").write_bytes(BRAZIL.encode("cp1252"))
    (HERE / "bom_headers.csv").write_bytes(BOM_HEADERS.encode("utf-8-sig"))
    (HERE / "tabs.tsv").write_bytes(TABS.encode("utf-8"))
    (HERE / "pipes.txt").write_bytes(PIPES.encode("utf-8"))
    (HERE / "multiline.csv").write_bytes(MULTILINE.encode("utf-8"))
    (HERE / "ragged.csv").write_bytes(RAGGED.encode("utf-8"))
    (HERE / "trailing.csv").write_bytes(TRAILING.encode("utf-8"))
    (HERE / "mac_classic.csv").write_bytes(PIPES.replace("|", ",").replace("\n", "\r").encode())
    (HERE / "unicode_text.txt").write_bytes(TABS.replace("\n", "\r\n").encode("utf-16"))
    (HERE / "header_only.csv").write_bytes(b"nome;email\r\n")
    (HERE / "empty.csv").write_bytes(b"")
    noise = random.Random(7).randbytes(600)
    (HERE / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise)


def write_workbook() -> None:
    """Two sheets: typed cells (numbers, text digits, dates, booleans) and a second table."""
    book = xlsxwriter.Workbook(HERE / "contatos.xlsx")
    book.set_properties({"created": dt.datetime(2024, 3, 1)})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet = book.add_worksheet("Contatos")
    sheet.write_row(
        0,
        0,
        [
            "Nome",
            "",
            "Email",
            "Email",
            "Celular",
            "CEP",
            "Nascimento",
            "Cadastro",
            "Ativo",
            "Misto",
            "Valor",
        ],
    )
    sheet.write_row(1, 0, ["Ana", "x", "ana@x.com", "ana@y.com", 5511987654321, "01310100"])
    sheet.write_datetime(1, 6, dt.datetime(1990, 3, 1), day)
    sheet.write_datetime(1, 7, dt.datetime(2024, 3, 1, 10, 20), stamp)
    sheet.write_row(1, 8, [True, 12, 1.5])
    sheet.write_row(3, 0, ["Bia", None, "   ", None, 551133334444, "04538133"])
    sheet.write_datetime(3, 6, dt.datetime(1985, 12, 31), day)
    sheet.write_datetime(3, 7, dt.datetime(2024, 3, 2), stamp)
    sheet.write_row(3, 8, [False, "abc", 1000000])
    other = book.add_worksheet("Empresas")
    other.write_row(1, 1, ["Empresa", "CNPJ"])
    other.write_row(2, 1, ["ACME", "11222333000181"])
    book.close()


def write_structured() -> None:
    """JSON array, NDJSON and Parquet with numbers, mixed types and nested values."""
    records = [
        {
            "nome": "Ana",
            "telefone": 5511987654321,
            "cep": "01310100",
            "score": 1.5,
            "tags": ["vip", "sp"],
            "endereco": {"cidade": "São Paulo"},
            "ativo": True,
        },
        {"nome": "Bia", "telefone": "(11) 3333-4444", "score": 2, "ativo": False},
        {},
    ]
    (HERE / "contatos.json").write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records[:2])
    (HERE / "contatos.ndjson").write_text(lines + "\n", "utf-8")
    frame = pl.DataFrame(
        {
            "nome": ["Ana", "Bia"],
            "telefone": [5511987654321, None],
            "score": [1.5, 2.0],
            "nascimento": [dt.date(1990, 3, 1), None],
            "cadastro": [dt.datetime(2024, 3, 1, 10, 20), dt.datetime(2024, 3, 2)],
            "ativo": [True, False],
            "tags": [["vip", "sp"], []],
        }
    )
    frame.write_parquet(HERE / "contatos.parquet")


if __name__ == "__main__":
    write_texts()
    write_workbook()
    write_structured()
