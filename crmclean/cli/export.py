"""``crmclean export``: the target's golden records in a CRM's import template."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.api import export_golden
from crmclean.cli.migrate import PROJECT_OPTION, TARGET_OPTION, target_and_rules
from crmclean.project import load_project
from crmclean.urls import mask_url
from crmclean.write import refuse_inputs


@click.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "to",
    type=click.Choice(["hubspot", "salesforce", "csv"]),
    required=True,
    help="Import template: HubSpot contacts, Salesforce Data Loader (Lead), or every column.",
)
@PROJECT_OPTION
@TARGET_OPTION
def command(out: Path, to: str, project_file: Path, target: str | None) -> None:
    """Write the golden records of the target into OUT in a CRM's import template.

    Cells a spreadsheet would run as formulas (starting =, +, -, @, tab, CR or their
    full-width forms) are escaped with a leading '; HubSpot and CSV files carry a UTF-8 BOM
    so Excel reads accents right. OUT may not be the project file or one of its sources.

    \b
    Example:
      crmclean export --to hubspot hubspot-import.csv --project crmclean.yml
      crmclean export --to salesforce leads.csv --target postgresql://crm@db/crm
    """
    url, rules = target_and_rules(project_file, target)
    if target is None:
        sources = [spec.path for spec in load_project(project_file).sources]
        refuse_inputs([out], [project_file, *sources])
    rows = export_golden(url, to, out, rules=rules)  # type: ignore[arg-type]
    click.echo(f"Wrote {rows:,} golden records from {mask_url(url)} to {out} ({to}).")
