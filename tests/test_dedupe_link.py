"""Incremental linking decides as a full run does: the same records, matched in one run or
added to a target by a second run, end in the same groups (the same match model deciding).

A namesake at one company: two records of Renata Martins share a personal e-mail; a third
Renata Martins at the same company, with no e-mail, matches the first by name, company and
city alone (a weak link) but has another mobile than the second (a doubted pair). A full run
keeps her apart (``doubting`` in rules/match.yaml); so must a second run that adds the three.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from crmclean.cli import main

HEADERS = ["Nome completo", "E-mail", "Telefone", "Empresa", "Cidade"]
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fabio", "Gabriela", "Heitor", "Iris", "Julio"]
LAST = ["Almeida", "Barbosa", "Cardoso", "Duarte", "Esteves", "Ferraz", "Gusmao", "Holanda",
        "Ibiapina", "Jordao", "Klein", "Lacerda", "Moura", "Nogueira", "Quintela", "Rezende",
        "Siqueira", "Teixeira", "Uchoa", "Valadares"]  # fmt: skip
COMPANIES = ["Vertex Engenharia", "Pampa Logística", "Orion Software", "Delta Consultores",
             "Serra Tecnologia"]  # fmt: skip
CITIES = ["São Paulo", "Rio de Janeiro", "Curitiba", "Recife", "Belo Horizonte"]
NAMESAKES = [
    ["Renata Martins", "renata.martins@gmail.com", "", "Guanabara Logística", "Rio de Janeiro"],
    ["Renata Martins", "renata.martins@gmail.com", "(21) 98111-2233", "Guanabara Logística", ""],
    ["Renata Martins", "", "(21) 98777-6655", "Guanabara Logística", "Rio de Janeiro"],
]


def person(n: int) -> list[str]:
    """A distinct name, e-mail, mobile, company and city per person ``n``."""
    first, last = FIRST[n % len(FIRST)], LAST[n // len(FIRST)]
    email = f"{first.lower()}.{last.lower()}{n}@exemplo.com.br"
    phone = f"(11) 9{7000 + n:04d}-{1000 + 7 * n:04d}"
    return [f"{first} {last}", email, phone, COMPANIES[n % 5], CITIES[n % 5]]


def others() -> list[list[str]]:
    """200 people, every fourth with a second record (the name and e-mail only)."""
    second = [[*person(n)[:2], "", person(n)[3], ""] for n in range(0, 200, 4)]
    return [person(n) for n in range(200)] + second


def migrate(folder: Path, rows: list[list[str]], target: Path, *options: str) -> None:
    """``migrate run`` of ``rows`` (one source file in ``folder``) into ``target``."""
    folder.mkdir(exist_ok=True)
    with (folder / "vendas.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(rows)
    project = folder / "crmclean.yml"
    project.write_text(f"sources:\n  - path: vendas.csv\ntarget: '{target}'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["migrate", "run", str(project), "--json", *options])
    assert result.exit_code == 0, result.output


def groups(target: Path) -> list[list[int]]:
    """The source rows of every golden record of several."""
    rows = sqlite3.connect(target).execute("select source_id, golden_id from contact_sources")
    found: dict[str, list[int]] = {}
    for source_id, golden in rows:
        found.setdefault(golden, []).append(int(source_id))
    return sorted(sorted(group) for group in found.values() if len(group) > 1)


def test_records_added_by_a_second_run_end_in_the_groups_of_one_run(tmp_path: Path) -> None:
    everyone = others() + NAMESAKES
    model = tmp_path / "model.json"
    migrate(tmp_path / "once", everyone, tmp_path / "once.db", "--save-model", str(model))
    migrate(tmp_path / "twice", others(), tmp_path / "twice.db", "--model", str(model))
    migrate(tmp_path / "twice", everyone, tmp_path / "twice.db", "--model", str(model))
    once, twice = groups(tmp_path / "once.db"), groups(tmp_path / "twice.db")
    first = len(others()) + 1  # the namesakes' source rows
    assert [first, first + 1] in once  # the third kept apart by doubt
    assert not any(first + 2 in group for group in once)
    assert twice == once
