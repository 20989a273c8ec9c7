"""The company gate: ``rules/expectations/companies.json`` over the golden companies a load
leaves in the target (without a target: the golden companies the run would load), joined to
the contacts' verdict (the load needs both to pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from crmclean.batch import GOLDEN_ID
from crmclean.company_fields import COMPANY_ID
from crmclean.rules import Rules
from crmclean.validate import GateResult, validate_frame

if TYPE_CHECKING:
    from crmclean.accounts.stage import CompanyResult

SUITE = "companies"


def company_gate(companies: pl.DataFrame, rules: Rules) -> GateResult:
    """The company suite over ``companies`` (its failing examples name the company id as
    ``golden_id``)."""
    return validate_frame(companies.rename({COMPANY_ID: GOLDEN_ID}), rules, suite=SUITE)


def with_company_gate(
    gate: GateResult,
    companies: pl.DataFrame | None,
    rules: Rules,
    firms: GateResult | None = None,
) -> GateResult:
    """``gate`` joined with the company gate's verdict when the run has companies; ``firms``:
    that verdict when already known (an earlier gate of the run over the very same golden
    companies), else the company suite runs."""
    if companies is None or companies.is_empty():
        return gate
    firms = firms or company_gate(companies, rules)
    return GateResult(
        success=gate.success and firms.success,
        checked=gate.checked + firms.checked,
        failures=[*gate.failures, *firms.failures],
        warnings=[*gate.warnings, *firms.warnings],
        exceptions=[*gate.exceptions, *firms.exceptions],
        failing_rows=pl.concat([gate.failing_rows, firms.failing_rows]),
        records=gate.records,
        companies=firms,
        passed=gate.passed,
        culprits=gate.culprits,
    )


def with_run_companies(gate: GateResult, result: CompanyResult | None, rules: Rules) -> GateResult:
    """``gate`` (a run's without a target) joined with the company gate over the golden
    companies the run would load: the same rows a load gates (those with records)."""
    from crmclean.load.accounts import crosswalk, golden_rows  # it imports the load package

    if result is None:
        return gate
    return with_company_gate(gate, golden_rows(result, crosswalk(result)), rules)
