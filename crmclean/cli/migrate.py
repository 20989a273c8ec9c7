"""``crmclean migrate plan|run|status|rollback``: migrations described by a project file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from crmclean.api import migrate, migrate_rollback, migrate_status, migrate_unmerge
from crmclean.cli.options import SAVE_MODEL, echo_json, json_option, model_option, progress_printer
from crmclean.cli.review import pending_review
from crmclean.errors import GateFailed
from crmclean.load.rollback import RunRow
from crmclean.load.run import STAGE_ROWS
from crmclean.pipeline import RunResult
from crmclean.project import load_project
from crmclean.report.text import print_summary
from crmclean.rules import Rules
from crmclean.segments.render import segment_lines
from crmclean.urls import mask_url
from crmclean.validate import write_failures
from crmclean.validate.quarantine import ON_FAIL, OnFail

FAILURES = "gate-failures.csv"  # next to the project file
PROJECT = click.argument("project_file", type=click.Path(dir_okay=False, path_type=Path))
PROJECT_OPTION = click.option(
    "--project",
    "project_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("crmclean.yml"),
    show_default=True,
    help="Project file naming the target.",
)
TARGET_OPTION = click.option(
    "--target", help="Database URL or SQLite file; overrides the project's target."
)
STAGE_OPTION = click.option(
    "--stage-rows",
    type=click.IntRange(min=0),
    default=STAGE_ROWS,
    show_default=True,
    help="PostgreSQL targets left with more golden records than this are gated in a staging "
    "table inside the database instead of in memory (0: always).",
)
ON_FAIL_OPTION = click.option(
    "--on-fail",
    type=click.Choice(ON_FAIL),
    help="When the gate fails: block (load nothing) or quarantine (load the records that "
    "pass, put the others in rejects with the expectation, value and reason, exit 1). "
    "Default: on_fail in the project file, else block.",
)


@click.group("migrate")
def command() -> None:
    """Plan, run, list and roll back migrations described by a project file (crmclean.yml)."""


def _plan_line(result: RunResult) -> str:
    plan = result.plan.summary() if result.plan else {}
    return (
        f"Plan:                {plan.get('golden_insert', 0):,} golden records to insert, "
        f"{plan.get('golden_update', 0):,} to update, {plan.get('golden_merge', 0):,} to merge; "
        f"{plan.get('records_insert', 0):,} source records new, "
        f"{plan.get('records_update', 0):,} changed"
    )


def _finish(result: RunResult, as_json: bool, failures: Path, project_file: Path) -> None:
    hint = pending_review(result, project_file)
    if as_json:
        echo_json(result.to_dict())
    else:
        print_summary(result)
        for line in segment_lines(result.batch.stats):
            click.echo(line)
        click.echo(_plan_line(result))
        if hint:
            click.echo(hint)
        if skipped := result.info.get("sources_unchanged"):
            click.echo(f"Not read again (unchanged since the last run): {', '.join(skipped)}.")
        if "unchanged_since" in result.info:
            click.echo(
                f"Nothing changed: run {result.info['unchanged_since']} loaded these very "
                "sources and rules (not read again; --full reads them)."
            )
        elif result.loaded is not None and result.loaded.run_id is None:
            click.echo("Nothing changed: the target already holds this input.")
    if result.gate is not None and not result.gate.success:
        write_failures(result.gate, failures)
        raise GateFailed(f"nothing was written to the target; every failing row is in {failures}")
    if result.quarantined is not None:
        write_failures(result.quarantined, failures)
        count = result.to_dict()["quarantined"]
        done = "were loaded" if result.loaded is not None else "pass the gate"
        raise GateFailed(
            f"{count:,} records quarantined in rejects (failing rows in {failures}); "
            f"the other records {done}"
        )


@dataclass(frozen=True)
class Learning:
    """``migrate run``'s match-model options."""

    model: Path | None = None
    relearn: bool = False
    save_model: Path | None = None


def _run(
    project_file: Path,
    as_json: bool,
    dry_run: bool,
    stage_rows: int,
    on_fail: OnFail | None,
    full: bool = False,
    learning: Learning | None = None,
) -> None:
    project = load_project(project_file)
    learning = learning or Learning()
    decisions = project.decisions
    result = migrate(
        project.sources,
        project.rules,
        target=project.target,
        dry_run=dry_run,
        progress=progress_printer(as_json),
        stage_rows=stage_rows,
        decisions=decisions if decisions is not None and decisions.is_file() else None,
        full=full,
        on_fail=on_fail or project.on_fail,
        overrides=project.overrides,
        orders=project.orders,
        model=learning.model or project.model,
        relearn=learning.relearn,
        save_model=learning.save_model,
    )
    result.info["target"] = mask_url(project.target)
    _finish(result, as_json, project_file.parent / FAILURES, project_file)


def target_and_rules(project_file: Path, target: str | None) -> tuple[str, Rules]:
    """The target and rules: ``--target`` (bundled rules) or the project file's."""
    if target is not None:
        return target, Rules()
    project = load_project(project_file)
    return project.target, project.rules


def _record(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, str]:
    """``SOURCE:SOURCE_ID`` split at the first colon (a source id may hold colons)."""
    source, colon, source_id = value.partition(":")
    if not (source and colon and source_id):
        raise click.BadParameter(f"expected SOURCE:SOURCE_ID (e.g. crm:1042), got {value!r}")
    return source, source_id


@command.command("plan")
@PROJECT
@STAGE_OPTION
@ON_FAIL_OPTION
@json_option
def plan(project_file: Path, stage_rows: int, on_fail: OnFail | None, as_json: bool) -> None:
    """Run every stage except the load, compare with the target and print what would change:
    golden records to insert, update and merge, and the gate's verdict. Nothing is written.

    \b
    Example:
      crmclean migrate plan crmclean.yml
    """
    _run(project_file, as_json, dry_run=True, stage_rows=stage_rows, on_fail=on_fail)


@command.command("run")
@PROJECT
@STAGE_OPTION
@click.option(
    "--full",
    is_flag=True,
    help="Read, clean and match every source even when the target's last run loaded these "
    "very files with these rules (by default such a run reads nothing: nothing would change).",
)
@ON_FAIL_OPTION
@model_option(" (also `model:` in crmclean.yml)")
@click.option(
    "--relearn",
    is_flag=True,
    help="Learn a new match model from the records instead of reusing the one the target's "
    "last run decided with (needed after match.yaml changed).",
)
@SAVE_MODEL
@json_option
def run(
    project_file: Path,
    stage_rows: int,
    full: bool,
    on_fail: OnFail | None,
    model: Path | None,
    relearn: bool,
    save_model: Path | None,
    as_json: bool,
) -> None:
    """Read, clean, deduplicate, gate and load the project's sources into its target.

    Incoming records are matched against the golden records already in the target too. The
    load happens only if the gate passes, in one transaction; running the same input again
    changes nothing. The target's last match model decides again (shown by `migrate
    status`), so new records cannot move old decisions; --relearn learns a new one.

    \b
    crmclean.yml:
      name: acme
      default_region: BR
      sources:
        - path: exports/planilha.csv
        - path: exports/hubspot.csv
          mapping: hubspot.mapping.yaml
      target: crm.db            # SQLite file, or postgresql://user@host/db
      on_fail: quarantine       # or block (the default)
      overrides: overrides.csv  # source,source_id,field,value applied every run
      model: model.json         # a saved match model to decide with (optional)

    \b
    Example:
      crmclean migrate run crmclean.yml
    """
    learning = Learning(model, relearn, save_model)
    _run(project_file, as_json, False, stage_rows, on_fail, full=full, learning=learning)


def _status_lines(rows: list[RunRow]) -> list[str]:
    """A header, then one line per run: sequence, run id, status, start, match model, golden
    changes."""
    width = max(len("run id"), *(len(row.run_id) for row in rows))
    lines = [
        f"{'#':>4}  {'run id':<{width}}  {'status':<11}  {'started (UTC)':<19}  "
        f"{'model':<12}  golden records"
    ]
    for row in rows:
        changes = (row.counts or {}).get("changes", {}).get("contacts", {})
        summary = ", ".join(f"{n} {k}" for k, n in changes.items())
        when = (row.started_at or "")[:19].replace("T", " ")
        model = str((row.model or {}).get("model_id", "-"))
        lines.append(
            f"{row.sequence:>4}  {row.run_id:<{width}}  {row.status:<11}  {when:<19}  "
            f"{model:<12}  {summary}"
        )
    return lines + _model_lines(rows)


def _model_lines(rows: list[RunRow]) -> list[str]:
    """One line per match model: when it was learned, from how many records, its rules."""
    models = {row.model["model_id"]: row.model for row in rows if row.model}
    return [
        f"model {m['model_id']}: learned {str(m['learned_at'])[:19].replace('T', ' ')} UTC "
        f"from {m['records']:,} records (rules {m['rules_hash']})"
        for m in models.values()
    ]


@command.command("status")
@PROJECT_OPTION
@TARGET_OPTION
@json_option
def status(project_file: Path, target: str | None, as_json: bool) -> None:
    """List the runs loaded into the target, oldest first, with what each changed.

    \b
    Example:
      crmclean migrate status --project crmclean.yml
      crmclean migrate status --target postgresql://crm@db/crm --json
    """
    url, rules = target_and_rules(project_file, target)
    rows = migrate_status(url, rules)
    if as_json:
        echo_json({"target": mask_url(url), "runs": [row.to_dict() for row in rows]})
        return
    if not rows:
        click.echo(f"No runs in {mask_url(url)}.")
    for line in _status_lines(rows) if rows else []:
        click.echo(line)


@command.command("rollback")
@click.argument("run_id")
@PROJECT_OPTION
@TARGET_OPTION
@click.option("--cascade", is_flag=True, help="Also roll back every later run, newest first.")
@json_option
def rollback(
    run_id: str, project_file: Path, target: str | None, cascade: bool, as_json: bool
) -> None:
    """Restore the target to its state before RUN_ID, in one transaction.

    A run that later runs built on is refused unless --cascade undoes those too.

    \b
    Example:
      crmclean migrate status
      crmclean migrate rollback 5f0c1e2a9b7d4c3e8f1a2b3c4d5e6f70
      crmclean migrate rollback 5f0c1e2a9b7d4c3e8f1a2b3c4d5e6f70 --cascade
    """
    url, rules = target_and_rules(project_file, target)
    undone = migrate_rollback(url, run_id, cascade=cascade, rules=rules)
    if as_json:
        echo_json({"target": mask_url(url), "rolled_back": undone})
    else:
        click.echo(f"Rolled back {len(undone)} run(s): {', '.join(undone)}")


@command.command("unmerge")
@click.argument("golden_id")
@click.argument("record", metavar="SOURCE:SOURCE_ID", callback=_record)
@PROJECT_OPTION
@TARGET_OPTION
@json_option
def unmerge(
    golden_id: str,
    record: tuple[str, str],
    project_file: Path,
    target: str | None,
    as_json: bool,
) -> None:
    """Split one source record back out of golden record GOLDEN_ID, as a run of its own.

    The record becomes a golden record of its own with the values it was loaded with, and
    GOLDEN_ID is computed again from the records that remain. `migrate rollback RUN_ID`
    undoes the split. If the project names a decisions file (`decisions: decisions.csv` in
    crmclean.yml; created if missing), cannot-link rows keep the next runs from merging them
    again.

    \b
    Example:
      crmclean migrate unmerge g_3f2a9c0d1e2b4a5f hubspot:1042
      crmclean migrate unmerge g_3f2a9c0d1e2b4a5f crm:7 --target crm.db --json
    """
    url, rules = target_and_rules(project_file, target)
    decisions = None if target is not None else load_project(project_file).decisions
    split = migrate_unmerge(url, golden_id, record, rules=rules, decisions=decisions)
    if as_json:
        echo_json({"target": mask_url(url), **split.to_dict()})
        return
    click.echo(
        f"Split {':'.join(record)} out of {golden_id}: it is golden record "
        f"{split.new_golden_id} now (run {split.run_id})."
    )
    if split.decisions is None:
        click.echo(
            "No decisions file: a run that changes either record may merge them again "
            "(add `decisions: decisions.csv` to the project file)."
        )
    else:
        click.echo(f"Cannot-link decisions added to {split.decisions}.")
