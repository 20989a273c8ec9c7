"""``crmclean dedupe --out-of-core``: the dedupe run for inputs larger than memory.

Each source is read, mapped and normalized on its own (:func:`crmclean.pipeline.run`
stopped before dedupe) and written to Parquet in the work folder; then
:func:`~crmclean.dedupe.outofcore.dedupe_parquet` deduplicates the records left there, holding
only their lineage and coded matching keys. Working memory is one source's, then the
matching's; the golden records and merge log come out in partitions. The clusters, golden
records (each with its segment) and merge log are those of the in-memory run
(``tests/test_outofcore_run.py``). Contacts only: company sources, orders, review and explain
need the in-memory run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from crmclean import pipeline
from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.dedupe.outofcore import Spilled, dedupe_parquet
from crmclean.errors import UserError
from crmclean.pipeline import Progress, RunOptions
from crmclean.rules import Rules
from crmclean.segments import segment_golden
from crmclean.segments.assign import SEGMENT
from crmclean.sources import SourceSpec
from crmclean.write import write_table, write_with


@dataclass(frozen=True)
class Normalized:
    """The sources normalized to Parquet: one records and one findings file per source, the
    lineage of every record read and the rejects."""

    files: list[Path]
    findings: list[Path]
    inputs: pl.DataFrame
    rejects: pl.DataFrame


@dataclass(frozen=True)
class SpilledRun:
    """What an out-of-core dedupe run wrote (under the work folder) and counted."""

    spilled: Spilled
    normalized: Normalized

    def crosswalk(self) -> pl.DataFrame:
        """``source, source_id, golden_id`` for every input record, in input order (a rejected
        record's golden id null), as :meth:`crmclean.pipeline.RunResult.crosswalk` gives."""
        ids = pl.read_parquet(self.spilled.crosswalk)
        return self.normalized.inputs.join(
            ids, on=[SOURCE, SOURCE_ID], how="left", maintain_order="left"
        ).rename({SOURCE: "source", SOURCE_ID: "source_id"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.spilled.stats["records"],
            "golden": self.spilled.stats["golden"],
            "rejects": self.normalized.rejects.height,
            "stats": {"dedupe": self.spilled.stats},
            "golden_parts": [str(path) for path in self.spilled.golden],
        }


def normalize_sources(
    sources: list[SourceSpec], rules: Rules, options: RunOptions, folder: Path, progress: Progress
) -> Normalized:
    """Each source read, mapped and normalized alone, its records and findings written to
    ``folder/normalized`` and ``folder/findings``."""
    files: list[Path] = []
    findings: list[Path] = []
    inputs, rejects = [], []
    for number, source in enumerate(sources):
        result = pipeline.run([source], rules, options, stop_before="dedupe", progress=progress)
        batch = result.batch
        if batch.companies is not None:
            raise UserError("company sources need the in-memory run (without --out-of-core)")
        name = f"part-{number:04d}.parquet"
        files.append(_written(batch.frame, folder / "normalized" / name))
        findings.append(_written(batch.findings, folder / "findings" / name))
        inputs.append(result.inputs)
        rejects.append(batch.rejects)
    lineage = pl.concat(inputs, how="vertical_relaxed")
    return Normalized(files, findings, lineage, pl.concat(rejects, how="diagonal_relaxed"))


def _written(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def run_out_of_core(
    sources: list[SourceSpec],
    rules: Rules,
    options: RunOptions,
    folder: Path,
    progress: Progress = lambda _stage: None,
) -> SpilledRun:
    """Read, map and normalize ``sources`` one at a time into ``folder``, then deduplicate
    them out of core into ``folder/out``; every record read ends in the crosswalk with a
    golden id or in the rejects."""
    normalized = normalize_sources(sources, rules, options, folder, progress)
    progress("dedupe")
    spilled = dedupe_parquet(
        normalized.files, folder / "out", rules, options.dedupe, findings=normalized.findings
    )
    for part in spilled.golden:  # segments without orders depend on each record alone
        golden = pl.read_parquet(part)
        segments = segment_golden(golden, rules).assignments[SEGMENT]
        golden.with_columns(segments).write_parquet(part)
    rejected = normalized.rejects.select(SOURCE, SOURCE_ID).unique().height
    if spilled.stats["records"] + rejected != normalized.inputs.height:
        raise RuntimeError("out of core, records were lost between the inputs and the crosswalk")
    return SpilledRun(spilled, normalized)


def write_parts(parts: list[Path], path: Path) -> Path:
    """The partition files ``parts`` (golden records or merge log) as one table at ``path``,
    partition after partition: streamed into one Parquet file, else read whole and written by
    extension."""
    if not parts:
        return write_table(pl.DataFrame(), path)
    scan = pl.concat([pl.scan_parquet(part) for part in parts], how="diagonal_relaxed")
    if path.suffix.lower() == ".parquet":
        return write_with(path, scan.sink_parquet)
    return write_table(scan.collect(), path)
