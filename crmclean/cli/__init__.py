"""The ``crmclean`` command: a thin click shell over the Python API.

Exit codes: 0 ok; 1 the gate failed (or findings reached ``--fail-on``); 2 user error;
3 internal error.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
from click.utils import make_default_short_help as short_help

from crmclean import __version__
from crmclean.allocator import tune_allocator
from crmclean.errors import GateFailed, UserError
from crmclean.urls import mask_credentials

EXIT_GATE, EXIT_USER, EXIT_INTERNAL = 1, 2, 3

# Before any command's module loads polars: polars' allocator reads its options once, then.
tune_allocator()


# Each command's module and the first paragraph of its help: ``crmclean --help`` lists the
# commands without importing them (their modules import the whole pipeline: seconds of
# start-up). tests/test_cli_lazy.py checks every line here against the command's own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "Generate a messy three-source sample and migrate it into DIR/crm.db."),
    "map": ("mapping", "Map source headers to the canonical contact model."),
    "clean": ("clean", "Normalize SOURCES into the canonical contact model."),
    "dedupe": ("dedupe_explain", "Find the records that are the same person across SOURCES."),
    "migrate": (
        "migrate",
        "Plan, run, list and roll back migrations described by a project file (crmclean.yml).",
    ),
    "audit": ("audit", "Measure the health of SOURCES: files, or the target database itself."),
    "connectors": (
        "connectors",
        "Connector specs: how known CRM exports and databases map to the contact model.",
    ),
    "validate": (
        "validate",
        "Run an expectation suite on DATA and print each failed expectation with its counts "
        "and up to ten failing rows (source, source id, value); exit 1 if an error-severity one "
        "failed.",
    ),
    "export": (
        "export",
        "Write the golden records of the target into OUT in a CRM's import template.",
    ),
    "segment": (
        "segment",
        "Give every golden record in the project's target one segment (rules/segments.yaml, "
        "first match wins) and its RFM scores, store the run in `segment_history` and "
        "`contacts.segment`, and print the sizes (and, with --since, the moves).",
    ),
    "rules": ("rules", "List the rule files in use and check segment files."),
    "review": (
        "review",
        "Review the uncertain pairs of SOURCES (or of a project file) in the browser.",
    ),
}


class _Shell(click.Group):
    """Turns exceptions into one-line messages and exit codes (tracebacks only with --debug),
    and imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, as click lays them out, from ``COMMANDS``."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, short_help(COMMANDS[name][1], limit)) for name in sorted(COMMANDS)]  # type: ignore[operator]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
    click.echo(mask_credentials(message), err=True)
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
      crmclean review crmclean.yml        # answer the uncertain pairs in the browser
      crmclean migrate run crmclean.yml   # a whole migration from a project file
    """
    ctx.meta["crmclean.debug"] = debug


def load_command(name: str) -> click.Command:
    """Import the module of command ``name`` and return its click command."""
    module = importlib.import_module(f"crmclean.cli.{COMMANDS[name][0]}")
    return module.command
