"""``crmclean migrate plan|run``: a whole migration described by a project file."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.api import migrate
from crmclean.cli.options import echo_json, json_option, progress_printer
from crmclean.errors import GateFailed
from crmclean.pipeline import RunResult
from crmclean.project import load_project, mask_url
from crmclean.report.text import print_summary

PROJECT = click.argument("project_file", type=click.Path(dir_okay=False, path_type=Path))


@click.group("migrate")
def command() -> None:
    """Plan and run migrations described by a project file (crmclean.yml)."""


def _finish(result: RunResult, as_json: bool) -> None:
    if as_json:
        echo_json(result.to_dict())
    else:
        print_summary(result)
    if result.gate_failed:
        raise GateFailed("nothing was written to the target")


def _run(project_file: Path, as_json: bool, dry_run: bool) -> None:
    project = load_project(project_file)
    result = migrate(
        project.sources,
        project.rules,
        target=project.target,
        dry_run=dry_run,
        progress=progress_printer(as_json),
    )
    result.info["target"] = mask_url(project.target)
    _finish(result, as_json)


@command.command("plan")
@PROJECT
@json_option
def plan(project_file: Path, as_json: bool) -> None:
    """Run every stage except the load and print what would happen; nothing is written.

    \b
    Example:
      crmclean migrate plan crmclean.yml
    """
    _run(project_file, as_json, dry_run=True)


@command.command("run")
@PROJECT
@json_option
def run(project_file: Path, as_json: bool) -> None:
    """Read, clean, deduplicate, gate and load the project's sources into its target.

    The load happens only if the gate passes, in one transaction.

    \b
    crmclean.yml:
      name: acme
      default_region: BR
      sources:
        - path: exports/planilha.csv
        - path: exports/hubspot.csv
          mapping: hubspot.mapping.yaml
      target: crm.db            # SQLite file, or postgresql://user@host/db

    \b
    Example:
      crmclean migrate run crmclean.yml
    """
    _run(project_file, as_json, dry_run=False)
