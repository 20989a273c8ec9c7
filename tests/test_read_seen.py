"""Conservation from the source: each reader counts the records its source holds apart from
the parse, and a run whose reader loses a row stops with a ConservationError."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from crmclean import pipeline
from crmclean.conservation import ConservationError
from crmclean.read import delimited as delimited_module
from crmclean.read import read_file
from crmclean.read import sql as sql_module
from crmclean.read.sql import read_sql
from crmclean.sources import SourceSpec

CSV = (
    "Nome,E-mail,Notas\n"
    'Ana,ana@x.com,"linha um\nlinha dois"\n'
    "\n"
    "Bruno,bruno@x.com,\n"
    ",,\n"
    'Carla,carla@x.com,"a, b"\n'
)


def test_a_csv_counts_every_record_blank_and_multiline_ones_too(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    table = read_file(path)
    assert table.seen == 5
    assert table.frame.height + table.blank_rows == 5


def test_a_lone_quote_inside_a_field_is_counted_right(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('Nome,Altura\nAna,5"11\nBruno,6\n', encoding="utf-8")
    table = read_file(path)
    assert table.seen == table.frame.height == 2


def test_other_files_count_their_records(tmp_path: Path) -> None:
    rows = [{"name": "Ana", "email": "a@x.com"}, {"name": "Bo", "email": "b@x.com"}]
    (tmp_path / "c.json").write_text(json.dumps(rows), encoding="utf-8")
    lines = "\n".join(json.dumps(row) for row in rows) + "\n\n"
    (tmp_path / "c.ndjson").write_text(lines, encoding="utf-8")
    pl.DataFrame(rows).write_parquet(tmp_path / "c.parquet")
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD\n"
    (tmp_path / "c.vcf").write_text(card + card.replace("Ana", "Bo"), encoding="utf-8")
    for name in ("c.json", "c.ndjson", "c.parquet", "c.vcf"):
        assert read_file(tmp_path / name).seen == 2, name
    sheets = Path(__file__).parent / "data" / "nasty" / "sheets_same_shape.xlsx"
    table = read_file(sheets)
    assert table.seen == table.frame.height + table.blank_rows == 3


def test_a_run_whose_csv_reader_drops_a_row_fails(
    tmp_path: Path, rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    pipeline.run([SourceSpec(path)], rules, stop_before="validate")  # whole: passes
    parse = delimited_module._read
    monkeypatch.setattr(delimited_module, "_read", lambda *a: parse(*a).head(-1))
    with pytest.raises(ConservationError, match="'c' holds 5 records but 2 were read"):
        pipeline.run([SourceSpec(path)], rules, stop_before="validate")


def test_a_run_whose_database_reader_drops_a_row_fails(
    tmp_path: Path, rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE people (id TEXT, name TEXT, email TEXT)"))
        for i in range(4):
            values = {"i": str(i), "n": f"Pessoa {i}", "e": f"p{i}@x.com"}
            conn.execute(sa.text("INSERT INTO people VALUES (:i, :n, :e)"), values)
    engine.dispose()
    assert read_sql(url, "SELECT * FROM people", name="people").seen == 4
    spec = SourceSpec(url=url, table="people")
    pipeline.run([spec], rules, stop_before="validate")
    rows_of = sql_module._frame
    monkeypatch.setattr(sql_module, "_frame", lambda *a: rows_of(*a).head(-1))
    with pytest.raises(ConservationError, match="'people' holds 4 records but 3 were read"):
        pipeline.run([spec], rules, stop_before="validate")


def test_postgres_counts_the_rows_of_a_query(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE seen_people (id TEXT, name TEXT)"))
        conn.execute(sa.text("INSERT INTO seen_people VALUES ('1', 'Ana'), ('2', 'Bo')"))
    engine.dispose()
    table = read_sql(postgres_url, "SELECT * FROM seen_people WHERE id <> '2'", name="p")
    assert table.seen == table.frame.height == 1
