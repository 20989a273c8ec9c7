"""crmclean.aside: what the dedupe stage never reads comes back in its place and order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crmclean import pipeline
from crmclean.aside import set_aside, take_back
from crmclean.batch import RAW, Batch
from crmclean.dedupe import DedupeOptions, golden_fields, survivorship_reads
from crmclean.dedupe.merge import merge_columns
from crmclean.dedupe.records import ColumnReader
from crmclean.pipeline import RunOptions
from crmclean.resources import bundled_dir
from crmclean.rules import Rules
from crmclean.segments.stage import segment_fields
from crmclean.sources import SourceSpec

DATA = Path(__file__).parent / "data" / "public"
RULES = bundled_dir("rules")


def _batch() -> Batch:
    frame = pl.DataFrame(
        {
            "_source": ["a", "a", "b"],
            "_source_id": ["1", "2", "1"],
            "_row": [1, 2, 1],
            RAW: ['{"n": "x"}', '{"n": "y"}', '{"n": "z"}'],
            "email": ["x@a.com", None, "z@b.com"],
        }
    )
    findings = pl.DataFrame(
        {
            "_source": ["a", "a", "b", "b"],
            "_source_id": ["1", "2", "1", "1"],
            "field": ["email", "phone", "email", "phone"],
            "code": ["EM01", "PH01", "EM02", "PH02"],
            "rule": ["r1", "r2", "r3", "r4"],
            "severity": ["info", "warning", "error", "info"],
            "before": ["X", "1", "z@b", "2"],
            "after": ["x", None, None, "+2"],
        }
    )
    return Batch(frame).add_findings(findings)


def test_set_aside_keeps_what_survivorship_reads(tmp_path: Path) -> None:
    lean, aside = set_aside(_batch(), tmp_path)
    assert RAW not in lean.frame.columns
    assert lean.findings["severity"].to_list() == ["warning", "error"]
    assert aside.left_out == 0  # every finding comes back
    assert set_aside(_batch(), tmp_path, keep=False)[1].left_out == 2


def test_take_back_restores_order_and_appended_findings(tmp_path: Path) -> None:
    batch = _batch()
    lean, aside = set_aside(batch, tmp_path)
    extra = batch.findings.head(1).with_columns(code=pl.lit("DD01"))
    staged = lean.with_frame(lean.frame.with_columns(golden_id=pl.lit("g"))).add_findings(extra)
    back = take_back(staged, aside)
    assert_frame_equal(back.frame.drop("golden_id"), batch.frame)
    assert_frame_equal(back.findings, pl.concat([batch.findings, extra]))


def test_take_back_joins_raw_when_rows_moved(tmp_path: Path) -> None:
    batch = _batch()
    lean, aside = set_aside(batch, tmp_path)
    back = take_back(replace(lean, frame=lean.frame.reverse()), aside)
    assert_frame_equal(back.frame, batch.frame.reverse())


def test_nothing_written_when_nobody_takes_back(tmp_path: Path) -> None:
    set_aside(_batch(), tmp_path, keep=False)
    assert not list(tmp_path.iterdir())


def test_a_full_disk_keeps_everything_in_memory(tmp_path: Path, monkeypatch) -> None:
    """Setting aside only saves memory: a folder that cannot take the files fails nothing."""

    def full(self: pl.DataFrame, target: object, *_a: object, **_k: object) -> None:
        Path(str(target)).write_bytes(b"half a fi")
        raise OSError(28, "No space left on device")

    batch = _batch()
    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    lean, aside = set_aside(batch, tmp_path)
    monkeypatch.undo()
    assert_frame_equal(lean.frame, batch.frame)
    assert_frame_equal(lean.findings, batch.findings)
    back = take_back(lean.with_frame(lean.frame.with_columns(golden_id=pl.lit("g"))), aside)
    assert_frame_equal(back.frame.drop("golden_id"), batch.frame)
    assert_frame_equal(back.findings, batch.findings)


def test_a_run_left_without_them_says_the_same(rules: Rules) -> None:
    """``take_back=False`` (``crmclean dedupe``): the same clusters and golden records, every
    finding still counted; the full run has every ``_raw`` and finding back."""
    sources = [SourceSpec(DATA / "splink_fake_1000.csv")]
    full = pipeline.run(sources, rules, stop_before="validate")
    lean = pipeline.run(
        sources, rules, RunOptions(take_back=False, companies=False), stop_before="validate"
    )
    assert RAW in full.batch.frame.columns and RAW not in lean.batch.frame.columns
    assert_frame_equal(full.crosswalk(), lean.crosswalk())
    assert full.batch.golden is not None and lean.batch.golden is not None
    assert_frame_equal(full.batch.golden, lean.batch.golden)
    assert lean.to_dict()["findings"] == full.to_dict()["findings"] == full.batch.findings.height
    normalized = pipeline.run(sources, rules, stop_before="dedupe").batch
    assert_frame_equal(full.batch.findings.head(normalized.findings.height), normalized.findings)
    assert_frame_equal(full.batch.frame.select(normalized.frame.columns), normalized.frame)


def test_a_run_without_aside_or_raw_says_the_same(rules: Rules) -> None:
    """``aside=False, raw=False`` (the audit's run): nothing set aside, no ``_raw`` built, and
    else the very records, clusters, golden records and findings of a full run."""
    sources = [SourceSpec(DATA / "splink_fake_1000.csv")]
    full = pipeline.run(sources, rules, stop_before="validate")
    lean = pipeline.run(sources, rules, RunOptions(aside=False, raw=False), stop_before="validate")
    assert RAW not in lean.batch.frame.columns
    assert_frame_equal(full.batch.frame.drop(RAW), lean.batch.frame)
    assert_frame_equal(full.batch.findings, lean.batch.findings)
    assert full.batch.golden is not None and lean.batch.golden is not None
    assert_frame_equal(full.batch.golden, lean.batch.golden)
    said, lean_said = full.to_dict(), lean.to_dict()
    assert {**lean_said, "model": None} == {**said, "model": None}  # the model: when learned


def _valid_only_email(folder: Path) -> Rules:
    """The bundled rules with the e-mail's survivor picked among unflagged values."""
    match = (RULES / "match.yaml").read_text(encoding="utf-8")
    flagged = "  fields:\n    email: valid_only\n"
    (folder / "match.yaml").write_text(match.replace("  fields:\n", flagged, 1), "utf-8")
    return Rules(directory=folder)


def test_records_wait_on_disk_with_the_serious_findings(tmp_path: Path, rules: Rules) -> None:
    """With ``records`` the frame keeps its lineage and the batch no finding survivorship
    reads (the bundled rules flag no field valid_only); the serious ones come back."""
    batch = _batch()
    lean, aside = set_aside(batch, tmp_path, keep=False, records=survivorship_reads(rules))
    assert lean.frame.columns == ["_source", "_source_id"] and lean.findings.is_empty()
    assert aside.records is not None and aside.left_out == 2
    records = ColumnReader(aside.records, rules)
    assert_frame_equal(records(("_row", "email")), batch.frame.select("_row", "email"))
    extra = batch.findings.head(1).with_columns(code=pl.lit("DD01"))
    back = take_back(lean.add_findings(extra), aside)
    serious = batch.findings.filter(pl.col("severity").is_in(["warning", "error"]))
    assert_frame_equal(back.findings, pl.concat([serious, extra]))


def test_records_in_several_row_groups_read_back_whole(
    tmp_path: Path, rules: Rules, monkeypatch
) -> None:
    """Records written a row group at a time (the writer holds one group's pages) read back
    in order, each column in one chunk."""
    monkeypatch.setattr("crmclean.aside.GROUP_ROWS", 2)
    batch = _batch()
    _, aside = set_aside(batch, tmp_path, keep=False, records=survivorship_reads(rules))
    assert aside.records is not None
    assert pl.scan_parquet(tmp_path / "records.parquet").collect()["_row"].n_chunks() == 2
    read = ColumnReader(aside.records, rules)(("_row", "email"))
    assert_frame_equal(read, batch.frame.select("_row", "email"))
    assert [column.n_chunks() for column in read.get_columns()] == [1, 1]


def test_valid_only_fields_keep_their_findings(tmp_path: Path) -> None:
    read = survivorship_reads(_valid_only_email(tmp_path))
    assert read == ["email"]
    lean, aside = set_aside(_batch(), tmp_path, records=read)
    assert lean.findings["code"].to_list() == ["EM02"]  # the e-mail's error, not the phone's
    assert aside.left_out == 0


@pytest.mark.parametrize("merge", ["full", "lean"])
def test_a_run_with_its_records_aside_says_the_same(tmp_path: Path, merge: str) -> None:
    """The records on disk while the stage runs (a run with no target): the very frame,
    clusters, golden records, merge log and findings as with everything in memory, with a
    ``valid_only`` field reading the findings, every golden field or only the segments'."""
    rules = _valid_only_email(tmp_path)
    sources = [SourceSpec(DATA / "splink_fake_1000.csv")]
    lean = {"full_golden": False, "merge_log": False, "take_back": False, "raw": False}
    chosen = RunOptions(**(lean if merge == "lean" else {}))  # type: ignore[arg-type]
    aside = pipeline.run(sources, rules, chosen, stop_before="validate")
    held = pipeline.run(sources, rules, replace(chosen, aside=False), stop_before="validate")
    assert_frame_equal(aside.batch.frame, held.batch.frame)
    assert aside.batch.golden is not None and held.batch.golden is not None
    assert_frame_equal(aside.batch.golden, held.batch.golden)
    if merge == "full":
        assert aside.batch.merges is not None and held.batch.merges is not None
        assert_frame_equal(aside.batch.merges, held.batch.merges)
        assert_frame_equal(aside.batch.findings, held.batch.findings)
    assert {**aside.to_dict(), "model": None} == {**held.to_dict(), "model": None}


def test_a_crosswalk_run_sets_aside_only_what_the_merge_reads(
    rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``crmclean dedupe``'s run (the frame not read back whole): of the records, only the
    columns the merge reads go to disk, and the crosswalk, golden records and counts are those
    of a run setting every column aside."""
    written: list[list[str]] = []

    def spy(*args: object, **kwargs: object) -> tuple[Batch, object]:
        lean, aside = set_aside(*args, **kwargs)  # type: ignore[arg-type]
        assert aside.records is not None
        written.append(aside.records.collect_schema().names())
        return lean, aside

    monkeypatch.setattr(pipeline, "set_aside", spy)
    sources = [SourceSpec(DATA / "splink_fake_1000.csv")]
    lean = {"full_golden": False, "merge_log": False, "take_back": False, "raw": False}
    narrow = RunOptions(**lean, companies=False, whole_frame=False)  # type: ignore[arg-type]
    crosswalk = pipeline.run(sources, rules, narrow, stop_before="validate")
    whole = pipeline.run(sources, rules, replace(narrow, whole_frame=True), stop_before="validate")
    fields = golden_fields(rules, DedupeOptions(golden_fields=segment_fields(rules)))
    assert set(written[0]) <= set(merge_columns(fields)) < set(written[1])
    assert_frame_equal(crosswalk.crosswalk(), whole.crosswalk())
    assert crosswalk.batch.golden is not None and whole.batch.golden is not None
    assert_frame_equal(crosswalk.batch.golden, whole.batch.golden)
    assert {**crosswalk.to_dict(), "model": None} == {**whole.to_dict(), "model": None}
