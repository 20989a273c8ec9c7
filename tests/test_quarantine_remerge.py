"""Quarantine builds golden records again only when one that lost records still has some: a
first run whose failing golden records lose all their records gives the same golden records,
merge log and crosswalk as when every golden record is built again."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crmclean import into_target, pipeline
from crmclean.api import migrate
from crmclean.sources import SourceSpec
from crmclean.validate.quarantine import needs_remerge, quarantine

ROWS = (
    "id,Nome,E-mail,Atualizado em\n"
    "1,Ana Souza,ana@acme.com.br,2024-01-10\n"
    "2,Ana Souza,ana@acme.com.br,2024-02-10\n"
    "3,Bruno Lima,bruno@beta.com.br,2099-01-10\n"  # a future date fails the gate
    "4,Bruno Lima,bruno@beta.com.br,2024-01-10\n"
    "5,Carla Dias,carla@gama.com.br,2024-03-01\n"
)


def _run(tmp_path: Path, name: str) -> pipeline.RunResult:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "crm.csv").write_text(ROWS, encoding="utf-8")
    url = f"sqlite:///{folder / 'crm.db'}"
    return migrate([SourceSpec(folder / "crm.csv")], target=url, on_fail="quarantine")


def _sorted(result: pipeline.RunResult) -> tuple[pl.DataFrame, ...]:
    """Golden records (without the segment, which a rebuild leaves to the load to assign
    again), the merge log the target gets and crosswalk, in a fixed order."""
    batch, plan = result.batch, result.plan
    assert batch.golden is not None and plan is not None
    golden = batch.golden.drop("segment", strict=False)
    golden = golden.select(sorted(golden.columns)).sort("golden_id")
    frame = batch.frame.select("_source", "_source_id", "golden_id").sort("_source_id")
    merges = plan.changes["merges"].insert
    return golden, merges.sort(merges.columns), frame


def test_skipping_the_rebuild_gives_what_a_rebuild_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skipped = _run(tmp_path, "skipped")
    monkeypatch.setattr(into_target, "needs_remerge", lambda *_args: True)
    rebuilt = _run(tmp_path, "rebuilt")
    assert skipped.gate is not None and skipped.gate.success and skipped.quarantined is not None
    assert skipped.batch.rejects.filter(stage="validate")["_source_id"].sort().to_list() == [
        "3",
        "4",
    ]
    for mine, theirs in zip(_sorted(skipped), _sorted(rebuilt), strict=True):
        assert mine.equals(theirs)
    assert skipped.loaded is not None and rebuilt.loaded is not None
    assert skipped.loaded.counts == rebuilt.loaded.counts


def test_a_golden_record_left_with_records_is_rebuilt(tmp_path: Path) -> None:
    """Quarantining one of two records of a golden record (here by hand) needs a rebuild."""
    result = _run(tmp_path, "one")
    batch = result.batch
    ana = batch.frame.filter(_source_id="1").select("_source", "_source_id")
    rejects = ana.with_columns(
        stage=pl.lit("validate"), column=pl.lit("email"), rule=pl.lit("x"),
        expected=pl.lit("x"), actual=pl.lit("x"),
    )  # fmt: skip
    assert needs_remerge(batch, rejects)
    assert quarantine(batch, rejects).frame.height == batch.frame.height - 1
    whole = batch.frame.filter(golden_id=batch.frame.filter(_source_id="5")["golden_id"][0])
    alone = whole.select("_source", "_source_id").with_columns(
        stage=pl.lit("validate"), column=pl.lit("email"), rule=pl.lit("x"),
        expected=pl.lit("x"), actual=pl.lit("x"),
    )  # fmt: skip
    assert not needs_remerge(batch, alone)
