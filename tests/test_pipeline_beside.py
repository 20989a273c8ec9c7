"""Every run through the dedupe stage builds the matching keys beside normalize
(:func:`crmclean.pipeline.keys_beside`): migrate into a new target and the audit give what they
gave with the keys built inside the stage; a target holding golden records links from its own
keys."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crmclean import pipeline
from crmclean.api import migrate
from crmclean.audit import audit
from crmclean.dedupe import beside
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

DATA = Path(__file__).parent / "data"
PEOPLE = DATA / "public" / "splink_fake_1000.csv"
PLANTED = DATA / "audit" / "planted.csv"
TABLES = ("contacts", "contact_sources", "merges", "rejects", "findings", "companies")
# Companies the company normalizer rewrites after the keys started (their groups built
# again); the second row names nobody: normalize rejects it after the keys started.
CRM = """id,Nome,E-mail,Telefone,Empresa,Cidade
1,Ana Souza,ana@exemplo.com.br,(11) 98765-4321,ACME LTDA.,São Paulo
2,,,,,
3,Bruno Lima,bruno@exemplo.com.br,(21) 99876-5432,beta comércio ltda,Rio de Janeiro
"""


@pytest.fixture
def verdicts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each key group built early stood (its columns unchanged at the end); every
    early build is let finish first (one still waiting is built again from the final frame,
    unchecked)."""
    seen: list[bool] = []
    original, finish = beside._same, beside.KeysBeside.finish

    def same(early: pl.DataFrame, frame: pl.DataFrame) -> bool:
        seen.append(original(early, frame))
        return seen[-1]

    def settled(keys: beside.KeysBeside, frame: pl.DataFrame) -> None:
        for _columns, early in keys._early.values():
            early.result()
        finish(keys, frame)

    monkeypatch.setattr(beside, "_same", same)
    monkeypatch.setattr(beside.KeysBeside, "finish", settled)
    return seen


def _rows(database: Path) -> dict[str, list[str]]:
    """Every row of the data tables, sorted, without run ids and times."""
    found = {}
    with sqlite3.connect(database) as conn:
        for table in TABLES:
            columns = [row[1] for row in conn.execute(f"pragma table_info({table})")]
            kept = [c for c in columns if c != "run_id" and not c.endswith("_at")]
            selected = ", ".join(f'"{c}"' for c in kept)
            found[table] = sorted(map(repr, conn.execute(f"select {selected} from {table}")))
    return found


def _stage_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs from now on build their keys inside the dedupe stage, as before."""
    monkeypatch.setattr(pipeline, "keys_beside", lambda *_args: None)


def _migrated(sources: list[SourceSpec], database: Path) -> dict[str, list[str]]:
    migrate(sources, target=str(database), on_fail="quarantine")
    return _rows(database)


@pytest.fixture
def sources(tmp_path: Path) -> list[SourceSpec]:
    crm = tmp_path / "crm.csv"
    crm.write_text(CRM, encoding="utf-8")
    return [SourceSpec(PEOPLE), SourceSpec(crm)]


def test_migrate_into_a_new_target_loads_what_keys_built_in_the_stage_load(
    sources: list[SourceSpec],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    verdicts: list[bool],
) -> None:
    taken: list[int] = []
    take = beside.KeysBeside.take
    monkeypatch.setattr(beside.KeysBeside, "take", lambda keys: taken.append(1) or take(keys))
    built = _migrated(sources, tmp_path / "beside.db")
    assert taken == [1]
    assert verdicts and not any(verdicts)  # a record rejected after the start: all rebuilt
    _stage_keys(monkeypatch)
    assert built == _migrated(sources, tmp_path / "stage.db")
    assert len(built["contact_sources"]) == 1001 and len(built["rejects"]) == 2


def test_groups_whose_columns_normalize_changed_are_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verdicts: list[bool]
) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(CRM.replace("2,,,,,\n", ""), encoding="utf-8")
    sources = [SourceSpec(crm)]
    built = _migrated(sources, tmp_path / "beside.db")
    assert True in verdicts and False in verdicts  # cities stood, companies built again
    _stage_keys(monkeypatch)
    assert built == _migrated(sources, tmp_path / "stage.db")


def test_a_target_holding_golden_records_links_from_its_own_keys(
    sources: list[SourceSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No keys beside into a target holding golden records; keys started before the target
    got them (another run loaded meanwhile) are left unread: the stage links."""
    database = tmp_path / "crm.db"
    options = pipeline.RunOptions(target=str(database))
    assert pipeline.keys_beside(Rules(), options) is not None  # no file yet
    migrate(sources[:1], target=str(database))
    assert pipeline.keys_beside(Rules(), options) is None
    again = tmp_path / "again.db"
    migrate(sources[:1], target=str(again))
    started = beside.KeysBeside(Rules(), pipeline.match_config(Rules(), options.dedupe))
    monkeypatch.setattr(pipeline, "keys_beside", lambda *_args: started)
    pipeline.run(sources, Rules(), pipeline.RunOptions(target=str(again), full=True))
    _stage_keys(monkeypatch)
    migrate(sources, target=str(database), full=True)
    assert _rows(again) == _rows(database)


def test_the_audit_document_is_the_one_keys_built_in_the_stage_give(
    monkeypatch: pytest.MonkeyPatch, verdicts: list[bool]
) -> None:
    def document() -> dict[str, Any]:
        found = audit([PLANTED], as_of=date(2026, 1, 1)).to_dict()
        return {key: value for key, value in found.items() if key != "generated_at"}

    built = document()
    assert verdicts
    _stage_keys(monkeypatch)
    assert built == document()
