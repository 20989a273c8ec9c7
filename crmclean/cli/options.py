"""Options and helpers shared by several commands."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from crmclean.rules import Rules
from crmclean.sources import SourceSpec

F = Callable[..., Any]


RULES_DIR = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder whose rule files override the bundled ones.",
)

THRESHOLD = click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    help="Match probability from which a pair is merged (default: auto_merge_threshold in "
    "match.yaml).",
)

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_NEW_FILE = click.Path(dir_okay=False, path_type=Path)


def decisions_option(*, create: bool = False) -> Callable[[F], F]:
    """``--decisions FILE``: the human answers every run re-applies; ``create``: the file the
    review page appends to (created if missing) rather than one to read."""
    if create:
        return click.option(
            "--decisions",
            type=_NEW_FILE,
            help="Decisions file to append answers to (created if missing). Default: the "
            "project's `decisions:`, else decisions.csv next to the project file or in the "
            "current folder.",
        )
    return click.option(
        "--decisions",
        type=_FILE,
        help="CSV of human answers, re-applied every run: source_a,source_id_a,source_b,"
        "source_id_b,decision (must-link or cannot-link).",
    )


TRAINING_PAIRS = click.option(
    "--training-pairs",
    type=_FILE,
    help="CSV of labelled pairs to learn each comparison's m from: source_a,source_id_a,"
    "source_b,source_id_b,match (1 for the same person, 0 for not); `review` keeps them when "
    "it re-learns from your answers.",
)


def model_option(where: str = "") -> Callable[[F], F]:
    """``--model FILE``, a saved match model; ``where``: another place that names one."""
    return click.option(
        "--model",
        type=_FILE,
        help="A match model saved by --save-model (`dedupe` or `migrate run`): it decides the "
        "matches (its u, m, prior, term frequencies and thresholds) instead of one learned "
        f"from the records{where}.",
    )


SAVE_MODEL = click.option(
    "--save-model",
    type=_NEW_FILE,
    help="JSON file to write the match model that decided this run to (versioned; reuse it "
    "with --model).",
)


def rules_options(func: F) -> F:
    """``--rules DIR`` and ``--region CC``."""
    func = click.option(
        "--region",
        default="BR",
        show_default=True,
        help="Default country (ISO 3166 alpha-2) for phones without one.",
    )(func)
    return RULES_DIR(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(func)


def mapping_option(func: F) -> F:
    return click.option(
        "--mapping",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Mapping YAML (from `crmclean map suggest`) for a single source.",
    )(func)


def connector_options(func: F) -> F:
    """``--connector NAME`` and ``--connectors DIR``."""
    func = click.option(
        "--connectors",
        "connectors_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help="Folder of your own connector specs (they override bundled ones).",
    )(func)
    return click.option(
        "--connector",
        help="Connector spec to read the sources with (default: detected from the headers).",
    )(func)


def make_rules(rules_dir: Path | None, region: str, connectors_dir: Path | None = None) -> Rules:
    return Rules(directory=rules_dir, default_region=region.upper(), connectors_dir=connectors_dir)


def make_sources(
    paths: tuple[Path, ...], mapping: Path | None, connector: str | None = None
) -> list[SourceSpec]:
    if mapping is not None and len(paths) != 1:
        raise click.UsageError("--mapping applies to a single source; use a project file for more")
    return [SourceSpec(path=p, mapping=mapping, connector=connector) for p in paths]


@dataclass(frozen=True)
class Inputs:
    """What a source-reading command works on: the sources and the rules to read them with."""

    sources: list[SourceSpec]
    rules: Rules


def source_inputs(func: F) -> F:
    """``SOURCES...`` with ``--mapping``, ``--connector(s)``, ``--rules`` and ``--region``,
    handed to the command as one ``inputs: Inputs`` argument."""

    @functools.wraps(func)
    def command(
        *args: Any,
        sources: tuple[Path, ...],
        mapping: Path | None,
        connector: str | None,
        connectors_dir: Path | None,
        rules_dir: Path | None,
        region: str,
        **kwargs: Any,
    ) -> Any:
        rules = make_rules(rules_dir, region, connectors_dir)
        inputs = Inputs(make_sources(sources, mapping, connector), rules)
        return func(*args, inputs=inputs, **kwargs)

    optioned = rules_options(connector_options(mapping_option(command)))
    sources = click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
    return sources(optioned)


def echo_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def progress_printer(quiet: bool) -> Callable[[str], None]:
    """Stage names on stderr when attached to a terminal; silent when piped or in --json."""
    interactive = click.get_text_stream("stderr").isatty()  # type: ignore[operator]

    def show(stage: str) -> None:
        if interactive and not quiet:
            click.echo(f"  {stage}...", err=True)

    return show
