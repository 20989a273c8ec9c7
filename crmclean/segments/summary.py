"""The latest segment run of a target and the moves since the one before, read for the audit's
document (:mod:`crmclean.segments.report` draws it). The audit imports this module only for a
database source: it imports SQLAlchemy."""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa

from crmclean.load.schema import RUN_ID
from crmclean.load.target import target_url
from crmclean.segments.assign import SEGMENT
from crmclean.segments.history import HISTORY, history_runs, segments_of
from crmclean.segments.moves import moves
from crmclean.segments.rfm import RFM_SEGMENT


def _sizes(assigned: pl.DataFrame, column: str) -> dict[str, int]:
    counts = assigned.group_by(column).len().sort(["len", column], descending=[True, False])
    return {str(name): int(count) for name, count in counts.iter_rows()}


def segment_summary(location: str) -> dict[str, Any] | None:
    """The latest segment run of the target at ``location`` and its moves since the previous
    one; None when the target has no segment history. Only reads."""
    engine = sa.create_engine(target_url(location))
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(HISTORY):
                return None
            runs = history_runs(conn)
            if runs.is_empty():
                return None
            latest = runs.row(-1, named=True)
            after = segments_of(conn, latest[RUN_ID])
            before = segments_of(conn, runs[RUN_ID][-2]) if runs.height > 1 else None
    finally:
        engine.dispose()
    return {
        "run_id": latest[RUN_ID],
        "as_of": latest["as_of"],
        "previous_run_id": None if before is None else runs[RUN_ID][-2],
        "sizes": _sizes(after, SEGMENT),
        "rfm_sizes": _sizes(after, RFM_SEGMENT),
        "moves": [] if before is None else moves(before, after, SEGMENT).to_dicts(),
    }
