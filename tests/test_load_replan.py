"""After a quarantine the load plan is the failed one less the quarantined records, when that
is all that changes: the target ends exactly as when the run plans again."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crmclean import into_target
from crmclean.api import migrate
from crmclean.sources import SourceSpec

HEADER = "id,Nome,E-mail,Empresa,Atualizado em\n"
ROWS = (
    "1,Ana Souza,ana@acme.com.br,Acme,2024-01-10\n"
    "2,Ana Souza,ana@acme.com.br,Acme,2024-02-10\n"
    "3,Bruno Lima,bruno@gmail.com,,2099-01-10\n"  # a future date fails the gate
    "4,Bruno Lima,bruno@gmail.com,,2024-01-10\n"
    "5,Carla Dias,carla@gama.com.br,Gama,2024-03-01\n"
)
LATER = "6,Davi Reis,davi@gmail.com,,2099-02-01\n7,Eva Melo,eva@acme.com.br,Acme,2024-04-01\n"
TABLES = (
    "contacts",
    "contact_sources",
    "merges",
    "rejects",
    "findings",
    "companies",
    "company_sources",
)


def _contents(database: Path) -> dict[str, pl.DataFrame]:
    """Every data table's rows without the run ids, sorted; the runs' counts and stats (less
    the inputs' hash: the files' folders differ)."""
    with sqlite3.connect(database) as conn:
        frames = {t: pl.read_database(f"select * from {t}", conn) for t in TABLES}
        found = conn.execute("select counts, stats from runs order by sequence").fetchall()
    runs = [(json.loads(counts), json.loads(stats) | {"inputs": None}) for counts, stats in found]
    return {"runs": pl.DataFrame({"run": [repr(run) for run in runs]})} | {
        t: f.drop("run_id").sort(pl.all()) for t, f in frames.items()
    }


def _runs(folder: Path, first: str = ROWS) -> Path:
    """A first run of ``first``, then one with two more records in a second file; each
    quarantines what fails."""
    folder.mkdir()
    (folder / "crm.csv").write_text(HEADER + first, encoding="utf-8")
    url = f"sqlite:///{folder / 'crm.db'}"
    sources = [SourceSpec(folder / "crm.csv")]
    for more in ("", LATER):
        if more:
            (folder / "more.csv").write_text(HEADER + more, encoding="utf-8")
            sources.append(SourceSpec(folder / "more.csv"))
        result = migrate(sources, target=url, on_fail="quarantine")
        assert result.gate is not None and result.gate.success and result.loaded is not None
    return folder / "crm.db"


def test_the_derived_plan_loads_what_planning_again_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []
    derive = into_target.without_records

    def spy(*args: Any) -> Any:
        made.append(derive(*args))
        return made[-1]

    monkeypatch.setattr(into_target, "without_records", spy)
    derived = _runs(tmp_path / "derived")
    # the second run reads the first file again: its failing records' rejects, which the
    # target holds from the first run, stay as they are, so that plan is made again
    assert len(made) == 2 and made[0] is not None and made[1] is None
    monkeypatch.setattr(into_target, "without_records", lambda *_args: None)
    planned = _runs(tmp_path / "planned")
    mine, theirs = _contents(derived), _contents(planned)
    assert mine["rejects"].filter(stage="validate")["source_id"].sort().to_list() == ["3", "4", "6"]
    for table in ("runs", *TABLES):
        assert mine[table].equals(theirs[table]), table


def test_a_failing_new_record_in_a_second_run_is_derived_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = "".join(row + "\n" for row in ROWS.splitlines() if "2099" not in row)
    made: list[Any] = []
    derive = into_target.without_records
    monkeypatch.setattr(
        into_target, "without_records", lambda *a: made.append(derive(*a)) or made[-1]
    )
    derived = _runs(tmp_path / "derived", clean)
    assert len(made) == 1 and made[0] is not None
    monkeypatch.setattr(into_target, "without_records", lambda *_args: None)
    mine, theirs = _contents(derived), _contents(_runs(tmp_path / "planned", clean))
    assert mine["rejects"]["source_id"].to_list() == ["6"]
    for table in ("runs", *TABLES):
        assert mine[table].equals(theirs[table]), table


def test_a_quarantined_contact_linked_to_a_company(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bruno's records name a company of their own (created from contacts): the company stage
    runs again, and as no other contact changes company only the company tables are planned
    again; Ana's company Acme stays, Beta goes with Bruno."""
    rows = ROWS.replace("bruno@gmail.com,,", "bruno@beta.com.br,Beta,")
    made: list[Any] = []
    derive = into_target.without_records
    monkeypatch.setattr(
        into_target, "without_records", lambda *a: made.append(derive(*a)) or made[-1]
    )
    derived = _runs(tmp_path / "derived", rows)
    assert len(made) == 2 and made[0] is not None and made[0].companies is not None
    monkeypatch.setattr(into_target, "without_records", lambda *_args: None)
    mine, theirs = _contents(derived), _contents(_runs(tmp_path / "planned", rows))
    assert sorted(mine["companies"]["name"].to_list()) == ["Acme", "Gama"]
    for table in ("runs", *TABLES):
        assert mine[table].equals(theirs[table]), table
