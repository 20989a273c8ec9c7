"""The whole job on one page: read -> map -> normalize -> dedupe -> validate -> load.

``audit`` (stopped before clusters are merged into golden records) and ``migrate plan`` are
this run stopped early; only ``migrate run`` passes a target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe import DedupeOptions, dedupe
from crmclean.fingerprint import config_hash
from crmclean.load import LoadPlan, LoadResult, RunInfo, plan_load
from crmclean.load.gated import gate_and_load
from crmclean.load.staging import STAGE_ROWS
from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.segments.orders import OrderSource
from crmclean.segments.stage import check_segment_inputs, record_segments, segment_stage
from crmclean.sources import SourceSpec, read_all
from crmclean.validate import GateResult, validate

Stage = Literal["normalize", "dedupe", "merge", "validate", "load", "end"]
ORDER: list[Stage] = ["normalize", "dedupe", "merge", "validate", "load", "end"]
Progress = Callable[[str], None]


@dataclass
class RunResult:
    """What a run produced; ``to_dict()`` is the ``--json`` document."""

    batch: Batch
    inputs: pl.DataFrame
    plan: LoadPlan | None = None
    gate: GateResult | None = None
    loaded: LoadResult | None = None
    stopped_before: Stage = "end"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def gate_failed(self) -> bool:
        return self.gate is not None and not self.gate.success

    def crosswalk(self) -> pl.DataFrame:
        """``source, source_id, golden_id`` for every input record, in input order.

        Rejected records have no golden id (null); ``batch.rejects`` says why.
        """
        ids = self.batch.frame.select(SOURCE, SOURCE_ID, *self._golden_column())
        return self.inputs.join(
            ids, on=[SOURCE, SOURCE_ID], how="left", maintain_order="left"
        ).rename({SOURCE: "source", SOURCE_ID: "source_id"})

    def _golden_column(self) -> list[str]:
        return [GOLDEN_ID] if GOLDEN_ID in self.batch.frame.columns else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "stats": self.batch.stats,
            "records": self.batch.frame.height,
            "golden": None if self.batch.golden is None else self.batch.golden.height,
            "rejects": self.batch.rejects.height,
            "findings": self.batch.findings.height,
            "plan": None if self.plan is None else self.plan.summary(),
            "gate": None if self.gate is None else self.gate.to_dict(),
            "load": None if self.loaded is None else self.loaded.to_dict(),
            "stopped_before": self.stopped_before,
            **self.info,
        }


def _before(stage: Stage, stop_before: Stage) -> bool:
    return ORDER.index(stage) < ORDER.index(stop_before)


def run(
    sources: list[SourceSpec],
    rules: Rules,
    *,
    target: str | None = None,
    stop_before: Stage = "end",
    progress: Progress = lambda _stage: None,
    stage_rows: int = STAGE_ROWS,
    decisions: Path | None = None,
    orders: tuple[OrderSource, ...] = (),
) -> RunResult:
    """Run the stages in order, stopping before ``stop_before``; load only with a target.

    Above ``stage_rows`` golden records, a PostgreSQL target gates (and loads from) a staging
    table inside it instead of memory. ``decisions`` (must-link and cannot-link pairs) steer
    the dedupe and the matching against the target's golden records. ``orders`` (orders and
    deals files) feed the segment stage's RFM; a load stores every golden record's segment.
    """
    check_segment_inputs(rules, orders)
    progress("read")
    batch = read_all(sources, rules)
    read_rejects = batch.rejects.select(SOURCE, SOURCE_ID).unique(maintain_order=True)
    inputs = pl.concat([batch.frame.select(SOURCE, SOURCE_ID), read_rejects])
    result = RunResult(batch, inputs, stopped_before=stop_before)
    if not _before("normalize", stop_before):
        return result
    progress("normalize")
    result.batch = normalize(result.batch, rules)
    if not _before("dedupe", stop_before):
        return result
    progress("dedupe")
    merging = DedupeOptions(merge=_before("merge", stop_before), decisions=decisions)
    result.batch = dedupe(result.batch, rules, merging)
    check_conservation(inputs, result.batch)
    progress("segment")
    result.batch = segment_stage(result.batch, rules, orders)
    if not _before("validate", stop_before):
        return result
    if target is None:
        progress("validate")
        result.gate = validate(result.batch, rules)
        return result
    progress("plan")
    result.plan = plan_load(result.batch, target, rules, decisions=decisions)
    progress("validate")
    result.gate, result.loaded = gate_and_load(
        result.plan,
        target,
        rules,
        run=_run_info(result, sources, rules),
        write=_before("load", stop_before),
        stage_rows=stage_rows,
        progress=progress,
    )
    if result.loaded is not None and result.loaded.run_id is not None:
        progress("segment history")
        record_segments(target, rules, orders, result.loaded.run_id)
    return result


def _run_info(result: RunResult, sources: list[SourceSpec], rules: Rules) -> RunInfo:
    """The run's row in ``runs``: configuration hash and stage counts (the gate adds its own)."""
    return RunInfo.start(config_hash(sources, rules), stats=result.batch.stats)


class ConservationError(AssertionError):
    """A record was lost or duplicated between stages: a bug, never a user error."""


def check_conservation(inputs: pl.DataFrame, batch: Batch) -> None:
    """Every input record is in exactly one golden record or in rejects, never both."""
    kept = batch.frame.select(SOURCE, SOURCE_ID)
    rejected = batch.rejects.select(SOURCE, SOURCE_ID).unique()
    accounted = pl.concat([kept, rejected])
    if accounted.height != inputs.height or accounted.n_unique() != inputs.height:
        raise ConservationError(
            f"{inputs.height} records read but {kept.height} kept and {rejected.height} rejected"
        )
    missing = inputs.join(accounted, on=[SOURCE, SOURCE_ID], how="anti")
    if missing.height:
        raise ConservationError(f"{missing.height} records lost, e.g. {missing.row(0)}")
