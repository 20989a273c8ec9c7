"""docs/cli.md embeds every command's --help; this test keeps them in sync.

Regenerate after changing a command:
``CRMCLEAN_REGEN_DOCS=1 .venv/bin/pytest tests/test_docs_cli.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.testing import CliRunner

from crmclean.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
INTRO = """# CLI reference

Every command is a thin shell over a function in `crmclean.api` (or the module named in its
help); `python -m crmclean` is the same command.
Exit codes: `0` ok; `1` the gate failed; `2` user error (bad file, spec, option or URL:
one line on stderr, no traceback); `3` internal error (rerun with `--debug`). With `--json` a
command prints exactly one JSON document on stdout; progress goes to stderr.

Every file a command writes appears whole or not at all (a temporary file beside it, renamed
into place; a full disk is `Error: no space left writing FILE`, exit 2, the old file intact);
an output that is one of the command's inputs (the same file, hard links too) is refused; CSV
files have cells a spreadsheet would run as formulas (`= + - @`, tab, CR and their full-width
forms) escaped with a leading `'`. Database passwords never appear in any message.

This page is generated from the commands' own `--help` (see `tests/test_docs_cli.py`).
"""


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            if getattr(command, "runnable", False):  # a command with subcommands beside it
                paths.append((*prefix, name))
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def render() -> str:
    runner = CliRunner()
    sections = [INTRO]
    top = runner.invoke(main, ["--help"], terminal_width=100, prog_name="crmclean").output
    sections.append(f"## crmclean\n\n```text\n{top}```\n")
    for path in command_paths(main):
        text = runner.invoke(
            main, [*path, "--help"], terminal_width=100, prog_name="crmclean"
        ).output
        sections.append(f"## crmclean {' '.join(path)}\n\n```text\n{text}```\n")
    return "\n".join(sections)


def test_every_command_is_documented_with_its_current_help():
    expected = render()
    if os.environ.get("CRMCLEAN_REGEN_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, "docs/cli.md is stale; regenerate it"
