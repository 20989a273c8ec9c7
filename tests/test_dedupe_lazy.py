"""``dedupe_files`` builds only what it writes: a crosswalk-only run (no ``_raw``, golden
records of the segments' fields only, no merge log) gives the crosswalk and ``--json``
document of a run writing golden records and the merge log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crmclean.api import dedupe_files
from crmclean.batch import RAW
from crmclean.pipeline import RunResult
from crmclean.rules import Rules
from crmclean.segments.stage import segment_fields
from crmclean.sources import SourceSpec

HEADER = "id,first_name,last_name,email,phone,city,lifecycle_stage,last_activity_at,updated_at\n"
ROWS = [
    "1,Ieda,Zanetti,ieda@acme.com,,Recife,lead,2026-11-01,2024-01-01",
    "2,Ieda,Zanetti,ieda@acme.com,+5581999990001,Recife,customer,2020-01-01,2023-01-01",
    "3,Ana,Costa,ana@acme.com,,,opportunity,,2024-01-01",
    "4,Ana Maria,Costa,ana@acme.com,+5511988887777,Sao Paulo,,2026-10-01,2020-01-01",
    "5,Bruno,Lima,bruno@lima.com.br,,Natal,customer,2019-05-01,2021-01-01",
    "6,Bruno,Lima,bruno@lima.com.br,,Natal,,2026-09-01,2022-01-01",
    "7,Carla,Dias,carla@dias.com,+5521977776666,Rio,subscriber,2026-08-01,2022-01-01",
    "8,Davi,Rocha,,+5531966665555,BH,,,",
]


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    path = tmp_path / "contatos.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def _document(result: RunResult) -> dict[str, Any]:
    """The ``--json`` document less what differs between any two runs (when learned)."""
    document = result.to_dict()
    assert document["model"] is not None
    document["model"] = {k: v for k, v in document["model"].items() if k == "records"}
    return document


def test_a_crosswalk_only_run_gives_a_full_runs_crosswalk_and_stats(
    source: Path, tmp_path: Path
) -> None:
    specs = [SourceSpec(source)]
    alone = dedupe_files(specs, crosswalk=tmp_path / "cw_alone.csv")
    full = dedupe_files(
        specs,
        crosswalk=tmp_path / "cw_full.csv",
        golden=tmp_path / "golden.parquet",
        merges=tmp_path / "merges.csv",
    )
    crosswalk = pl.read_csv(tmp_path / "cw_alone.csv", infer_schema=False)
    assert crosswalk.equals(pl.read_csv(tmp_path / "cw_full.csv", infer_schema=False))
    assert crosswalk["golden_id"].n_unique() < crosswalk.height  # some records merged
    assert _document(alone) == _document(full)
    assert alone.batch.stats["segment"] == full.batch.stats["segment"]
    assert RAW not in alone.batch.frame.columns
    assert alone.batch.merges is None and full.batch.merges is not None
    assert alone.batch.golden is not None and full.batch.golden is not None
    narrow = alone.batch.golden.columns
    assert "first_name" not in narrow and "lifecycle_stage" in narrow
    assert alone.batch.golden.equals(full.batch.golden.select(narrow))


def test_golden_alone_builds_every_field_and_no_merge_log(source: Path, tmp_path: Path) -> None:
    result = dedupe_files(
        [SourceSpec(source)], crosswalk=tmp_path / "cw.csv", golden=tmp_path / "g.csv"
    )
    assert result.batch.merges is None
    written = pl.read_csv(tmp_path / "g.csv", infer_schema=False)
    assert {"first_name", "city", "lifecycle_stage"} <= set(written.columns)


def test_segment_fields_are_those_the_segment_files_test() -> None:
    fields = segment_fields(Rules())
    assert {"lifecycle_stage", "last_activity_at"} <= set(fields)
    assert "first_name" not in fields


def test_slim_pairs_give_the_full_pairs_crosswalk_stats_and_model(
    source: Path, tmp_path: Path
) -> None:
    """Without ``--review`` or ``--explain`` the pairs keep only what clustering reads: the
    same crosswalk, stats and model (``--json``) as a run keeping every pair's evidence."""
    specs = [SourceSpec(source)]
    slim = dedupe_files(specs, crosswalk=tmp_path / "cw_slim.csv")
    full = dedupe_files(specs, crosswalk=tmp_path / "cw_full.csv", review=tmp_path / "r.csv")
    crosswalk = pl.read_csv(tmp_path / "cw_slim.csv", infer_schema=False)
    assert crosswalk.equals(pl.read_csv(tmp_path / "cw_full.csv", infer_schema=False))
    assert crosswalk["golden_id"].n_unique() < crosswalk.height  # some records merged
    assert slim.batch.stats["dedupe"] == full.batch.stats["dedupe"]
    assert _document(slim) == _document(full)
    assert slim.batch.model is not None and full.batch.model is not None
    assert slim.batch.model.model_id == full.batch.model.model_id
    assert slim.batch.pairs is not None and full.batch.pairs is not None
    assert slim.batch.pairs.height == full.batch.pairs.height
    evidence = {c for c in full.batch.pairs.columns if c.startswith("sim_")}
    assert evidence and not evidence & set(slim.batch.pairs.columns)  # slim: no evidence


def test_the_records_come_back_only_for_a_report_reading_them(source: Path, tmp_path: Path) -> None:
    """A crosswalk-only run leaves the records' columns on disk after the stage (the frame:
    lineage, golden ids, survivorship's columns); a blocking report reads them, so its run
    gets them back. Both give the same crosswalk and ``--json`` document."""
    specs = [SourceSpec(source)]
    alone = dedupe_files(specs, crosswalk=tmp_path / "cw_alone.csv")
    report = dedupe_files(
        specs, crosswalk=tmp_path / "cw_report.csv", blocking_report=tmp_path / "blocking.csv"
    )
    crosswalk = pl.read_csv(tmp_path / "cw_alone.csv", infer_schema=False)
    assert crosswalk.equals(pl.read_csv(tmp_path / "cw_report.csv", infer_schema=False))
    assert _document(alone) == _document(report)
    assert {"first_name", "email_key"} <= set(report.batch.frame.columns)
    assert not {"first_name", "email_key"} & set(alone.batch.frame.columns)
    assert {"_source", "_source_id", "golden_id"} <= set(alone.batch.frame.columns)
    assert alone.batch.frame.height == report.batch.frame.height == len(ROWS)
