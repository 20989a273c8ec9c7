"""``crmclean validate``: run an expectation suite on source files or on a target's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from crmclean.accounts.gate import SUITE as COMPANY_SUITE
from crmclean.api import validate_data
from crmclean.cli.options import echo_json, json_option, make_rules, progress_printer, rules_options
from crmclean.errors import GateFailed
from crmclean.rules import Rules
from crmclean.urls import mask_url
from crmclean.validate import GateResult, render_text, write_failures
from crmclean.validate.html import render_html
from crmclean.validate.suite import load_suite
from crmclean.write import refuse_inputs, write_text


@click.command("validate")
@click.argument("data", nargs=-1, required=True)
@click.option("--suite", default="contacts", show_default=True, help="rules/expectations/NAME.json")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as one self-contained HTML page: the data and time, every "
    "expectation in plain words with its result and counts, and each failure's records "
    "(values masked), fix and rule.",
)
@click.option(
    "--failures",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("gate-failures.csv"),
    show_default=True,
    help="Where a failed gate writes every failing row.",
)
@rules_options
@json_option
def command(
    data: tuple[str, ...],
    suite: str,
    html_file: Path | None,
    failures: Path,
    rules_dir: Path | None,
    region: str,
    as_json: bool,
) -> None:
    """Run an expectation suite on DATA and print each failed expectation with its counts and
    up to ten failing rows (source, source id, value); exit 1 if an error-severity one failed.

    DATA is a target (a database URL, or a SQLite .db file: its golden records as loaded) or
    source files (read, normalized and deduplicated first, as migrate would).

    \b
    Example:
      crmclean validate contatos.csv hubspot.csv --html gate.html
      crmclean validate crm.db --json
      crmclean validate postgresql://crm@db/crm --suite contacts
    """
    refuse_inputs([html_file, failures], list(data))
    rules = make_rules(rules_dir, region)
    result = validate_data(list(data), rules, suite=suite, progress=progress_printer(as_json))
    if html_file is not None:
        _write_html(html_file, result, rules, suite, data)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(render_text(result))
    if not result.success:
        write_failures(result, failures)
        raise GateFailed(f"every failing row is in {failures}")


def _write_html(
    path: Path, result: GateResult, rules: Rules, suite: str, data: tuple[str, ...]
) -> None:
    """The HTML report: the data named (passwords hidden), the time, the suite's rules."""
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    source = ", ".join(mask_url(item) for item in data)
    checked_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    firms = (
        None
        if result.companies is None
        else load_suite(rules.path(f"expectations/{COMPANY_SUITE}.json"))
    )
    page = render_html(
        result, spec, rules.model, source=source, checked_at=checked_at, company_suite=firms
    )
    write_text(path, page)
