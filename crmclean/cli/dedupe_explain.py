"""``crmclean dedupe explain GOLDEN_ID SOURCES...``: why a golden record holds each value.

``dedupe`` stays the command it always was (``crmclean dedupe SOURCES... --crosswalk ...``);
:class:`DedupeGroup` routes a first argument ``explain`` to the explain command instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from crmclean.api import explain_golden_record
from crmclean.cli import dedupe
from crmclean.cli.options import Inputs, echo_json, json_option, progress_printer, source_inputs


class DedupeGroup(click.Group):
    """``dedupe SOURCES...`` as one command, with ``dedupe explain`` beside it."""

    runnable = True  # the group itself runs (docs list it as a command)

    def __init__(self, files: click.Command, *commands: click.Command) -> None:
        super().__init__(files.name, commands=commands, help=files.help)
        self.files = files

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:  # fmt: skip
        if args[:1] and args[0] in self.commands:
            return super().make_context(info_name, args, parent, **extra)
        return self.files.make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.command is self.files:
            return self.files.invoke(ctx)
        return super().invoke(ctx)


@click.command("explain")
@click.argument("golden_id")
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The decisions file of the dedupe run being explained (must-link, cannot-link).",
)
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The match model file the dedupe run used (--save-model), to decide as it did.",
)
@source_inputs
@json_option
def explain(
    golden_id: str, inputs: Inputs, decisions: Path | None, model: Path | None, as_json: bool
) -> None:
    """Show why golden record GOLDEN_ID holds each of its values: per field, every value its
    records hold (with the records, newest first) and why the winner won (the e-mail class,
    the survivorship strategy in match.yaml, the best-written form). SOURCES are
    deduplicated again exactly as `crmclean dedupe` does.

    \b
    Example:
      crmclean dedupe explain g_2138cb1b9b53ae99 planilha.csv crm_export.csv
    """
    table, decided_by = explain_golden_record(
        inputs.sources, golden_id, inputs.rules, decisions=decisions, model=model,
        progress=progress_printer(as_json),
    )  # fmt: skip
    if as_json:
        echo_json({"golden_id": golden_id, "fields": table.to_dicts(), "model": decided_by})
        return
    click.echo(f"Golden record {golden_id}")
    if decided_by is not None:
        click.echo(
            f"Matched by model {decided_by['model_id']} (learned {decided_by['learned_at'][:19]}"
            f" UTC from {decided_by['records']:,} records, rules {decided_by['rules_hash']})"
        )
    for (field,), rows in table.group_by("field", maintain_order=True):
        click.echo(f"\n{field}")
        for row in rows.iter_rows(named=True):
            mark = "*" if row["won"] else " "
            why = f"  <- {row['why']}" if row["won"] else ""
            click.echo(f"  {mark} {row['value']}  [{row['records']}]{why}")


command = DedupeGroup(dedupe.command, explain)
