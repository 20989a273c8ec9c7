"""``crmclean audit``: how healthy the contact data is, what is wrong, and the trend."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click

from crmclean.audit import audit
from crmclean.audit.run import FailOn
from crmclean.cli.options import (
    connector_options,
    echo_json,
    json_option,
    make_rules,
    mapping_option,
    progress_printer,
    rules_options,
)
from crmclean.report.audit_text import print_audit
from crmclean.report.html import write_html
from crmclean.sources import SourceSpec
from crmclean.urls import is_database_url, is_target
from crmclean.write import refuse_inputs

EXIT_FAILED = 1


@click.command("audit")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Audit settings YAML laid over rules/audit.yaml (weights, periods, fields).",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report as one self-contained HTML file.",
)
@click.option(
    "--history",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder keeping every audit's JSON; compare with the previous one and draw the trend.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when a finding of this severity (or worse) is found.",
)
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Exit 1 when the score is lower.")
@click.option("--mask-pii", is_flag=True, help="Mask e-mails, phones, names and tax ids.")
@click.option(
    "--findings",
    "findings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every finding per record (.csv or .parquet): source, source_id, code, rule, "
    "severity, dimension, field, value (masked with --mask-pii).",
)
@mapping_option
@connector_options
@rules_options
@json_option
def command(
    sources: tuple[str, ...],
    config: Path | None,
    html_file: Path | None,
    history: Path | None,
    fail_on: str,
    fail_under: float | None,
    mask_pii: bool,
    findings_file: Path | None,
    mapping: Path | None,
    connector: str | None,
    connectors_dir: Path | None,
    rules_dir: Path | None,
    region: str,
    as_json: bool,
) -> None:
    """Measure the health of SOURCES: files, or the target database itself.

    A SOURCE is a file (CSV, XLSX, Parquet, JSON) or a database URL whose `contacts` table
    is read, never written (sqlite:///crm.db, postgresql://user@host/db). Scores 0-100 for
    completeness, validity, uniqueness, consistency, timeliness and compliance, and overall
    by the weights in rules/audit.yaml. Exit 0; 1 when --fail-on or --fail-under is reached;
    2 for user errors.

    \b
    Example:
      crmclean audit contatos.csv crm_export.xlsx --html audit.html
      crmclean audit sqlite:///crm.db --history audits/ --html audit.html \\
          --mask-pii --fail-under 80
      crmclean audit Contacts.csv --connector salesforce_contact
    """
    refuse_inputs([html_file], [*sources, config, mapping])
    result = audit(
        _sources(sources, mapping, connector),
        make_rules(rules_dir, region, connectors_dir),
        config=config,
        history=history,
        mask_pii=mask_pii,
        progress=progress_printer(as_json),
        findings=findings_file,
    )
    document = result.to_dict()
    if html_file is not None:
        write_html(document, html_file)
    if as_json:
        echo_json(document)
    else:
        print_audit(document)
        if html_file is not None:
            click.echo(f"Report: {html_file}")
    failure = result.failure(cast(FailOn, fail_on), fail_under)
    if failure:
        click.echo(f"Audit failed: {failure}", err=True)
        sys.exit(EXIT_FAILED)


def _target_url(source: str) -> str:
    """A SQLite file named as ``validate`` takes it (``crm.db``) as its ``sqlite:///`` URL."""
    if is_target(source) and not is_database_url(source):
        from crmclean.load.target import target_url  # SQLAlchemy: a target only

        return target_url(source).render_as_string(hide_password=False)
    return source


def _sources(
    sources: tuple[str, ...], mapping: Path | None, connector: str | None
) -> list[str | SourceSpec]:
    """Files read with the mapping or connector asked for; a database URL is the target's
    ``contacts`` table, or a CRM database read by a SQL ``--connector`` (suitecrm...)."""
    if mapping is not None and (len(sources) != 1 or is_database_url(sources[0])):
        raise click.UsageError("--mapping applies to a single file source")
    specs: list[str | SourceSpec] = []
    for given in sources:
        source = _target_url(given)
        if not is_database_url(source):
            specs.append(SourceSpec(path=Path(source), mapping=mapping, connector=connector))
        elif connector is not None:
            specs.append(SourceSpec(url=source, connector=connector))
        else:
            specs.append(source)
    return specs
