"""The terminal summary of a run (rich tables that fit in 80 columns)."""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table

from crmclean.batch import READ_STATS as READ_PREFIX
from crmclean.codes import SEVERITY_RANK
from crmclean.pipeline import RunResult
from crmclean.validate import render_text


def _sources_table(result: RunResult) -> Table:
    table = Table(title="Sources", title_justify="left", expand=False)
    table.add_column("source")
    table.add_column("holds")
    table.add_column("rows read", justify="right")
    companies = result.batch.company_reads()
    for stage, counts in result.batch.run_stats().items():
        if stage.startswith(READ_PREFIX):
            entity = "companies" if stage in companies else "contacts"
            table.add_row(stage.removeprefix(READ_PREFIX), entity, f"{counts.get('rows', 0):,}")
    return table


def _findings_table(result: RunResult, top: int = 8) -> Table | None:
    findings = result.batch.findings
    if findings.is_empty():
        return None
    rank = pl.col("severity").replace_strict(SEVERITY_RANK, default=0, return_dtype=pl.Int8)
    counts = (
        findings.group_by("code", "rule", "severity")
        .len()
        .sort([rank, "len", "code"], descending=[True, True, False])
    )
    title = f"Top findings, the most severe first (of {findings.height:,})"
    table = Table(title=title, title_justify="left")
    for name, justify in (
        ("code", "left"),
        ("rule", "left"),
        ("severity", "left"),
        ("count", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for code, rule, severity, count in counts.head(top).iter_rows():
        table.add_row(code, rule, severity, f"{count:,}")
    return table


def _outcome_lines(result: RunResult) -> list[str]:
    batch = result.batch
    dedupe = batch.stats.get("dedupe", {})
    lines = [
        f"Values normalized:   {batch.stats.get('normalize', {}).get('values_changed', 0):,}",
        f"Findings:            {batch.findings.height:,}",
        f"Rows rejected:       {batch.rejects.height:,}",
    ]
    if batch.golden is not None:
        lines += [
            f"Duplicates merged:   {dedupe.get('merged_records', 0):,} records",
            f"Golden records:      {batch.golden.height:,}",
        ]
    return lines


def _gate_line(result: RunResult) -> str | None:
    if result.gate is None:
        return None
    return "Gate:                " + ("passed" if result.gate.success else "FAILED")


def company_lines(result: RunResult) -> list[str]:
    """Companies read, golden companies, and how many golden contacts have one."""
    if result.companies is None:
        return []
    summary = result.companies.to_dict()
    if not summary["records"] and not summary["golden"]:
        return []  # no company in the sources or on the contacts: nothing to say
    lines = [
        f"Companies:           {summary['records']:,} records -> {summary['golden']:,} "
        f"golden companies ({summary['created_from_contacts']:,} seen only on contacts, "
        f"{summary['branches']:,} branches)"
    ]
    if summary["contacts_linked"] is not None:
        by = ", ".join(f"{n:,} by {how}" for how, n in summary["linked_by"].items())
        lines.append(
            f"Contacts linked:     {summary['contacts_linked']:,} to a company"
            f"{f' ({by})' if by else ''}; "
            f"{summary['contacts_unlinked']:,} without one"
        )
    return lines


def print_summary(result: RunResult, console: Console | None = None) -> None:
    """Rows per source, then what each stage did, the gate verdict and the load."""
    console = console or Console(width=80, highlight=False)
    console.print(_sources_table(result))
    findings = _findings_table(result)
    if findings is not None:
        console.print(findings)
    for line in _outcome_lines(result):
        console.print(line)
    gate = _gate_line(result)
    if gate:
        console.print(gate)
        if result.gate is not None and not result.gate.success:
            console.print(render_text(result.gate))
    for line in company_lines(result):
        console.print(line)
    if result.loaded is not None:
        counts = result.loaded.counts
        console.print(
            f"Loaded:              {counts.get('contacts', 0):,} golden records, "
            f"{counts.get('contact_sources', 0):,} source rows"
            + (f", {counts['companies']:,} companies" if counts.get("companies") else "")
        )
        if result.loaded.run_id is not None:  # None: a rerun that changed nothing
            console.print(f"Run id:              {result.loaded.run_id}")
