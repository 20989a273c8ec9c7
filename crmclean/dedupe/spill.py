"""Survivorship by partitions of golden ids, each partition's records read back from Parquet.

A golden record and its merge-log rows depend only on the records of its cluster, so the
clusters can be merged a partition at a time: the records whose golden id hashes to the
partition are read from the normalized files (in record order, as survivorship breaks ties
by it), merged with :func:`~crmclean.dedupe.merge.golden_records`, and written out before the
next partition is read. Working memory is one partition's, whatever the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.decisions import apply_overrides, field_overrides
from crmclean.dedupe.keys import RECORD
from crmclean.dedupe.matching import DedupeOptions
from crmclean.dedupe.merge import golden_records, merge_log
from crmclean.dedupe.survivorship import Survivorship, flagged_fields
from crmclean.rules import Rules


@dataclass(frozen=True)
class MergeParts:
    """Where the partitions go (``golden/part-N.parquet``, ``merges/part-N.parquet`` under
    ``out``) and how many there are."""

    out: Path
    count: int

    def path(self, kind: str, part: int) -> Path:
        folder = self.out / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"part-{part:04d}.parquet"


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


def part_records(scan: pl.LazyFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """The records of ``scan`` whose ``_record`` is in ``ids`` (with their ``golden_id``), in
    record order."""
    indexed = scan.with_row_index(RECORD).join(ids.lazy(), on=RECORD, how="inner")
    return indexed.collect(engine="streaming").sort(RECORD).drop(RECORD)


def merge_parts(
    scan: pl.LazyFrame,
    ids: pl.DataFrame,
    rules: Rules,
    config: MatchConfig,
    options: DedupeOptions,
    parts: MergeParts,
    findings: list[Path] | None = None,
) -> Merged:
    """Golden records and merge log of the records of ``scan`` clustered by ``ids``
    (``_record, golden_id``), a partition of golden ids at a time, as ``options`` ask
    (nothing without ``options.merge``; the decisions file's field overrides applied)."""
    if not options.merge:
        return Merged([], [])
    fields = rules.model.names
    flags = flag_findings(findings, fields, config.survivorship)
    part_of = pl.col(GOLDEN_ID).hash() % parts.count
    golden_files, merge_files = [], []
    for part in range(parts.count):
        records = part_records(scan, ids.filter(part_of == part))
        golden = golden_records(records, fields, config.survivorship, flags)
        if options.decisions is not None:
            overrides = field_overrides(options.decisions, records)
            golden = apply_overrides(golden, records, overrides)
        golden_files.append(parts.path("golden", part))
        golden.write_parquet(golden_files[-1])
        merge_files.append(parts.path("merges", part))
        merge_log(records, golden, fields).write_parquet(merge_files[-1])
    return Merged(golden_files, merge_files)
