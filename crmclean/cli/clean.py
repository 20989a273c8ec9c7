"""``crmclean clean``: normalized canonical records and the findings, no dedupe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from crmclean.api import clean_files
from crmclean.cli.options import (
    connector_options,
    echo_json,
    json_option,
    make_rules,
    make_sources,
    mapping_option,
    progress_printer,
    rules_options,
)
from crmclean.normalize.deliverability import OPTION
from crmclean.report.text import print_summary


@click.command("clean")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
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
@mapping_option
@connector_options
@rules_options
@json_option
def command(
    sources: tuple[Path, ...],
    out: Path,
    findings: Path | None,
    check_deliverability: bool,
    mapping: Path | None,
    connector: str | None,
    connectors_dir: Path | None,
    rules_dir: Path | None,
    region: str,
    as_json: bool,
) -> None:
    """Normalize SOURCES into the canonical contact model.

    \b
    Example:
      crmclean clean planilha.csv --out clean.csv --findings findings.csv
      crmclean clean crm.csv --out clean.parquet --check-deliverability
    """
    rules = make_rules(rules_dir, region, connectors_dir)
    if check_deliverability:
        rules = replace(rules, options={**rules.options, OPTION: True})
    result = clean_files(
        make_sources(sources, mapping, connector),
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
