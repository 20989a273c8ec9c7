"""``crmclean rules list|check``: the rule files in use, and proof that a segment file holds."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from crmclean import resources
from crmclean.cli.options import RULES_DIR, echo_json, json_option
from crmclean.rules import Rules
from crmclean.segments import known_fields
from crmclean.segments.check import CheckResult, check_segments
from crmclean.segments.spec import load_segments


@click.group("rules")
def command() -> None:
    """List the rule files in use and check segment files."""


@command.command("list")
@RULES_DIR
def list_rules(rules_dir: Path | None) -> None:
    """Every rule file in use: the bundled ones, overridden by those in --rules DIR."""
    for relative, path in resources.listing("rules", "**/*.y*ml", rules_dir).items():
        origin = "yours" if rules_dir is not None and path.is_relative_to(rules_dir) else "bundled"
        click.echo(f"{relative:<40} {origin}")


@command.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@RULES_DIR
@json_option
def check(files: tuple[Path, ...], rules_dir: Path | None, as_json: bool) -> None:
    """Prove segment FILES (default: segments.yaml and its RFM map) exclusive and exhaustive:
    every possible contact gets exactly one segment. Names any segment no contact can reach
    (exit 1) and the pairs whose conditions overlap (the earlier one wins).

    \b
    Example:
      crmclean rules check
      crmclean rules check my-rules/segments.yaml
    """
    rules = Rules(directory=rules_dir)
    paths = list(files) or _default_files(rules)
    results = {str(path): _check(path, rules) for path in paths}
    if as_json:
        echo_json({name: result.to_dict() for name, result in results.items()})
    else:
        for name, result in results.items():
            click.echo(_summary(name, result))
    if not all(result.ok for result in results.values()):
        sys.exit(1)


def _default_files(rules: Rules) -> list[Path]:
    segments = rules.path("segments.yaml")
    spec = load_segments(segments, known_fields(rules))
    return [segments, rules.path(spec.rfm or "rfm.yaml")]


def _check(path: Path, rules: Rules) -> CheckResult:
    spec = load_segments(path, known_fields(rules))
    return check_segments(spec, date.today())


def _summary(name: str, result: CheckResult) -> str:
    verdict = "exclusive and exhaustive" if result.exhaustive and result.exclusive else "BROKEN"
    lines = [f"{name}: {verdict} ({result.cases:,} cases tried, {len(result.reached)} segments)"]
    lines += [f"  unreachable: {name}" for name in result.unreachable]
    lines += [f"  overlap (first wins): {a} > {b}" for a, b in result.overlaps]
    return "\n".join(lines)
