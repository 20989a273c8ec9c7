"""What the dedupe stage never reads, set aside on disk while it runs (its memory peak is the
run's).

The records' ``_raw`` (each source row as JSON, for the load's lineage) and the findings no
survivorship reads (any below ``warning``; ``valid_only`` reads the others) wait in Parquet
files in a temporary folder; :func:`take_back` puts them back in their place and order once
the stage is over (a run into a target keeps ``_raw``: its stored records merge with
them). Neutral 1M: 2.95M findings and 1M ``_raw`` values out of memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from crmclean.batch import RAW, SOURCE, SOURCE_ID, Batch

SERIOUS = ("warning", "error")  # the severities survivorship's valid_only reads
_FINDINGS, _RAW = "findings.parquet", "raw.parquet"


@dataclass(frozen=True)
class Aside:
    """Where the set-aside parts wait: ``kept`` serious findings stayed on the batch and the
    frame's ``_raw`` was its column ``raw_at`` (None: the frame had none)."""

    folder: Path
    kept: int
    raw_at: int | None
    left_out: int  # the findings not kept on the batch


def set_aside(
    batch: Batch, folder: Path, keep: bool = True, raw: bool = True
) -> tuple[Batch, Aside]:
    """``batch`` with only its serious findings and, with ``raw``, without ``_raw`` (a run into
    a target merges its stored records, ``_raw`` and all); the rest in ``folder`` (nowhere
    without ``keep``: nobody takes them back). When ``folder`` cannot take them (a full disk)
    everything stays in memory: setting aside only saves memory, it never fails a run."""
    raw = raw and RAW in batch.frame.columns
    if keep:
        try:
            _write(batch, folder, raw)
        except OSError:
            return batch, Aside(folder, batch.findings.height, None, 0)
    serious = batch.findings.filter(pl.col("severity").is_in(SERIOUS))
    frame, raw_at = batch.frame, None
    if raw:
        raw_at = frame.get_column_index(RAW)
        frame = frame.drop(RAW)
    return replace(batch, frame=frame, findings=serious), Aside(
        folder, serious.height, raw_at, batch.findings.height - serious.height
    )


def _write(batch: Batch, folder: Path, raw: bool) -> None:
    """The findings and, with ``raw``, each record's ``_raw`` with its lineage, into ``folder``."""
    batch.findings.write_parquet(folder / _FINDINGS, compression="lz4")
    if raw:
        batch.frame.select(SOURCE, SOURCE_ID, RAW).write_parquet(folder / _RAW, compression="lz4")


def take_back(batch: Batch, aside: Aside) -> Batch:
    """``batch`` with what :func:`set_aside` took: every finding in its order (then those the
    stage added) and each record's ``_raw`` in its column."""
    if aside.left_out == 0 and aside.raw_at is None:
        return batch  # nothing was set aside
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
