"""``crmclean clean``: normalized canonical records and the findings, no dedupe."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.api import clean_files
from crmclean.cli.options import (
    echo_json,
    json_option,
    make_rules,
    make_sources,
    mapping_option,
    progress_printer,
    rules_options,
)
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
@mapping_option
@rules_options
@json_option
def command(
    sources: tuple[Path, ...],
    out: Path,
    findings: Path | None,
    mapping: Path | None,
    rules_dir: Path | None,
    region: str,
    as_json: bool,
) -> None:
    """Normalize SOURCES into the canonical contact model.

    \b
    Example:
      crmclean clean planilha.csv --out clean.csv --findings findings.csv
    """
    result = clean_files(
        make_sources(sources, mapping),
        make_rules(rules_dir, region),
        out=out,
        findings=findings,
        progress=progress_printer(as_json),
    )
    if as_json:
        echo_json(result.to_dict())
    else:
        print_summary(result)
        click.echo(f"Records: {out}")
