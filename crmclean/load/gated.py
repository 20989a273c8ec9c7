"""Gate, then load: the golden records the target will hold after the run go through the
expectation suite, and only if they pass is the plan applied.

The gate runs in memory, or, for PostgreSQL targets above ``stage_rows`` golden records, on a
staging table inside the target (:mod:`crmclean.load.staging`) that the load then copies from.
The validate stage calls :func:`gate_plan`, the load stage :func:`load_gated`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crmclean.accounts.gate import with_company_gate
from crmclean.load.apply import load
from crmclean.load.plan import LoadPlan
from crmclean.load.run import STAGE_ROWS, LoadResult, RunInfo
from crmclean.load.schema import build_tables
from crmclean.load.staging import Stage, drop_stage, open_stage, stages
from crmclean.rules import Rules
from crmclean.validate import GateResult, stored_values, validate_frame, validate_table

__all__ = ["Loading", "drop_stage", "gate_and_load", "gate_plan", "load_gated"]


@dataclass(frozen=True)
class Loading:
    """A run's load: its plan (None when the inputs were loaded before: nothing to do), the run
    it will record, the staging table the gate read (if any), the gate that quarantined
    records (if any) and, once loaded, what was written."""

    plan: LoadPlan | None
    run: RunInfo | None
    stage: Stage | None = None
    result: LoadResult | None = None
    quarantined: GateResult | None = None

    @classmethod
    def unchanged(cls) -> Loading:
        """The load of a run whose inputs the target's last run loaded: nothing written."""
        return cls(None, None, result=LoadResult(None, {}))


def gate_plan(
    plan: LoadPlan,
    target: str,
    rules: Rules,
    *,
    run: RunInfo,
    stage_rows: int = STAGE_ROWS,
    accepted: dict[str, pl.Series] | None = None,
    firms: GateResult | None = None,
    held: frozenset[int] = frozenset(),
) -> tuple[GateResult, Stage | None]:
    """Gate ``plan.after``: in memory, or in a staging table the caller drops (returned);
    joined with the company gate over ``plan.companies`` when the run has companies.
    ``accepted``: values the normalizer wrote in this run; with the values of the golden
    records the run leaves as the target holds them, the in-memory gate's per-value checks
    skip them (:func:`~crmclean.validate.stored_values`); ``firms``: the company gate of
    ``plan.companies`` when an earlier gate of the run checked the very same golden companies
    (:func:`~crmclean.accounts.gate.with_company_gate`); ``held``: positions in the suite of
    expectations known to hold over ``plan.after``, not run again in memory
    (:func:`~crmclean.validate.still_holding`)."""
    if not stages(target, plan.after.height, stage_rows):
        trusted = stored_values(plan.kept(), rules, accepted)
        gate = validate_frame(plan.after, rules, lineage=plan.lineage, accepted=trusted, held=held)
        return with_company_gate(gate, plan.companies, rules, firms), None
    contacts = build_tables(rules.model.names).contacts
    stage = open_stage(plan.after, target, run.run_id, contacts)
    try:
        gate = validate_table(stage.url, stage.location, plan.after, rules, lineage=plan.lineage)
        gate = with_company_gate(gate, plan.companies, rules, firms)
    except BaseException:
        drop_stage(stage)
        raise
    return gate, stage


def load_gated(
    loading: Loading,
    gate: GateResult,
    target: str,
    rules: Rules,
    segments: pl.DataFrame | None = None,
) -> LoadResult | None:
    """Apply ``loading.plan`` as its run when ``gate`` passed (None when nothing was written),
    new golden records with their ``segments`` (see :func:`~crmclean.load.load`); the staging
    table, if any, is dropped after."""
    if loading.plan is None or loading.run is None or not gate.success:
        return None
    run = loading.run.with_details(gate=gate.to_dict())
    try:
        stage = loading.stage
        return load(loading.plan, target, run=run, rules=rules, stage=stage, segments=segments)
    finally:
        drop_stage(loading.stage)


def gate_and_load(
    plan: LoadPlan,
    target: str,
    rules: Rules,
    *,
    run: RunInfo,
    write: bool = True,
    stage_rows: int = STAGE_ROWS,
    accepted: dict[str, pl.Series] | None = None,
) -> tuple[GateResult, LoadResult | None]:
    """:func:`gate_plan`, then (if ``write``) :func:`load_gated`: the gate's result and the
    load's (None when nothing was written)."""
    gate, stage = gate_plan(plan, target, rules, run=run, stage_rows=stage_rows, accepted=accepted)
    loading = Loading(plan, run, stage)
    try:
        return gate, load_gated(loading, gate, target, rules) if write else None
    finally:
        drop_stage(stage)
