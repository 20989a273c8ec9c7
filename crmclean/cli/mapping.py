"""``crmclean map suggest``: how a file's headers map to the contact model."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.cli.options import connector_options, make_rules, rules_options
from crmclean.entity import entity_of
from crmclean.sources import SourceSpec, connector_for, mapping_for, read_table
from crmclean.write import refuse_inputs, write_text


@click.group("map")
def command() -> None:
    """Map source headers to the canonical contact model."""


@command.command("suggest")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sheet", help="XLSX sheet name (default: the first).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the mapping here instead of printing it.",
)
@connector_options
@rules_options
def suggest_command(
    file: Path,
    sheet: str | None,
    out: Path | None,
    connector: str | None,
    connectors_dir: Path | None,
    rules_dir: Path | None,
    region: str,
) -> None:
    """Print a mapping (YAML) from FILE's headers to canonical fields, with a confidence each,
    and the entity the file holds (contacts or companies).

    Edit it (set `field:` to another canonical field, or null to keep the column only in
    `extra`) and pass it back with `--mapping`. A known export (see `crmclean connectors
    list`) is detected from its headers and mapped by its connector spec.

    \b
    Example:
      crmclean map suggest contatos.csv --out contatos.mapping.yaml
      crmclean dedupe contatos.csv --mapping contatos.mapping.yaml --crosswalk cw.csv
    """
    refuse_inputs([out], [file])
    rules = make_rules(rules_dir, region, connectors_dir)
    source = SourceSpec(path=file, sheet=sheet, connector=connector)
    headers = [c for c in read_table(source, rules).frame.columns if c != "_row"]
    mapping = mapping_for(source, headers, rules)
    entity = entity_of(mapping, connector_for(source, headers, rules))
    text = f"# entity: {entity} (set `entity:` on the source in crmclean.yml to change it)\n"
    text += mapping.to_yaml(file.name)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text(out, text)
        click.echo(f"Mapping written to {out}", err=True)
