"""A run into a target, the part of :func:`crmclean.pipeline.run` only such a run takes: read
the target's clusters and last model, skip inputs the target already holds, gate the load plan
(with the quarantine) and load it. The pipeline imports this module only for a run with a
target: it imports the load package (SQLAlchemy), which ``crmclean dedupe`` never runs.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from crmclean.accounts.stage import links_alone, relinked_without, same_links, without_contacts
from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe import remerge
from crmclean.load.existing import read_clusters
from crmclean.load.gated import Loading, drop_stage, gate_plan, load_gated
from crmclean.load.models import stored_model
from crmclean.load.plan import LoadPlan, company_changes, plan_load
from crmclean.load.replan import without_records
from crmclean.load.rerun import Inputs, changed_sources, hash_inputs, loaded_with
from crmclean.load.run import RunInfo
from crmclean.load.schema import build_tables
from crmclean.pipeline import RunOptions, RunResult, StageName, with_companies
from crmclean.rules import Rules
from crmclean.segments.stage import record_segments, segment_plan
from crmclean.sources import SourceSpec
from crmclean.validate import GateResult, normalized_values, still_holding
from crmclean.validate.quarantine import needs_remerge, quarantine, quarantine_rejects


def read_target(batch: Batch, rules: Rules, options: RunOptions) -> tuple[Batch, RunOptions]:
    """``batch`` with the target's clusters; ``options`` with the model of the target's last
    run, unless a model is given or ``relearn``."""
    assert options.target is not None
    batch = replace(batch, target=read_clusters(options.target, rules))
    if options.model is None and not options.relearn:
        stored = stored_model(options.target, build_tables(rules.model.names))
        options = replace(options, model=stored)
    return batch, options


def rerun(
    sources: list[SourceSpec], rules: Rules, options: RunOptions, stop_before: StageName
) -> tuple[Inputs | None, str | None, list[SourceSpec]]:
    """The inputs hash of a run into the target (None with a database source); the target's
    run that already loaded these very inputs (None: none, or the run goes on anyway:
    ``full``, ``relearn``, a ``model``, or it stops before the end); and the sources to read
    (unchanged sources come from the target, unless orders are given: segments rank all)."""
    target = options.target
    assert target is not None
    files = (options.decisions, options.overrides, *(order.path for order in options.orders))
    hashed = hash_inputs(sources, rules, *files)
    again = options.full or options.relearn or options.model is not None
    if hashed is None or stop_before != "end" or again:
        return hashed, None, sources
    previous = loaded_with(target, rules, hashed.sha256)
    if previous is not None or options.orders:
        return hashed, previous, sources
    return hashed, None, changed_sources(target, rules, hashed, sources)


def unchanged(run_id: str, stop_before: StageName) -> RunResult:
    """The result of a run whose inputs ``run_id`` already loaded: nothing read or written."""
    empty = pl.DataFrame(schema={SOURCE: pl.String, SOURCE_ID: pl.String})
    result = RunResult(Batch(empty), empty, stopped_before=stop_before)
    result.batch = replace(result.batch, loading=Loading.unchanged())
    result.info["unchanged_since"] = run_id
    return result


def gate_into(run: RunInfo, batch: Batch, rules: Rules, options: RunOptions) -> Batch:
    """The gate of a run into a target: over the golden records the target will hold after
    the run (the load plan's ``after``), the company suite over the golden companies. With
    ``on_fail`` ``quarantine``, the records of failing golden records go to rejects and the
    rest is gated again."""
    batch = _gated(batch, rules, options, run)
    gate, loading = batch.gate, batch.loading
    if options.on_fail != "quarantine" or gate is None or gate.success:
        return batch
    if loading is None or loading.plan is None:
        return batch
    plan = loading.plan
    rejects = quarantine_rejects(
        gate,
        plan.lineage,
        batch.frame,
        rules,
        "contacts",
        after=plan.after,
        companies=plan.companies,
    )
    if not rejects.height:
        return batch
    drop_stage(loading.stage)
    quarantined = quarantine(batch, rejects)
    again = _regated(batch, quarantined, rejects, gate, plan, rules, options, run)
    if again is None:
        if needs_remerge(batch, rejects):
            quarantined = remerge(quarantined, rules, options.dedupe)
        quarantined = with_companies(quarantined, rules)
        again = _gated(quarantined, rules, options, run)
    assert again.loading is not None
    return replace(again, loading=replace(again.loading, quarantined=gate))


def _regated(
    batch: Batch,
    quarantined: Batch,
    rejects: pl.DataFrame,
    gate: GateResult,
    plan: LoadPlan,
    rules: Rules,
    options: RunOptions,
    run: RunInfo,
) -> Batch | None:
    """``quarantined`` gated over ``plan`` (the failed gate's) less the quarantined records,
    when they emptied every golden record they were in (none to build again), the target held
    none of their rows (:func:`~crmclean.load.replan.without_records`) and every other golden
    contact keeps its company (when one of those was linked to a company, the links are made
    again where they can change, :func:`~crmclean.accounts.stage.relinked_without`, and only
    the company tables are planned again); else None: plan again. The
    company suite runs again only if the golden companies changed (else ``gate``'s, the failed
    gate's, company part stands); of the contact suite, only the expectations whose verdict
    ``gate`` cannot tell: the golden contacts are ``gate``'s less the ones emptied
    (:func:`~crmclean.validate.still_holding`)."""
    records = rejects.select(SOURCE, SOURCE_ID).unique()
    if needs_remerge(batch, records):
        return None
    emptied = batch.frame.join(records, on=[SOURCE, SOURCE_ID], how="semi")[GOLDEN_ID].unique()
    companies = without_contacts(quarantined.company_result, emptied, records)
    quarantined = replace(quarantined, company_result=companies)
    company_tables = None
    if not links_alone(batch.company_result, emptied):
        assert batch.company_result is not None and options.target is not None
        relinked = relinked_without(batch.company_result, quarantined, emptied)
        if not same_links(companies, relinked):
            return None
        quarantined = replace(quarantined, company_result=relinked)
        company_tables = company_changes(quarantined, options.target, rules)
    tables = build_tables(rules.model.names)
    derived = without_records(plan, records, emptied, rejects, tables, company_tables)
    if derived is None:
        return None
    firms = gate.companies if _same(plan.companies, derived.companies) else None
    held = still_holding(gate, "contacts", rules, emptied)
    return _gate(quarantined, derived, rules, options, run, firms, held)


def _same(before: pl.DataFrame | None, after: pl.DataFrame | None) -> bool:
    """Whether two plans' golden companies are the very same rows (or both absent)."""
    if before is None or after is None:
        return before is after
    return before is after or before.equals(after)


def _gated(batch: Batch, rules: Rules, options: RunOptions, run: RunInfo) -> Batch:
    """``batch`` with its load plan against the target and the plan's gate."""
    assert options.target is not None
    return _gate(batch, plan_load(batch, options.target, rules), rules, options, run)


def _gate(
    batch: Batch,
    plan: LoadPlan,
    rules: Rules,
    options: RunOptions,
    run: RunInfo,
    firms: GateResult | None = None,
    held: frozenset[int] = frozenset(),
) -> Batch:
    """``batch`` with ``plan`` (against the target) and the plan's gate (``firms``: its
    company part, when known; ``held``: expectations known to hold, see
    :func:`~crmclean.load.gated.gate_plan`)."""
    assert options.target is not None
    stats = {**run.details.get("stats", {}), **batch.run_stats()}
    run = run.with_details(stats=stats, model=batch.model)
    accepted = normalized_values(batch.frame)
    gate, stage = gate_plan(
        plan,
        options.target,
        rules,
        run=run,
        stage_rows=options.stage_rows,
        accepted=accepted,
        firms=firms,
        held=held,
    )
    return replace(batch, gate=gate, loading=Loading(plan, run, stage))


def load_into(batch: Batch, rules: Rules, options: RunOptions) -> Batch:
    """Apply the plan in one transaction when the gate passed; record the segments."""
    loading, gate = batch.loading, batch.gate
    assert options.target is not None and loading is not None and gate is not None
    segmented = segment_plan(loading.plan, rules, options.orders) if gate.success else None
    segments = None if segmented is None else segmented.assignments
    loaded = load_gated(loading, gate, options.target, rules, segments)
    if loaded is not None and loaded.run_id is not None:
        record_segments(options.target, rules, options.orders, loaded.run_id, segmented)
    return replace(batch, loading=replace(loading, result=loaded))
