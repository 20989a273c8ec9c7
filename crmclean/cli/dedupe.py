"""``crmclean dedupe``: files in as they are, crosswalk (and golden records) out."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.api import dedupe_files
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


@click.command("dedupe")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--crosswalk",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: source,source_id,golden_id (one row per input record).",
)
@click.option(
    "--golden",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Golden records to write (.parquet, .csv or .json by extension).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of records that could not go on, with the reason.",
)
@mapping_option
@rules_options
@json_option
def command(
    sources: tuple[Path, ...],
    crosswalk: Path,
    golden: Path | None,
    rejects: Path | None,
    mapping: Path | None,
    rules_dir: Path | None,
    region: str,
    as_json: bool,
) -> None:
    """Find the records that are the same person across SOURCES.

    Each file is read as it is (CSV in any common encoding and delimiter, XLSX, Parquet,
    JSON), its headers mapped automatically, its values normalized, and its duplicates
    merged into golden records. The crosswalk has one row per input record:
    source (file stem), source_id (the file's id column, else the data row number) and
    golden_id. Records with nothing to identify them go to --rejects.

    \b
    Example:
      crmclean dedupe planilha.csv crm_export.csv evento.xlsx \\
          --crosswalk crosswalk.csv --golden golden.parquet
    """
    result = dedupe_files(
        make_sources(sources, mapping),
        make_rules(rules_dir, region),
        crosswalk=crosswalk,
        golden=golden,
        rejects=rejects,
        progress=progress_printer(as_json),
    )
    if as_json:
        echo_json(result.to_dict())
    else:
        print_summary(result)
        click.echo(f"Crosswalk: {crosswalk}")
