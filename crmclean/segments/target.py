"""Segment a target's golden records, store the run in its history, and show the moves."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID
from crmclean.load.existing import read_golden
from crmclean.load.run import now
from crmclean.load.schema import RUN_ID
from crmclean.load.sqlite_bulk import side_files
from crmclean.load.target import connect, open_engine
from crmclean.rules import Rules
from crmclean.segments import OrderSource, Segmented, segment_golden
from crmclean.segments.assign import SEGMENT
from crmclean.segments.history import (
    COLUMNS,
    current_segments,
    history_runs,
    resolve_run,
    segments_of,
    write_segments,
)
from crmclean.segments.moves import MOVE_SCHEMA, moves
from crmclean.segments.rfm import RFM_SEGMENT


@dataclass(frozen=True)
class SegmentRun:
    """One segment run on a target: its id, the assignments, and the moves since ``since``."""

    run_id: str
    segmented: Segmented
    since: str | None = None
    moves: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MOVE_SCHEMA))
    rfm_moves: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MOVE_SCHEMA))

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            **self.segmented.to_dict(),
            "since": self.since,
            "moves": self.moves.to_dicts(),
            "rfm_moves": self.rfm_moves.to_dicts(),
        }


def history_rows(segmented: Segmented, run_id: str) -> pl.DataFrame:
    """The assignments as ``segment_history`` rows of ``run_id``."""
    stamp = now().isoformat()
    return segmented.assignments.with_columns(
        pl.lit(run_id).alias(RUN_ID),
        pl.lit(stamp).alias("assigned_at"),
        pl.lit(segmented.as_of.isoformat()).alias("as_of"),
    ).select(COLUMNS)


def segment_target(
    target: str,
    rules: Rules,
    *,
    orders: Sequence[OrderSource] = (),
    as_of: date | None = None,
    since: str | None = None,
    run_id: str | None = None,
    write: bool = True,
    segmented: Segmented | None = None,
) -> SegmentRun:
    """Segment every golden record of ``target`` and (with ``write``) store the run as
    ``run_id`` (a load run's id, or a new one); ``since`` (a run id or prefix) adds the moves.
    ``segmented``: the target's golden records already segmented by the caller (a load's plan,
    :func:`~crmclean.segments.stage.segment_plan`), so they are not read back."""
    if segmented is None:
        golden, lineage = read_golden(target, rules)
        segmented = segment_golden(golden, rules, lineage=lineage, orders=orders, as_of=as_of)
    run_id = run_id or uuid.uuid4().hex
    engine = open_engine(target)
    try:
        with side_files(engine.url) as side, connect(engine) as conn, conn.begin():
            before = None
            if since is not None:
                since = resolve_run(history_runs(conn), since)
                before = segments_of(conn, since)
            if write:
                write_segments(conn, history_rows(segmented, run_id), side)
    finally:
        engine.dispose()
    if before is None:
        return SegmentRun(run_id, segmented)
    after = segmented.assignments
    return SegmentRun(
        run_id, segmented, since, moves(before, after, SEGMENT), moves(before, after, RFM_SEGMENT)
    )


def with_segments(golden: pl.DataFrame, target: str) -> pl.DataFrame:
    """``golden`` (rows of the target's ``contacts``) with their current ``segment``."""
    engine = open_engine(target)
    try:
        with connect(engine) as conn:
            current = current_segments(conn)
    finally:
        engine.dispose()
    return golden.join(current, on=GOLDEN_ID, how="left", maintain_order="left")
