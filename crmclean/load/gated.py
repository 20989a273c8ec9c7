"""Gate, then load: the golden records the target will hold after the run go through the
expectation suite, and only if they pass is the plan applied.

The gate runs in memory, or, for PostgreSQL targets above ``stage_rows`` golden records, on a
staging table inside the target (:mod:`crmclean.load.staging`) that the load then copies from.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from crmclean.accounts.gate import with_company_gate
from crmclean.load import LoadPlan, LoadResult, RunInfo, load
from crmclean.load.schema import build_tables
from crmclean.load.staging import STAGE_ROWS, Stage, staged, stages
from crmclean.rules import Rules
from crmclean.validate import GateResult, validate_frame, validate_table

Progress = Callable[[str], None]


def gate_and_load(
    plan: LoadPlan,
    target: str,
    rules: Rules,
    *,
    run: RunInfo,
    write: bool = True,
    stage_rows: int = STAGE_ROWS,
    progress: Progress = lambda _stage: None,
    accepted: dict[str, pl.Series] | None = None,
) -> tuple[GateResult, LoadResult | None]:
    """Gate ``plan.after``; if it passes and ``write``, apply ``plan`` as ``run``.
    ``accepted``: values the normalizer wrote in this run (the in-memory gate skips them).

    Returns the gate's result and the load's (None when nothing was written).
    """

    def then_load(gate: GateResult, stage: Stage | None) -> tuple[GateResult, LoadResult | None]:
        if not write or not gate.success:
            return gate, None
        progress("load")
        run_info = run.with_details(gate=gate.to_dict())
        return gate, load(plan, target, run=run_info, rules=rules, stage=stage)

    if not stages(target, plan.after.height, stage_rows):
        gate = validate_frame(plan.after, rules, lineage=plan.lineage, accepted=accepted)
        return then_load(with_company_gate(gate, plan.companies, rules), None)
    contacts = build_tables(rules.model.names).contacts
    with staged(plan.after, target, run.run_id, contacts) as stage:
        gate = validate_table(stage.url, stage.location, plan.after, rules, lineage=plan.lineage)
        return then_load(with_company_gate(gate, plan.companies, rules), stage)
