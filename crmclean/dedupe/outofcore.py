"""The dedupe stage out of core: normalized records left in Parquet, not held in memory.

In memory the stage holds every normalized column of every record from matching to merge
(neutral 1M: 3.9 GB peak). :func:`dedupe_parquet` reads the normalized records from Parquet
files (record ``i`` is row ``i`` of the files read in order) phase by phase:

- ``read``: only the lineage and the columns the matching keys are built from;
- ``match``: pairs found, scored (by chunks, only the likely ones kept in full) and clustered
  exactly as :func:`crmclean.dedupe.dedupe` does, on record indices;
- ``crosswalk``: ``_source, _source_id, golden_id`` per record, in record order, to Parquet;
- ``merge``: golden records and merge log by partitions of golden ids
  (:mod:`crmclean.dedupe.spill`), each partition written to its own Parquet files.

Same golden ids, golden records and merge log as the in-memory stage (tests/test_outofcore.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe import clusters, stage_counts
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.derived_keys import DERIVED, add_keys
from crmclean.dedupe.keys import RECORD, key_group
from crmclean.dedupe.matching import DedupeOptions, match_config
from crmclean.dedupe.spill import MergeParts, merge_parts
from crmclean.rules import Rules

PART_RECORDS = 1_000_000  # records per merge partition (about 2 GB of working memory each)
_DERIVED_FROM = ("email", "company")  # the columns add_keys derives its keys from


@dataclass(frozen=True)
class Spilled:
    """What :func:`dedupe_parquet` wrote (the crosswalk, one golden and one merge-log file
    per partition) and the stage's counts."""

    crosswalk: Path
    golden: list[Path]
    merges: list[Path]
    stats: dict[str, int]


def matching_columns(schema: pl.Schema, config: MatchConfig) -> list[str]:
    """The lineage and the columns of ``schema`` the matching keys are built from."""
    inputs = [column for name in config.key_names for column in key_group(name).inputs]
    wanted = [SOURCE, SOURCE_ID, *_DERIVED_FROM, *inputs]
    return [c for c in dict.fromkeys(wanted) if c in schema and c not in DERIVED]


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
    options = options or DedupeOptions()
    if options.into_target:
        raise ValueError("out of core, the dedupe stage cannot link into a target yet")
    config = match_config(rules, options)
    scan = pl.scan_parquet(files)
    progress("read")
    columns = matching_columns(scan.collect_schema(), config)
    frame = add_keys(scan.select(columns).collect(), rules).with_row_index(RECORD)
    progress("match")
    clustered, scored = clusters(frame, config, options)
    del frame
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
