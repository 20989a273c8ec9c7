"""Out of core, the dedupe stage gives the in-memory stage's clusters, golden records and
merge log, on a real sample split over several Parquet files and merged in many partitions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe import DedupeOptions, dedupe
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.merge import golden_records
from crmclean.dedupe.outofcore import Spilled, dedupe_parquet
from crmclean.dedupe.records import ColumnReader
from crmclean.normalize import normalize
from crmclean.resources import bundled_dir
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

CONTACTS = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"
FILES = 3
RULES = bundled_dir("rules")


@pytest.fixture(scope="module")
def normalized() -> Batch:
    rules = Rules()
    return normalize(read_all([SourceSpec(str(CONTACTS))], rules), rules)


@pytest.fixture(scope="module")
def in_memory(normalized: Batch) -> Batch:
    return dedupe(normalized, Rules())


@pytest.fixture(scope="module")
def spilled(normalized: Batch, tmp_path_factory: pytest.TempPathFactory) -> Spilled:
    """The normalized records and findings written to Parquet in slices, deduplicated out of
    core in partitions of about 1,000 records."""
    folder = tmp_path_factory.mktemp("outofcore")
    frame, size = normalized.frame, normalized.frame.height // FILES + 1
    files = []
    for part in range(FILES):
        files.append(folder / f"normalized-{part}.parquet")
        frame.slice(part * size, size).write_parquet(files[-1])
    findings = folder / "findings.parquet"
    normalized.findings.write_parquet(findings)
    return dedupe_parquet(files, folder / "out", Rules(), findings=[findings], part_records=1_000)


def test_same_golden_ids(in_memory: Batch, spilled: Spilled) -> None:
    crosswalk = pl.read_parquet(spilled.crosswalk)
    assert_frame_equal(crosswalk, in_memory.frame.select(SOURCE, SOURCE_ID, GOLDEN_ID))
    assert crosswalk[GOLDEN_ID].n_unique() < crosswalk.height  # some records were merged


def test_same_golden_records(in_memory: Batch, spilled: Spilled) -> None:
    assert len(spilled.golden) > 5
    golden = pl.read_parquet(spilled.golden).sort(GOLDEN_ID)
    assert in_memory.golden is not None
    assert_frame_equal(golden, in_memory.golden)


def test_same_merge_log(in_memory: Batch, spilled: Spilled) -> None:
    merges = pl.read_parquet(spilled.merges).sort(GOLDEN_ID, "field", SOURCE, SOURCE_ID)
    assert in_memory.merges is not None and merges.height > 0
    assert_frame_equal(merges, in_memory.merges)


def test_same_counts(in_memory: Batch, spilled: Spilled) -> None:
    assert spilled.stats == in_memory.stats["dedupe"]


def test_valid_only_fields_read_the_findings(in_memory: Batch, tmp_path: Path) -> None:
    """A ``valid_only`` field skips the values the spilled findings flag, as in memory."""
    match = (RULES / "match.yaml").read_text(encoding="utf-8")
    flagged = "  fields:\n    city: valid_only\n"
    (tmp_path / "match.yaml").write_text(match.replace("  fields:\n", flagged, 1), "utf-8")
    rules = Rules(directory=tmp_path)
    survivorship = load_match_config(rules).survivorship
    records = in_memory.frame.drop(GOLDEN_ID)
    source, findings = tmp_path / "normalized.parquet", tmp_path / "findings.parquet"
    records.write_parquet(source)
    even = pl.col(SOURCE_ID).str.extract(r"(\d+)$").cast(pl.Int64) % 2 == 0
    flags = records.filter(even).select(SOURCE, SOURCE_ID, field=pl.lit("city"))
    flags.with_columns(severity=pl.lit("warning")).write_parquet(findings)
    spilled = dedupe_parquet([source], tmp_path / "out", rules, findings=[findings])
    golden = pl.read_parquet(spilled.golden).sort(GOLDEN_ID)
    fields = rules.model.names
    expected = golden_records(in_memory.frame, fields, survivorship, pl.read_parquet(findings))
    assert_frame_equal(golden, expected)
    unflagged = golden_records(in_memory.frame, fields, survivorship)
    assert not golden["city"].equals(unflagged["city"])


def test_column_reader_reads_one_key_group_at_a_time(normalized: Batch, tmp_path: Path) -> None:
    """A key group's columns only: derived ones derived, optional ones the files lack null."""
    source = tmp_path / "normalized.parquet"
    normalized.frame.drop("birth_place").write_parquet(source)
    read = ColumnReader(pl.scan_parquet(source), Rules())
    columns = read(("email_key", "last_name", "birth_place"))
    assert columns.columns == ["email_key", "last_name", "birth_place"]
    assert columns.height == normalized.frame.height and columns["birth_place"].is_null().all()
    expected = add_keys(normalized.frame, Rules())["email_key"]
    assert columns["email_key"].equals(expected)


def test_no_merge_writes_only_the_crosswalk(normalized: Batch, tmp_path: Path) -> None:
    source = tmp_path / "normalized.parquet"
    normalized.frame.head(500).write_parquet(source)
    spilled = dedupe_parquet([source], tmp_path / "out", Rules(), DedupeOptions(merge=False))
    assert spilled.golden == [] and pl.read_parquet(spilled.crosswalk).height == 500


def test_normalizing_by_slices_gives_the_whole_frame(normalized: Batch) -> None:
    """Normalizers work per value, never from the whole file: slices normalized on their own
    give the frame and findings of one pass (``bench/outofcore.py`` normalizes 10M by slices)."""
    rules = Rules()
    read = read_all([SourceSpec(str(CONTACTS))], rules)
    size = read.frame.height // FILES + 1
    parts = [normalize(Batch(read.frame.slice(i * size, size)), rules) for i in range(FILES)]
    frame = pl.concat([part.frame for part in parts], how="diagonal_relaxed")
    assert_frame_equal(frame.select(normalized.frame.columns), normalized.frame, check_dtypes=False)
    findings = pl.concat([part.findings for part in parts], how="diagonal_relaxed")
    assert_frame_equal(findings, normalized.findings, check_row_order=False, check_dtypes=False)
