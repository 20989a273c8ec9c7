"""``crmclean demo``: a realistic messy migration, end to end, into SQLite."""

from __future__ import annotations

from pathlib import Path

import click

from crmclean.cli.options import echo_json, json_option, progress_printer
from crmclean.demo.run import run_demo
from crmclean.errors import GateFailed
from crmclean.report.text import print_summary
from crmclean.segments.render import segment_lines


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    default="demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the sample files, the database and the reports.",
)
@click.option("--people", default=400, show_default=True, help="How many true people to generate.")
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same files).")
@json_option
def command(directory: Path, people: int, seed: int, as_json: bool) -> None:
    """Generate a messy three-source sample and migrate it into DIR/crm.db.

    The sample is a Brazilian spreadsheet (cp1252, `;`, full names), a CRM export and an
    event sign-up XLSX, with known true duplicates and look-alike different people.

    \b
    Example:
      crmclean demo --dir demo
      sqlite3 demo/crm.db 'select count(*) from contacts'
    """
    demo = run_demo(directory, people=people, seed=seed, progress=progress_printer(as_json))
    if as_json:
        echo_json({**demo.result.to_dict(), "accuracy": demo.accuracy})
    else:
        print_summary(demo.result)
        acc = demo.accuracy
        click.echo(
            f"Duplicates vs. known truth: precision {acc['precision']:.3f}, "
            f"recall {acc['recall']:.3f}, F1 {acc['f1']:.3f}"
        )
        for line in segment_lines(demo.result.batch.stats):
            click.echo(line)
        click.echo(f"Database:            {demo.database}")
        click.echo(f"Crosswalk:           {demo.crosswalk}")
        click.echo(
            f"Rejects, findings:   {directory / 'rejects.csv'}, {directory / 'findings.csv'}"
        )
    if demo.result.gate_failed:
        raise GateFailed("nothing was written to the database")
