"""``crmclean dedupe``: files in as they are, crosswalk (and golden records) out."""

from __future__ import annotations

import atexit
import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crmclean.api import dedupe_files, dedupe_files_out_of_core
from crmclean.cli.options import (
    SAVE_MODEL,
    THRESHOLD,
    TRAINING_PAIRS,
    Inputs,
    decisions_option,
    echo_json,
    json_option,
    model_option,
    progress_printer,
    source_inputs,
)
from crmclean.cli.review import pending_review

if TYPE_CHECKING:
    from crmclean.outofcore_run import SpilledRun

# At exit, what is still alive (modules, their caches and classes) is left to the operating
# system, not walked by the interpreter's last collections to be freed one object at a time
# (CPU from the first exit handler on: contacts_100k 0.26 -> 0.08 s, neutral 1M 0.30 ->
# 0.14 s). Every output is written and closed before the command returns; exit handlers and
# the flush of stdout still run (docs/dedupe.md, "At exit"). Registered once, as the
# command's module loads.
atexit.register(gc.freeze)


@click.command("dedupe")
@click.option(
    "--crosswalk",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: source,source_id,golden_id (one row per input record).",
)
@click.option(
    "--golden",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Golden records to write (.parquet, .csv or .json by extension).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of records that could not go on, with the reason.",
)
@click.option(
    "--review",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of the pairs to check by hand (match probability between review_threshold and "
    "the merge threshold): both records side by side, the probability and why. Fill its "
    "'decision' column and pass it back with --decisions.",
)
@decisions_option()
@TRAINING_PAIRS
@THRESHOLD
@click.option(
    "--explain",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of every compared pair: probability, outcome and each field's contribution in "
    "bits (w_<field>; positive for the same person, negative against) with a 'why' summary.",
)
@click.option(
    "--merges",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Merge log to write: every value of a merged record that disagreed, with its source "
    "record and whether it survived into the golden record.",
)
@click.option(
    "--blocking-report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: per blocking rule of match.yaml, the candidate pairs it generates, those "
    "no other rule generates (only_here) and, with --training-pairs, how many of the pairs "
    "labelled the same person it reaches (recall) and reaches alone; a last row for all rules "
    "together.",
)
@model_option()
@SAVE_MODEL
@click.option(
    "--out-of-core",
    "out_of_core",
    type=click.Path(file_okay=False, path_type=Path),
    help="For inputs larger than memory: a work folder where each source is normalized alone "
    "and the records are deduplicated from Parquet, holding only their matching keys (the "
    "golden records come out partition by partition). Contacts only; not with --review, "
    "--explain, --blocking-report or --save-model.",
)
@source_inputs
@json_option
def command(
    inputs: Inputs,
    crosswalk: Path,
    golden: Path | None,
    rejects: Path | None,
    review: Path | None,
    decisions: Path | None,
    training_pairs: Path | None,
    threshold: float | None,
    explain: Path | None,
    merges: Path | None,
    blocking_report: Path | None,
    model: Path | None,
    save_model: Path | None,
    out_of_core: Path | None,
    as_json: bool,
) -> None:
    """Find the records that are the same person across SOURCES.

    Each file is read as it is (CSV in any common encoding and delimiter, XLSX, Parquet,
    JSON), its headers mapped automatically, its values normalized, and its duplicates
    merged into golden records. The crosswalk has one row per input record:
    source (file stem), source_id (the file's id column, else the data row number) and
    golden_id. Records with nothing to identify them go to --rejects.

    Each compared pair gets a match probability (see rules/match.yaml); pairs from the
    merge threshold up are merged, pairs in the review band go to --review, and --explain
    shows why any pair scored as it did.

    Only what is written is built: every field of the golden records with --golden or
    --merges, the merge log with --merges (the --json counts are the same either way).

    \b
    Example:
      crmclean dedupe planilha.csv crm_export.csv evento.xlsx \\
          --crosswalk crosswalk.csv --golden golden.parquet --review review.csv
      crmclean dedupe planilha.csv crm_export.csv evento.xlsx \\
          --crosswalk crosswalk.csv --decisions review.csv --threshold 0.95
    """
    if out_of_core is not None:
        _refuse_with_out_of_core(
            review=review, explain=explain, blocking_report=blocking_report, save_model=save_model
        )
        spilled = dedupe_files_out_of_core(
            inputs.sources,
            inputs.rules,
            work=out_of_core,
            crosswalk=crosswalk,
            golden=golden,
            rejects=rejects,
            merges=merges,
            decisions=decisions,
            training_pairs=training_pairs,
            threshold=threshold,
            model=model,
            progress=progress_printer(as_json),
        )
        _print_spilled(spilled, out_of_core, crosswalk, as_json)
        return
    result = dedupe_files(
        inputs.sources,
        inputs.rules,
        crosswalk=crosswalk,
        golden=golden,
        rejects=rejects,
        review=review,
        explain=explain,
        merges=merges,
        decisions=decisions,
        training_pairs=training_pairs,
        threshold=threshold,
        blocking_report=blocking_report,
        model=model,
        save_model=save_model,
        progress=progress_printer(as_json),
    )
    hint = pending_review(result, *_review_arguments(inputs, decisions, training_pairs, threshold))
    if as_json:
        echo_json(result.to_dict())
    else:
        from crmclean.report.text import print_summary  # rich: only for the text summary

        print_summary(result)
        click.echo(f"Crosswalk: {crosswalk}")
        if hint:
            click.echo(hint)


def _review_arguments(
    inputs: Inputs, decisions: Path | None, training: Path | None, threshold: float | None
) -> list[str]:
    """The arguments that make ``crmclean review`` look at what this run looked at."""
    arguments = [str(spec.path) for spec in inputs.sources if spec.path is not None]
    arguments += ["--decisions", str(decisions or "decisions.csv")]
    arguments += [] if training is None else ["--training-pairs", str(training)]
    return arguments + ([] if threshold is None else ["--threshold", str(threshold)])


def _refuse_with_out_of_core(**options: Path | None) -> None:
    given = [f"--{name.replace('_', '-')}" for name, value in options.items() if value is not None]
    if given:
        raise click.UsageError(f"--out-of-core cannot be used with {', '.join(given)}")


def _print_spilled(result: SpilledRun, work: Path, crosswalk: Path, as_json: bool) -> None:
    summary = result.to_dict()
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"{summary['records']:,} records -> {summary['golden']:,} golden records, "
        f"{summary['rejects']:,} rejected (out of core, work folder {work})"
    )
    click.echo(f"Crosswalk: {crosswalk}")
