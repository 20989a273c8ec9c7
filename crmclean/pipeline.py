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

from crmclean.accounts.stage import CompanyResult, company_stage
from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe import DedupeOptions, dedupe
from crmclean.errors import UserError
from crmclean.fingerprint import config_hash
from crmclean.load import LoadPlan, LoadResult, RunInfo, plan_load
from crmclean.load.gated import gate_and_load
from crmclean.load.rerun import STATS_KEY, inputs_hash, loaded_with
from crmclean.load.staging import STAGE_ROWS
from crmclean.normalize import normalize
from crmclean.overrides import apply_overrides, read_overrides
from crmclean.rules import Rules
from crmclean.segments.orders import OrderSource
from crmclean.segments.stage import check_segment_inputs, record_segments, segment_stage
from crmclean.sources import SourceSpec, read_sources
from crmclean.validate import GateResult, normalized_values, validate
from crmclean.validate.quarantine import OnFail, quarantine, quarantine_rejects

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
    quarantined: GateResult | None = None  # the gate that sent records to rejects
    companies: CompanyResult | None = None  # golden companies and contacts' links
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
            "quarantined": self.batch.stats.get("validate", {}).get("quarantined", 0),
            "stopped_before": self.stopped_before,
            "companies": None if self.companies is None else self.companies.to_dict(),
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
    full: bool = False,
    on_fail: OnFail = "block",
    overrides: Path | None = None,
    orders: tuple[OrderSource, ...] = (),
) -> RunResult:
    """Run the stages in order, stopping before ``stop_before``; load only with a target.

    Above ``stage_rows`` golden records, a PostgreSQL target gates (and loads from) a staging
    table inside it instead of memory. ``decisions`` (must-link and cannot-link pairs) steer
    the dedupe and the matching against the target's golden records. A load whose inputs the
    target's last run already loaded (:mod:`crmclean.load.rerun`) reads nothing and changes
    nothing, as a full run would; ``full`` runs every stage anyway.
    ``overrides`` (a file of source, source_id, field, value) fix source values before
    normalize. With ``on_fail`` ``quarantine``, the records behind golden records that fail
    the gate go to rejects and the others are gated again and loaded.
    ``orders`` (orders and deals files) feed the segment stage's RFM; a load stores every
    golden record's segment.
    """
    check_segment_inputs(rules, orders)
    digest = (
        None
        if target is None
        else inputs_hash(sources, rules, decisions, overrides, *(order.path for order in orders))
    )
    if target is not None and stop_before == "end" and not full:
        previous = loaded_with(target, rules, digest)
        if previous is not None:
            return _unchanged(previous, stop_before)
    progress("read")
    read = read_sources(sources, rules)
    batch = read.contacts
    if overrides is not None:
        batch = apply_overrides(batch, read_overrides(overrides, rules.model.names))
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
    if read.companies is not None or result.batch.golden is not None:
        progress("companies")
        result.companies = company_stage(read.companies, result.batch, rules)
        check_conservation(result.companies.inputs, result.companies.batch)
    if not _before("validate", stop_before):
        return result
    companies = [] if result.companies is None else [result.companies.inputs]
    refuse_nothing(pl.concat([inputs, *companies]), sources)
    if target is None:
        progress("validate")
        result.gate = validate(result.batch, rules)
        return result

    def plan_gate_load() -> None:
        progress("plan")
        result.plan = plan_load(
            result.batch, target, rules, decisions=decisions, companies=result.companies
        )
        progress("validate")
        result.gate, result.loaded = gate_and_load(
            result.plan,
            target,
            rules,
            run=_run_info(result, sources, rules, digest),
            write=_before("load", stop_before),
            stage_rows=stage_rows,
            progress=progress,
            accepted=normalized_values(result.batch.frame),
        )

    plan_gate_load()
    if on_fail == "quarantine" and result.gate is not None and result.plan is not None:
        gate, lineage = result.gate, result.plan.lineage
        rejects = quarantine_rejects(gate, lineage, result.batch.frame, rules, "contacts")
        if not gate.success and rejects.height:
            result.quarantined, result.batch = gate, quarantine(result.batch, rejects)
            check_conservation(inputs, result.batch)
            plan_gate_load()
    if result.loaded is not None and result.loaded.run_id is not None:
        progress("segment history")
        record_segments(target, rules, orders, result.loaded.run_id)
    return result


def refuse_nothing(inputs: pl.DataFrame, sources: list[SourceSpec]) -> None:
    """No records at all (header-only or blank files) is said plainly, not as a failed gate."""
    if inputs.is_empty():
        names = ", ".join(spec.source_name for spec in sources)
        raise UserError(f"no records in {names}: only a header or blank rows; nothing to check")


def _run_info(
    result: RunResult, sources: list[SourceSpec], rules: Rules, digest: str | None
) -> RunInfo:
    """The run's row in ``runs``: configuration hash, stage counts and inputs hash (the gate
    adds its own)."""
    stats = {**result.batch.stats, STATS_KEY: {"sha256": digest}}
    return RunInfo.start(config_hash(sources, rules), stats=stats)


def _unchanged(run_id: str, stop_before: Stage) -> RunResult:
    """The result of a run whose inputs ``run_id`` already loaded: nothing read or written."""
    empty = pl.DataFrame(schema={SOURCE: pl.String, SOURCE_ID: pl.String})
    result = RunResult(Batch(empty), empty, stopped_before=stop_before)
    result.loaded = LoadResult(None, {})
    result.info["unchanged_since"] = run_id
    return result


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
