"""Incremental linking: ``migrate run`` twice, the second time with 1% new records.

The target's golden records enter the dedupe stage as already-clustered input: every golden id
of the first run survives unchanged, a new record of a known person joins that person's golden
record, a new person gets a golden record of their own, a changed record stays where it was,
and only the new and changed records are matched again. On SQLite and the real PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmclean.cli import main
from tests.test_load import read

HEADERS = ["ID", "Nome", "E-mail", "Telefone", "Cidade"]
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Íris", "Júlio"]
LAST = ["Almeida", "Barbosa", "Cardoso", "Duarte", "Esteves", "Ferraz", "Gusmão", "Holanda",
        "Ibiapina", "Jordão", "Klein", "Lacerda", "Moura", "Nogueira", "Quintela", "Rezende",
        "Siqueira", "Teixeira", "Uchoa", "Valadares"]  # fmt: skip
CITIES = ["São Paulo", "Rio de Janeiro", "Curitiba", "Recife", "Belo Horizonte"]
PEOPLE = 200  # 1% new records is 2


def person(n: int) -> list[str]:
    """Source row ``n``: a distinct name, e-mail and mobile number per person."""
    first, last = FIRST[n % len(FIRST)], LAST[n // len(FIRST)]
    email = f"{first.lower()}.{last.lower()}{n}@exemplo.com.br".replace("í", "i").replace("á", "a")
    phone = f"(11) 9{7000 + n:04d}-{1000 + 7 * n:04d}"
    return [str(n + 1), f"{first} {last}", email, phone, CITIES[n % len(CITIES)]]


def write(
    tmp_path: Path, rows: list[list[str]], target: str, decisions: list[str] | None = None
) -> Path:
    """The source file and a project over it (with a decisions file of ``decisions`` rows)."""
    with (tmp_path / "crm.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    text = f"sources:\n  - path: crm.csv\ntarget: '{target}'\n"
    if decisions is not None:
        header = "source_a,source_id_a,source_b,source_id_b,decision"
        (tmp_path / "decisions.csv").write_text("\n".join([header, *decisions]) + "\n")
        text += "decisions: decisions.csv\n"
    project = tmp_path / "crmclean.yml"
    project.write_text(text, encoding="utf-8")
    return project


def migrate_run(project: Path) -> dict:
    result = CliRunner().invoke(main, ["migrate", "run", str(project), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def crosswalk(target: str) -> dict[str, str]:
    return dict(read(target, "select source_id, golden_id from contact_sources"))


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def test_a_second_run_links_new_records_and_keeps_every_golden_id(
    tmp_path: Path, target: str
) -> None:
    rows = [person(n) for n in range(PEOPLE)]
    first = migrate_run(write(tmp_path, rows, target))
    assert first["plan"]["golden_insert"] == PEOPLE
    before = crosswalk(target)

    known = rows[41]  # a known person arrives again from a web form, written differently
    again = [str(PEOPLE + 1), known[1].upper(), known[2], known[3], ""]
    stranger = [str(PEOPLE + 2), "Zuleica Prado", "zuleica@prado.net", "(31) 3333-4444", "Natal"]
    changed = [*rows[7][:3], "(11) 91234-0000", rows[7][4]]  # a new phone, the same person
    second_rows = [*rows[:7], changed, *rows[8:], again, stranger]
    second = migrate_run(write(tmp_path, second_rows, target))

    after = crosswalk(target)
    assert {k: after[k] for k in before} == before  # every record keeps its golden id
    assert after[again[0]] == before[known[0]]  # linked to the known person
    assert after[stranger[0]] not in before.values()  # a golden record of its own
    dedupe = second["stats"]["dedupe"]
    assert dedupe["fresh_records"] == 3 and dedupe["known_records"] == PEOPLE - 1
    assert dedupe["linked_records"] == 2 and dedupe["merged_golden"] == 0
    assert second["plan"] == {
        "golden_insert": 1,
        "golden_update": 2,  # the known person gained a record; the changed one's phone
        "golden_merge": 0,
        "golden_delete": 0,
        "records_insert": 2,
        "records_update": 1,
        "records_delete": 0,
    }
    golden = {row[0] for row in read(target, "select golden_id from contacts")}
    assert golden == set(before.values()) | {after[stranger[0]]}


def test_linked_golden_records_keep_the_smallest_id(tmp_path: Path) -> None:
    target = str(tmp_path / "crm.db")
    rows = [person(n) for n in range(20)]
    migrate_run(write(tmp_path, rows, target))
    before = crosswalk(target)
    second = migrate_run(write(tmp_path, rows, target, ["crm,3,crm,9,must-link"]))
    after = crosswalk(target)
    assert after["3"] == after["9"] == min(before["3"], before["9"])
    assert second["plan"]["golden_merge"] == 1 and second["stats"]["dedupe"]["merged_golden"] == 1
    assert {k: v for k, v in after.items() if k not in ("3", "9")} == {
        k: v for k, v in before.items() if k not in ("3", "9")
    }


def test_a_split_golden_record_keeps_its_id_with_the_larger_part(tmp_path: Path) -> None:
    target = str(tmp_path / "crm.db")
    ana = person(0)
    copies = [[str(n), *ana[1:]] for n in (1, 2, 3)]  # one person sent three times
    rows = [*copies, *(person(n) for n in range(4, 12))]
    migrate_run(write(tmp_path, rows, target))
    before = crosswalk(target)
    assert before["1"] == before["2"] == before["3"]
    migrate_run(write(tmp_path, rows, target, ["crm,1,crm,3,cannot-link"]))
    after = crosswalk(target)
    ids = [after[k] for k in "123"]
    assert after["1"] != after["3"] and ids.count(before["1"]) == 2  # the larger part keeps it
    assert {k: after[k] for k in before if k not in "123"} == {
        k: v for k, v in before.items() if k not in "123"
    }
