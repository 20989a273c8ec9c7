"""What the dedupe stage never reads, set aside on disk while it runs (its memory peak is the
run's).

The records' ``_raw`` (each source row as JSON, for the load's lineage) and the findings no
survivorship reads (any below ``warning``; ``valid_only`` reads the others) wait in Parquet
files in a temporary folder; :func:`take_back` puts them back in their place and order once
the stage is over (a run into a target keeps ``_raw``: its stored records merge with
them). Neutral 1M: 2.95M findings and 1M ``_raw`` values out of memory.

A run with no target sets aside the records too (``records``): the frame keeps only their
lineage and the batch only the findings survivorship reads (warnings and errors on its
``valid_only`` fields); the dedupe stage builds the matching keys from the records' columns
on disk and reads back what the merge reads, then the whole frame
(:class:`~crmclean.dedupe.records.ColumnReader` reads the scan set aside here). Neutral 1M:
the records' 40 columns and 1.4M warnings out of memory while the pairs are scored. What the
stage reads is the caller's to say (the fields whose findings survivorship reads): this
module knows nothing of the dedupe stage.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from crmclean.batch import RAW, SOURCE, SOURCE_ID, Batch

SERIOUS = ("warning", "error")  # the severities survivorship's valid_only reads
_FINDINGS, _RAW, _RECORDS = "findings.parquet", "raw.parquet", "records.parquet"
GROUP_ROWS = 2**18  # the records' rows per row group: the writer holds one group's pages


@dataclass(frozen=True)
class Aside:
    """Where the set-aside parts wait: the findings to take back (``written``: else the
    batch's are them, of which the first ``kept`` stayed on the batch), the frame's ``_raw``
    (its column ``raw_at``; None: not to take back), and the records' scan (None: not set
    aside)."""

    folder: Path
    kept: int
    raw_at: int | None
    left_out: int  # the findings neither kept nor written (nobody takes them back)
    written: bool = False
    records: pl.LazyFrame | None = None


def set_aside(
    batch: Batch,
    folder: Path,
    keep: bool = True,
    raw: bool = True,
    records: Collection[str] | None = None,
    columns: Collection[str] | None = None,
) -> tuple[Batch, Aside]:
    """``batch`` with only its serious findings and, with ``raw``, without ``_raw`` (a run into
    a target merges its stored records, ``_raw`` and all); the rest in ``folder`` (nowhere
    without ``keep``: nobody takes them back). With ``records`` (the fields whose serious
    findings the stage reads), the records and the serious findings wait in ``folder`` too:
    the frame keeps only its lineage and the findings only those on ``records``; of the
    records, only ``columns`` when given (all the stage reads back: the others leave). When
    ``folder`` cannot take them (a full disk) everything stays in memory: setting aside only
    saves memory, it never fails a run."""
    raw = raw and RAW in batch.frame.columns
    serious = batch.findings.filter(pl.col("severity").is_in(SERIOUS))
    taken = batch.findings if keep else serious
    written = keep or records is not None
    try:
        if written:
            # as the records: written and read back at the speed of a copy (neutral 1M, 1.4M
            # warnings: 0.30 s CPU instead of 0.40 with lz4 and column statistics)
            taken.write_parquet(folder / _FINDINGS, compression="uncompressed", statistics=False)
        if keep and raw:
            lineage = batch.frame.select(SOURCE, SOURCE_ID, RAW)
            lineage.write_parquet(folder / _RAW, compression="lz4")
        if records is not None:
            scan = _records(_kept(batch.frame, columns), folder)
    except OSError:
        return batch, Aside(folder, batch.findings.height, None, 0)
    frame, raw_at, scanned = batch.frame, None, None
    if raw:
        raw_at = frame.get_column_index(RAW) if keep else None
        frame = frame.drop(RAW)
    if records is not None:
        frame, scanned = frame.select(SOURCE, SOURCE_ID), scan
        serious = serious.filter(pl.col("field").is_in(list(records)))
    left_out = batch.findings.height - taken.height
    aside = Aside(folder, serious.height, raw_at, left_out, written, scanned)
    return replace(batch, frame=frame, findings=serious), aside


def _kept(frame: pl.DataFrame, columns: Collection[str] | None) -> pl.DataFrame:
    """The columns of ``frame`` to set aside: ``columns`` (those it holds), else all but
    ``_raw``."""
    if columns is None:
        return frame.drop(RAW, strict=False)
    return frame.select(name for name in frame.columns if name in set(columns))


def _records(frame: pl.DataFrame, folder: Path) -> pl.LazyFrame:
    """``frame`` written to ``folder`` (uncompressed: written and read back at the speed of
    a copy), :data:`GROUP_ROWS` rows a row group (a single one held every page of the file
    in memory while it was written; :class:`~crmclean.dedupe.records.ColumnReader` joins
    a column's chunks), and its scan."""
    path = folder / _RECORDS
    frame.write_parquet(path, compression="uncompressed", row_group_size=GROUP_ROWS)
    return pl.scan_parquet(path)


def take_back(batch: Batch, aside: Aside) -> Batch:
    """``batch`` with what :func:`set_aside` took: every finding written in its order (then
    those the stage added) and each record's ``_raw`` in its column."""
    findings = batch.findings
    if aside.written:
        added = batch.findings.slice(aside.kept)
        findings = pl.concat([pl.read_parquet(aside.folder / _FINDINGS), added], rechunk=False)
    if aside.raw_at is None:
        return replace(batch, findings=findings)
    return replace(batch, frame=_with_raw(batch.frame, aside), findings=findings)


def _with_raw(frame: pl.DataFrame, aside: Aside) -> pl.DataFrame:
    """``frame`` with ``_raw`` back at its column: as it was when the rows kept their order,
    else joined back by lineage."""
    raw = pl.read_parquet(aside.folder / _RAW)
    same = frame[SOURCE].equals(raw[SOURCE]) and frame[SOURCE_ID].equals(raw[SOURCE_ID])
    if not same:
        raw = frame.select(SOURCE, SOURCE_ID).join(
            raw, on=[SOURCE, SOURCE_ID], how="left", maintain_order="left"
        )
    restored = frame.clone()
    restored.insert_column(min(aside.raw_at or 0, frame.width), raw[RAW])
    return restored
