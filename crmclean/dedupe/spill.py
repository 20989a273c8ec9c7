"""Survivorship by partitions of golden ids, each partition's records spilled to Parquet.

A golden record and its merge-log rows depend only on the records of its cluster, so the
clusters can be merged a partition at a time. The normalized files are read once, a slice of
records at a time, each record written with its golden id to the folder of the partition its
golden id hashes to; then each partition's records are read back (in record order, as
survivorship breaks ties by it), merged with :func:`~crmclean.dedupe.merge.golden_records`,
and written out before the next partition is read. Working memory is a slice's or a
partition's, whatever the number of records.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.decisions import apply_overrides, field_overrides
from crmclean.dedupe.matching import DedupeOptions
from crmclean.dedupe.merge import golden_records, merge_log
from crmclean.dedupe.survivorship import Survivorship, flagged_fields
from crmclean.rules import Rules

_PART = "_part"


@dataclass(frozen=True)
class MergeParts:
    """Where the partitions go (``golden/part-N.parquet``, ``merges/part-N.parquet`` under
    ``out``) and how many there are."""

    out: Path
    count: int
    rows: int  # records read from the normalized files at a time

    def path(self, kind: str, part: int) -> Path:
        folder = self.out / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"part-{part:04d}.parquet"

    def spill_folder(self, part: int) -> Path:
        return self.out / "spill" / f"part-{part:04d}"

    def spill(self, part: int, piece: int) -> Path:
        folder = self.spill_folder(part)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"piece-{piece:06d}.parquet"


class Merged(NamedTuple):
    """The golden-record and merge-log files written, one per partition."""

    golden: list[Path]
    merges: list[Path]


def flag_findings(
    findings: list[Path] | None, fields: list[str], rules: Survivorship
) -> pl.DataFrame | None:
    """The findings survivorship reads (warnings and errors on its ``valid_only`` fields)."""
    flagged = flagged_fields(fields, rules)
    if findings is None or not flagged:
        return None
    serious = pl.col("severity").is_in(["warning", "error"]) & pl.col("field").is_in(flagged)
    scan = pl.scan_parquet(findings).filter(serious)
    return scan.select("severity", "field", SOURCE, SOURCE_ID).collect()


def spill_records(scan: pl.LazyFrame, ids: pl.Series, parts: MergeParts, rows: int) -> None:
    """Every record of ``scan`` with its golden id (``ids``, in record order) written to its
    partition's folder, ``rows`` records read at a time (each input row read once)."""
    part_of = (pl.col(GOLDEN_ID).hash() % parts.count).alias(_PART)
    for piece, start in enumerate(range(0, ids.len(), rows)):
        records = scan.slice(start, rows).collect().with_columns(ids.slice(start, rows))
        split = records.with_columns(part_of).partition_by(_PART, as_dict=True, include_key=False)
        for (part,), chunk in split.items():
            chunk.write_parquet(parts.spill(int(part), piece))


def part_records(parts: MergeParts, part: int) -> pl.DataFrame | None:
    """The records spilled to partition ``part``, in record order (None when it has none);
    their files are removed."""
    pieces = sorted(parts.spill_folder(part).glob("*.parquet"))
    if not pieces:
        return None
    records = pl.read_parquet(pieces)
    shutil.rmtree(parts.spill_folder(part))
    return records


def merge_parts(
    scan: pl.LazyFrame,
    ids: pl.Series,
    rules: Rules,
    config: MatchConfig,
    options: DedupeOptions,
    parts: MergeParts,
    findings: list[Path] | None = None,
) -> Merged:
    """Golden records and merge log of the records of ``scan`` clustered by ``ids``
    (their golden ids, in record order), a partition of golden ids at a time, as ``options`` ask
    (nothing without ``options.merge``; the decisions file's field overrides applied)."""
    if not options.merge:
        return Merged([], [])
    fields = rules.model.names
    flags = flag_findings(findings, fields, config.survivorship)
    spill_records(scan, ids, parts, parts.rows)
    golden_files, merge_files = [], []
    for part in range(parts.count):
        records = part_records(parts, part)
        if records is None:
            continue
        golden = golden_records(records, fields, config.survivorship, flags)
        if options.decisions is not None:
            overrides = field_overrides(options.decisions, records)
            golden = apply_overrides(golden, records, overrides)
        golden_files.append(parts.path("golden", part))
        golden.write_parquet(golden_files[-1])
        merge_files.append(parts.path("merges", part))
        merge_log(records, golden, fields).write_parquet(merge_files[-1])
    return Merged(golden_files, merge_files)
