"""``crmclean export``: the target's golden records in a CRM's import template."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.api import export_golden, export_with_companies
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
@click.option(
    "--companies",
    "companies_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the golden companies here, and link the contacts to them "
    "(hubspot: companies import + association column; salesforce: Account + Contact).",
)
@PROJECT_OPTION
@TARGET_OPTION
def command(
    out: Path, to: str, companies_out: Path | None, project_file: Path, target: str | None
) -> None:
    """Write the golden records of the target into OUT in a CRM's import template.

    Cells a spreadsheet would run as formulas (starting =, +, -, @, tab, CR or their
    full-width forms) are escaped with a leading '; HubSpot and CSV files carry a UTF-8 BOM
    so Excel reads accents right. OUT may not be the project file or one of its sources.

    \b
    Example:
      crmclean export --to hubspot hubspot-import.csv --project crmclean.yml
      crmclean export --to salesforce leads.csv --target postgresql://crm@db/crm
      crmclean export --to salesforce Contact.csv --companies Account.csv --project crmclean.yml
    """
    url, rules = target_and_rules(project_file, target)
    if target is None:
        sources = [spec.path for spec in load_project(project_file).sources]
        refuse_inputs([out, companies_out], [project_file, *sources])
    if companies_out is not None:
        if to == "csv":
            raise click.UsageError("--companies needs --to hubspot or --to salesforce")
        people, firms = export_with_companies(url, to, out, companies_out, rules=rules)  # type: ignore[arg-type]
        click.echo(
            f"Wrote {people:,} golden records to {out} and {firms:,} companies to "
            f"{companies_out} from {mask_url(url)} ({to})."
        )
        return
    rows = export_golden(url, to, out, rules=rules)  # type: ignore[arg-type]
    click.echo(f"Wrote {rows:,} golden records from {mask_url(url)} to {out} ({to}).")
