"""``crmclean connectors list|show``: the connector specs (bundled and the user's own)."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.cli.options import echo_json, json_option
from crmclean.connectors.catalog import catalog, describe
from crmclean.rules import Rules

_DIR = click.option(
    "--connectors",
    "connectors_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of your own specs; a file there overrides a bundled one of the same name.",
)


@click.group("connectors")
def command() -> None:
    """Connector specs: how known CRM exports and databases map to the contact model."""


@command.command("list")
@_DIR
@json_option
def list_command(connectors_dir: Path | None, as_json: bool) -> None:
    """List every connector spec (bundled and yours) and what it reads.

    \b
    Example:
      crmclean connectors list
      crmclean connectors list --connectors my-connectors/
    """
    rows = catalog(Rules().model, connectors_dir)
    if as_json:
        echo_json({"connectors": rows})
        return
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['kind']:<4}  {row['origin']:<7}  {row['title']}")
        click.echo(f"{'':<{width}}  reads: {row['reads']}")


@command.command("show")
@click.argument("name")
@_DIR
def show_command(name: str, connectors_dir: Path | None) -> None:
    """Print connector NAME's spec (YAML): what it detects, its options and column mapping.

    Save it into your --connectors folder and edit it to change it.

    \b
    Example:
      crmclean connectors show salesforce_contact
      crmclean connectors show suitecrm > my-connectors/suitecrm.yaml
    """
    click.echo(describe(name, Rules().model, connectors_dir), nl=False)
