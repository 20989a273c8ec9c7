"""The dedupe stage out of core: normalized records left in Parquet, not held in memory.

In memory the stage holds every normalized column of every record from matching to merge
(neutral 1M: 3.9 GB peak). :func:`dedupe_parquet` reads the normalized records from Parquet
files (record ``i`` is row ``i`` of the files read in order) phase by phase:

- ``read``: only the lineage (``_source, _source_id``);
- ``keys``: the matching keys, coded, a key group at a time, each group reading only the
  columns it is built from;
- ``match``: pairs found, scored (by chunks, only the likely ones kept in full) and clustered
  exactly as :func:`crmclean.dedupe.dedupe` does, on record indices;
- ``crosswalk``: ``_source, _source_id, golden_id`` per record, in record order, to Parquet;
- ``merge``: golden records and merge log by partitions of golden ids
  (:mod:`crmclean.dedupe.spill`), each partition written to its own Parquet files.

Same golden ids, golden records and merge log as the in-memory stage (tests/test_outofcore.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe import clusters, stage_counts
from crmclean.dedupe.keys import RECORD, grouped_key_table
from crmclean.dedupe.matching import DedupeOptions, match_config
from crmclean.dedupe.records import ColumnReader
from crmclean.dedupe.spill import MergeParts, merge_parts
from crmclean.rules import Rules

PART_RECORDS = 1_000_000  # records per merge partition (about 2 GB of working memory each)


@dataclass(frozen=True)
class Spilled:
    """What :func:`dedupe_parquet` wrote (the crosswalk, one golden and one merge-log file
    per partition) and the stage's counts."""

    crosswalk: Path
    golden: list[Path]
    merges: list[Path]
    stats: dict[str, int]


def dedupe_parquet(
    files: list[Path],
    out: Path,
    rules: Rules,
    options: DedupeOptions | None = None,
    *,
    findings: list[Path] | None = None,
    part_records: int = PART_RECORDS,
    progress: Callable[[str], None] = lambda _phase: None,
) -> Spilled:
    """Deduplicate the normalized records of ``files`` into folder ``out``; ``findings``
    (normalize's, as Parquet) tell the ``valid_only`` fields which values were flagged.
    ``progress`` is called with each phase's name as it starts."""
    # no review or explain here, and the stats hold no model
    options = replace(options or DedupeOptions(), slim_pairs=True, learned_model=False)
    if options.into_target:
        raise ValueError("out of core, the dedupe stage cannot link into a target yet")
    config = match_config(rules, options)
    scan = pl.concat([pl.scan_parquet(file) for file in files], how="diagonal_relaxed")
    progress("read")
    frame = scan.select(SOURCE, SOURCE_ID).collect().with_row_index(RECORD)
    progress("keys")
    table = grouped_key_table(ColumnReader(scan, rules), config.key_names, config)
    progress("match")
    clustered, scored = clusters(frame, config, options, table)
    del frame, table
    stats = stage_counts(scored, clustered)
    del scored
    progress("crosswalk")
    out.mkdir(parents=True, exist_ok=True)
    crosswalk = out / "crosswalk.parquet"
    clustered.select(SOURCE, SOURCE_ID, GOLDEN_ID).write_parquet(crosswalk)
    ids = clustered[GOLDEN_ID]
    del clustered
    progress("merge")
    parts = MergeParts(out, ids.len() // part_records + 1, part_records)
    written = merge_parts(scan, ids, rules, config, options, parts, findings)
    return Spilled(crosswalk, written.golden, written.merges, stats)
