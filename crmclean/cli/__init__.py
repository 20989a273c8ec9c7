"""The ``crmclean`` command: a thin click shell over the Python API.

Exit codes: 0 ok; 1 the gate failed (or findings reached ``--fail-on``); 2 user error;
3 internal error.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from crmclean import __version__
from crmclean.errors import GateFailed, UserError

EXIT_GATE, EXIT_USER, EXIT_INTERNAL = 1, 2, 3


class _Shell(click.Group):
    """Turns exceptions into one-line messages and exit codes (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except UserError as exc:
            _fail(ctx, f"Error: {exc}", EXIT_USER)
        except GateFailed as exc:
            _fail(ctx, f"Gate failed: {exc}", EXIT_GATE)
        except Exception as exc:
            _fail(
                ctx,
                f"Internal error: {exc!r} (rerun with --debug for the traceback)",
                EXIT_INTERNAL,
            )


def _fail(ctx: click.Context, message: str, code: int) -> None:
    if ctx.meta.get("crmclean.debug"):
        raise
    click.echo(message, err=True)
    sys.exit(code)


@click.group(cls=_Shell, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crmclean")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Clean, deduplicate and migrate CRM contacts into one source of truth.

    \b
    Start with:
      crmclean demo                       # a messy sample, end to end, into demo/crm.db
      crmclean map suggest contacts.csv   # how your columns map to the contact model
      crmclean dedupe a.csv b.xlsx --crosswalk crosswalk.csv
      crmclean migrate run crmclean.yml   # a whole migration from a project file
    """
    ctx.meta["crmclean.debug"] = debug


def _register() -> None:
    from crmclean.cli import (
        audit,
        clean,
        connectors,
        dedupe_explain,
        demo,
        export,
        mapping,
        migrate,
        validate,
    )

    modules = (demo, mapping, clean, dedupe_explain, migrate, audit, connectors, validate, export)
    for module in modules:
        main.add_command(module.command)


_register()
