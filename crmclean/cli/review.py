"""``crmclean review``: the review band in the browser, answers into the decisions file."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from crmclean.cli.options import THRESHOLD, TRAINING_PAIRS, Inputs, decisions_option, source_inputs
from crmclean.pipeline import RunResult

PROJECT_SUFFIXES = (".yml", ".yaml")
DEFAULT_DECISIONS = "decisions.csv"


@click.command("review")
@decisions_option(create=True)
@TRAINING_PAIRS
@THRESHOLD
@click.option("--who", help="Name written with every answer (default: your login name).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@source_inputs
def command(
    inputs: Inputs,
    decisions: Path | None,
    training_pairs: Path | None,
    threshold: float | None,
    who: str | None,
    port: int,
) -> None:
    """Review the uncertain pairs of SOURCES (or of a project file) in the browser.

    Runs the dedupe stage once, then serves a page on 127.0.0.1 whose URL (printed, with a
    one-time token) only you can use. Answer with the keyboard: y same, n different,
    u unsure, s skip, z undo, arrows to move. Every answer is appended to the decisions
    file before the next pair shows, and every later run applies it. Stop with Ctrl-C.

    \b
    Example:
      crmclean review crmclean.yml
      crmclean review planilha.csv crm_export.csv --decisions decisions.csv
      crmclean review planilha.csv crm_export.csv --training-pairs labelled.csv
    """
    sources, rules, target = inputs.sources, inputs.rules, None
    default = Path(DEFAULT_DECISIONS)
    if len(sources) == 1 and sources[0].path and sources[0].path.suffix in PROJECT_SUFFIXES:
        from crmclean.project import load_project  # a project file's pydantic model

        project = load_project(sources[0].path)
        sources, rules, target = project.sources, project.rules, project.target
        default = project.decisions or project.path.parent / DEFAULT_DECISIONS
    path = decisions or default
    from crmclean.review import open_review  # the web stack, only when reviewing

    click.echo("Reading and matching the sources...", err=True)
    server = open_review(
        sources,
        rules,
        path,
        threshold=threshold,
        training_pairs=training_pairs,
        target=target,
        who=who,
        port=port,
    )
    click.echo(f"Review page: {server.url}")
    click.echo(f"Answers go to {path}. Stop with Ctrl-C.", err=True)
    server.run()
    click.echo("Review stopped; every answer is in the decisions file.", err=True)


def pending_review(result: RunResult, *arguments: str | Path) -> str | None:
    """How many pairs wait for review and the command that reviews them (also put in the
    ``--json`` document as ``review``); None when the band is empty."""
    pairs = int(result.batch.stats.get("dedupe", {}).get("review_pairs", 0))
    if not pairs:
        return None
    command = " ".join(["crmclean review", *(shlex.quote(str(a)) for a in arguments)])
    result.info["review"] = {"pairs": pairs, "command": command}
    return f"Review:              {pairs:,} pairs wait for review: {command}"
