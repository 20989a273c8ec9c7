"""``crmclean clean``: normalized canonical records and the findings, no dedupe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from crmclean.api import clean_files
from crmclean.cli.options import Inputs, echo_json, json_option, progress_printer, source_inputs
from crmclean.normalize.emails.deliverability import OPTION
from crmclean.report.text import print_summary


@click.command("clean")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Normalized records (.csv, .parquet, .json, .ndjson).",
)
@click.option(
    "--findings",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Every value changed or flagged, with its rule code.",
)
@click.option(
    "--check-deliverability",
    is_flag=True,
    help="Ask DNS whether each e-mail domain can receive mail (needs the network).",
)
@source_inputs
@json_option
def command(
    inputs: Inputs,
    out: Path,
    findings: Path | None,
    check_deliverability: bool,
    as_json: bool,
) -> None:
    """Normalize SOURCES into the canonical contact model.

    \b
    Example:
      crmclean clean planilha.csv --out clean.csv --findings findings.csv
      crmclean clean crm.csv --out clean.parquet --check-deliverability
    """
    rules = inputs.rules
    if check_deliverability:
        rules = replace(rules, options={**rules.options, OPTION: True})
    result = clean_files(
        inputs.sources,
        rules,
        out=out,
        findings=findings,
        progress=progress_printer(as_json),
    )
    if as_json:
        echo_json(result.to_dict())
    else:
        print_summary(result)
        click.echo(f"Records: {out}")
