"""The segment stage of a run: after dedupe, each golden record gets its segment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.errors import UserError
from crmclean.rules import Rules
from crmclean.segments import OrderSource, Segmented, load_rules, segment_golden
from crmclean.segments.assign import SEGMENT

if TYPE_CHECKING:
    from crmclean.load.plan import LoadPlan


def segment_stage(batch: Batch, rules: Rules, orders: Sequence[OrderSource] = ()) -> Batch:
    """``batch.golden`` with a ``segment`` column; the sizes and orders counts in the stats."""
    if batch.golden is None:
        return batch
    lineage = batch.frame.select(GOLDEN_ID, SOURCE, SOURCE_ID)
    segmented = segment_golden(batch.golden, rules, lineage=lineage, orders=orders)
    golden = batch.golden.with_columns(segmented.assignments[SEGMENT])
    counted = batch.add_stats("segment", **segmented.sizes)
    if segmented.orders:
        counted = counted.add_stats("orders", **segmented.orders)
    return replace(counted, golden=golden)


def segment_fields(rules: Rules) -> tuple[str, ...]:
    """The golden record fields :func:`segment_stage` reads without orders: those the segment
    files test, and the last activity (RFM's recency)."""
    spec, rfm_map = load_rules(rules)
    tested = {c.field for file in (spec, rfm_map) for s in file.segments for c in s.conditions()}
    return tuple(name for name in rules.model.names if name in tested | {"last_activity_at"})


def segment_plan(
    plan: LoadPlan | None, rules: Rules, orders: Sequence[OrderSource]
) -> Segmented | None:
    """Before a load: the golden records the target will hold after it (``plan.after``),
    segmented, so the load writes each new one with its segment. None without a plan or with
    orders (linking orders needs every record's lineage, read back after the load)."""
    if plan is None or plan.empty or orders:
        return None
    return segment_golden(plan.after, rules)


def record_segments(
    target: str,
    rules: Rules,
    orders: Sequence[OrderSource],
    run_id: str,
    segmented: Segmented | None = None,
) -> None:
    """After a load: every golden record the target now holds (``segmented``, the plan's,
    when the run has no orders; else read back), segmented and stored under the load's run id
    (``segment_history``, ``contacts.segment`` where it differs)."""
    from crmclean.segments.target import segment_target  # SQLAlchemy: only after a load

    segment_target(target, rules, orders=orders, run_id=run_id, segmented=segmented)


def check_segment_inputs(rules: Rules, orders: Sequence[OrderSource]) -> None:
    """Before any work: the segment files valid and every orders file there (user errors)."""
    load_rules(rules)
    for source in orders:
        if not source.path.is_file():
            raise UserError("orders file not found", file=str(source.path))
