"""``crmclean segment``: give every golden record of a project's target its segment."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from rich.console import Console

from crmclean.cli.options import echo_json, json_option
from crmclean.project import load_project
from crmclean.segments.orders import OrderSource
from crmclean.segments.render import moves_table, orders_lines, sizes_table
from crmclean.segments.target import SegmentRun, segment_target
from crmclean.write import write_table


@click.command("segment")
@click.argument("project_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--since", help="A segment run id (or its first characters): show the moves since.")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The date recency and inactivity are measured at (default: today).",
)
@click.option(
    "--orders",
    "order_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="An orders or deals file, in addition to the project's `orders:` (repeatable).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every golden record's segment and RFM here (.csv, .parquet, .json).",
)
@click.option(
    "--problems",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the orders not counted (unlinked, not won, bad date or amount) here.",
)
@click.option("--dry-run", is_flag=True, help="Segment and show, but store nothing.")
@json_option
def command(
    project_file: Path,
    since: str | None,
    as_of: datetime | None,
    order_files: tuple[Path, ...],
    out: Path | None,
    problems: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Give every golden record in the project's target one segment (rules/segments.yaml,
    first match wins) and its RFM scores, store the run in `segment_history` and
    `contacts.segment`, and print the sizes (and, with --since, the moves).

    \b
    Example:
      crmclean segment crmclean.yml
      crmclean segment crmclean.yml --since 3f2a9c1e --out segments.csv
    """
    project = load_project(project_file)
    orders = [*project.orders, *(OrderSource(path) for path in order_files)]
    day = as_of.date() if as_of is not None else date.today()
    run = segment_target(
        project.target, project.rules, orders=orders, as_of=day, since=since, write=not dry_run
    )
    if out is not None:
        write_table(run.segmented.assignments, out)
    if problems is not None:
        write_table(run.segmented.problems, problems)
    if as_json:
        echo_json(run.to_dict())
    else:
        print_run(run, stored=not dry_run)


def print_run(run: SegmentRun, *, stored: bool) -> None:
    """The sizes, the orders and the moves, as tables with bars."""
    console = Console(width=100)
    segmented = run.segmented
    console.print(sizes_table(f"Segments on {segmented.as_of}", segmented.sizes))
    console.print(sizes_table("RFM segments", segmented.rfm_sizes))
    for line in orders_lines(segmented):
        click.echo(line)
    if run.since is not None:
        for title, moved in (("Moves", run.moves), ("RFM moves", run.rfm_moves)):
            title = f"{title} since run {run.since[:8]}"
            console.print(moves_table(title, moved) if moved.height else f"{title}: none")
    click.echo(f"Segment run id:      {run.run_id}" if stored else "Nothing stored (--dry-run).")
