"""The cluster view's split: cannot-link rows, new golden ids, and in a loaded target the same
split as ``migrate unmerge`` (a run of its own); the next migration keeps them apart."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from test_review_browser import CRM, PLANILHA

from crmclean.api import migrate, migrate_status
from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.load.existing import read_golden
from crmclean.review.clusters import ClusterView
from crmclean.review.run import review_run
from crmclean.review.store import DecisionStore
from crmclean.rules import Rules
from crmclean.sources import SourceSpec


def _golden_of(target: str) -> dict[str, str]:
    _golden, lineage = read_golden(target, Rules())
    return {f"{s}:{i}": g for g, s, i in lineage.select(GOLDEN_ID, SOURCE, SOURCE_ID).iter_rows()}


def test_a_split_in_a_loaded_target_is_an_unmerge_run(tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    (tmp_path / "planilha.csv").write_text(PLANILHA, encoding="utf-8")
    sources = [SourceSpec(tmp_path / "crm.csv"), SourceSpec(tmp_path / "planilha.csv")]
    target = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(sources, target=target)
    before = _golden_of(target)
    assert before["crm:3"] == before["planilha:12"] == before["planilha:14"]

    decisions = tmp_path / "decisions.csv"
    run = review_run(sources, Rules(), decisions)
    clusters = ClusterView(run, DecisionStore(decisions, "ana"), target)
    assert clusters.largest() == [{GOLDEN_ID: before["crm:3"], "members": 3}]
    view = clusters.view(before["crm:3"])
    assert len(view["members"]) == 3 and len(view["edges"]) == 3
    done = clusters.split(before["crm:3"], ("planilha", "14"))
    assert done["target"].startswith("split in the target too (run ")
    assert done["golden_ids"]["planilha:14"] != done["golden_ids"]["crm:3"]
    assert len(clusters.view(before["crm:3"])["members"]) == 2

    after = _golden_of(target)
    assert after["crm:3"] == after["planilha:12"] != after["planilha:14"]
    assert len(migrate_status(target)) == 2
    migrate(sources, target=target, decisions=decisions)  # the next run keeps them apart
    again = _golden_of(target)
    assert again["crm:3"] == again["planilha:12"] != again["planilha:14"]
    rows = pl.read_csv(decisions, infer_schema=False).filter(pl.col("answer") == "split")
    assert rows.height == 2


def test_a_record_not_in_the_cluster_is_refused(tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    (tmp_path / "planilha.csv").write_text(PLANILHA, encoding="utf-8")
    sources = [SourceSpec(tmp_path / "crm.csv"), SourceSpec(tmp_path / "planilha.csv")]
    decisions = tmp_path / "decisions.csv"
    clusters = ClusterView(review_run(sources, Rules(), decisions), DecisionStore(decisions, "a"))
    golden = clusters.largest()[0][GOLDEN_ID]
    assert "error" in clusters.split(golden, ("crm", "1"))
    assert decisions.read_text(encoding="utf-8").count("\n") == 1  # the header only
