"""The Python API behind every command: one function per command, importable by users.

>>> from crmclean.api import dedupe_files
>>> from crmclean.sources import SourceSpec
>>> result = dedupe_files([SourceSpec("a.csv")], crosswalk="crosswalk.csv")  # doctest: +SKIP

The functions that read or write a target import the load package (SQLAlchemy) when they
run, and :func:`audit` its modules when first asked for: ``crmclean dedupe`` needs neither.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from crmclean import pipeline
from crmclean.batch import Batch
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.model import read_model
from crmclean.errors import UserError
from crmclean.load.run import STAGE_ROWS
from crmclean.pipeline import Progress, RunOptions, RunResult, StageName
from crmclean.rules import Rules
from crmclean.segments.orders import OrderSource
from crmclean.sources import SourceSpec
from crmclean.urls import is_target
from crmclean.write import check_folders, refuse_inputs, write_table

if TYPE_CHECKING:
    from crmclean.accounts.export import LinkedFormat
    from crmclean.audit import audit as audit
    from crmclean.export import Format as ExportFormat
    from crmclean.load.rollback import RunRow
    from crmclean.load.unmerge import Unmerged
    from crmclean.outofcore_run import SpilledRun
    from crmclean.validate import GateResult
    from crmclean.validate.quarantine import OnFail


def __getattr__(name: str) -> Any:
    """``audit`` (:func:`crmclean.audit.audit`), imported when first asked for (PEP 562): the
    audit's modules are no part of the other commands."""
    if name != "audit":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from crmclean.audit import audit

    return audit


class Explained(NamedTuple):
    """A golden record explained: per field its values and the winner, and the match model
    that decided (id, when learned, from how many records, the rules' hash)."""

    fields: pl.DataFrame
    model: dict[str, Any] | None


def _quiet(_stage: str) -> None:
    """No progress output."""


def dedupe_files(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    crosswalk: Path | str,
    golden: Path | str | None = None,
    rejects: Path | str | None = None,
    review: Path | str | None = None,
    explain: Path | str | None = None,
    merges: Path | str | None = None,
    decisions: Path | str | None = None,
    threshold: float | None = None,
    training_pairs: Path | str | None = None,
    blocking_report: Path | str | None = None,
    model: Path | str | None = None,
    save_model: Path | str | None = None,
    progress: Progress = _quiet,
) -> RunResult:
    """Read, map, normalize and deduplicate ``sources``; write the crosswalk and golden records.

    ``review`` gets the pairs in the review band side by side, ``explain`` every scored pair
    with each field's contribution, ``merges`` the merge log; ``decisions`` (must-link and
    cannot-link pairs) and ``threshold`` (the auto-merge match probability) steer the merge;
    ``training_pairs`` (labelled pairs) teach the model its ``m``; ``blocking_report`` gets,
    per blocking rule, the pairs it generates and (with ``training_pairs``) the share of the
    labelled matches it reaches. ``model`` (a file written by ``save_model``) decides the
    matches instead of a model learned from these records; ``save_model`` gets the model
    that decided.
    """
    rules = rules or Rules()
    outputs = [crosswalk, golden, rejects, review, explain, merges, save_model]
    refuse_inputs(outputs, [*_paths(sources), decisions, training_pairs, model])
    check_folders(outputs)
    options = _dedupe_options(threshold, decisions, training_pairs, model, explain is not None)
    options = replace(  # nothing written reads _raw; no golden record asked: segments' fields
        options,  # no review nor explain: of each pair what clustering reads (the model kept);
        # the frame's every column only for the review, explain or blocking report
        slim_pairs=review is None and explain is None,
        raw=False,
        full_golden=golden is not None or merges is not None,
        merge_log=merges is not None,
        whole_frame=any(path is not None for path in (review, explain, blocking_report)),
    )
    result = pipeline.run(sources, rules, options, stop_before="validate", progress=progress)
    if blocking_report is not None:
        from crmclean.dedupe.blocking_report import blocking_report_of  # only when asked for

        pairs = options.training_pairs
        write_table(blocking_report_of(result.batch.frame, rules, pairs), Path(blocking_report))
    batch = result.batch
    write_table(result.crosswalk(), Path(crosswalk))
    if golden is not None and batch.golden is not None:
        write_table(batch.golden, Path(golden))
    if rejects is not None:
        write_table(batch.rejects, Path(rejects))
    if merges is not None and batch.merges is not None:
        write_table(batch.merges, Path(merges))
    _write_pairs(batch, rules, review=review, explain=explain)
    if save_model is not None and batch.model is not None:
        batch.model.save(Path(save_model))
    return result


def dedupe_files_out_of_core(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    work: Path | str,
    crosswalk: Path | str,
    golden: Path | str | None = None,
    rejects: Path | str | None = None,
    merges: Path | str | None = None,
    decisions: Path | str | None = None,
    threshold: float | None = None,
    training_pairs: Path | str | None = None,
    model: Path | str | None = None,
    progress: Progress = _quiet,
) -> SpilledRun:
    """:func:`dedupe_files` for inputs larger than memory (``crmclean dedupe --out-of-core``):
    each source normalized alone into folder ``work``, then deduplicated there out of core
    (:mod:`crmclean.outofcore_run`); the same crosswalk, golden records and merge log."""
    from crmclean.outofcore_run import run_out_of_core, write_parts  # not the in-memory run's

    rules = rules or Rules()
    outputs = [crosswalk, golden, rejects, merges]
    refuse_inputs(outputs, [*_paths(sources), decisions, training_pairs, model])
    check_folders(outputs)
    options = _dedupe_options(threshold, decisions, training_pairs, model)
    result = run_out_of_core(sources, rules, options, Path(work), progress)
    write_table(result.crosswalk(), Path(crosswalk))
    if golden is not None:
        write_parts(result.spilled.golden, Path(golden))
    if merges is not None:
        write_parts(result.spilled.merges, Path(merges))
    if rejects is not None:
        write_table(result.normalized.rejects, Path(rejects))
    return result


def _dedupe_options(
    threshold: float | None,
    decisions: Path | str | None,
    training_pairs: Path | str | None,
    model: Path | str | None,
    all_pairs: bool = False,
) -> RunOptions:
    """The run options of ``dedupe_files`` (in memory or out of core)."""
    return RunOptions(
        threshold=threshold,
        decisions=None if decisions is None else Path(decisions),
        training_pairs=None if training_pairs is None else Path(training_pairs),
        model=None if model is None else read_model(Path(model)),
        all_pairs=all_pairs,
        companies=False,  # no golden companies: dedupe_files writes none
        take_back=False,  # nor _raw nor the findings (their count stays in to_dict)
    )


def _paths(sources: list[SourceSpec]) -> list[Path | None]:
    return [spec.path for spec in sources]


def explain_golden_record(
    sources: list[SourceSpec],
    golden_id: str,
    rules: Rules | None = None,
    *,
    decisions: Path | None = None,
    model: Path | None = None,
    progress: Progress = _quiet,
) -> Explained:
    """Deduplicate ``sources`` as ``dedupe`` does (with the saved ``model``, if given) and
    explain golden record ``golden_id``: per field, every candidate value, the records holding
    it and why the winner won; and which match model decided."""
    rules = rules or Rules()
    options = RunOptions(decisions=decisions, model=None if model is None else read_model(model))
    result = pipeline.run(sources, rules, options, stop_before="validate", progress=progress)
    config = load_match_config(rules)
    batch = result.batch
    from crmclean.dedupe.why import explain_golden  # explain's alone

    table = explain_golden(
        batch.frame, golden_id, rules.model.names, config.survivorship, batch.golden
    )
    if table.is_empty():
        raise UserError(f"no golden record {golden_id!r} in these sources")
    return Explained(table, None if batch.model is None else batch.model.summary())


def _write_pairs(
    batch: Batch, rules: Rules, *, review: Path | str | None, explain: Path | str | None
) -> None:
    """The review band and the explained pairs, when asked for."""
    if batch.pairs is None or (review is None and explain is None):
        return
    from crmclean.dedupe.review import explain_table, review_table  # not the dedupe's own

    config = load_match_config(rules)
    frame = batch.frame
    if review is not None:
        write_table(review_table(batch.pairs, frame, config), Path(review))
    if explain is not None:
        write_table(explain_table(batch.pairs, frame, config), Path(explain))


def clean_files(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    out: Path | str,
    findings: Path | str | None = None,
    progress: Progress = _quiet,
) -> RunResult:
    """Read, map and normalize ``sources``; write the canonical records (and the findings)."""
    refuse_inputs([out, findings], _paths(sources))
    check_folders([out, findings])
    result = pipeline.run(sources, rules or Rules(), stop_before="dedupe", progress=progress)
    write_table(result.batch.frame, Path(out))
    if findings is not None:
        write_table(result.batch.findings, Path(findings))
    return result


def migrate(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    target: str,
    dry_run: bool = False,
    progress: Progress = _quiet,
    stage_rows: int = STAGE_ROWS,
    decisions: Path | None = None,
    full: bool = False,
    on_fail: OnFail = "block",
    overrides: Path | None = None,
    orders: tuple[OrderSource, ...] = (),
    model: Path | None = None,
    relearn: bool = False,
    save_model: Path | None = None,
) -> RunResult:
    """The whole job into ``target``; with ``dry_run`` everything but the load (the plan).

    PostgreSQL targets left with more than ``stage_rows`` golden records are gated in a
    staging table inside the database instead of in memory (0: always). ``decisions`` (a
    must-link / cannot-link file) steers the merge, against the target's records too. When
    the target's last run loaded these very inputs (same files, rules and crmclean), nothing
    is read and nothing changes, unless ``full``. ``on_fail="quarantine"`` loads the records
    that pass the gate and puts the others in rejects; ``overrides`` (source, source_id,
    field, value) fix source values every run. ``orders`` (orders and deals
    files) feed the segments' RFM. The match model the target's last run used decides again
    unless ``relearn`` (or ``model``, a saved model file, is given); ``save_model`` gets the
    model that decided.
    """
    refuse_inputs([save_model], [*_paths(sources), model])
    options = RunOptions(
        target=target,
        decisions=decisions,
        overrides=overrides,
        orders=orders,
        on_fail=on_fail,
        full=full,
        stage_rows=stage_rows,
        model=None if model is None else read_model(model),
        relearn=relearn,
        merge_log=False,  # the target's merges are the plan's (crmclean.load.changes)
    )
    stop: StageName = "load" if dry_run else "end"
    result = pipeline.run(sources, rules or Rules(), options, stop_before=stop, progress=progress)
    if save_model is not None and result.batch.model is not None:
        result.batch.model.save(save_model)
    return result


def migrate_status(target: str, rules: Rules | None = None) -> list[RunRow]:
    """Every run recorded in ``target``, oldest first."""
    from crmclean.load.rollback import run_status  # the target's commands: SQLAlchemy

    return run_status(target, rules)


def migrate_rollback(
    target: str, run_id: str, *, cascade: bool = False, rules: Rules | None = None
) -> list[str]:
    """Restore ``target`` to its state before ``run_id``; returns the runs undone."""
    from crmclean.load.rollback import rollback

    return rollback(target, run_id, cascade=cascade, rules=rules)


def migrate_unmerge(
    target: str,
    golden_id: str,
    record: tuple[str, str],
    *,
    rules: Rules | None = None,
    decisions: Path | None = None,
) -> Unmerged:
    """Split ``record`` (source, source id) out of golden record ``golden_id`` in ``target``,
    as a run of its own; ``decisions`` gets cannot-link rows that keep them apart."""
    from crmclean.load.unmerge import unmerge

    return unmerge(target, golden_id, record, rules=rules, decisions=decisions)


def validate_data(
    data: list[str],
    rules: Rules | None = None,
    *,
    suite: str = "contacts",
    progress: Progress = _quiet,
) -> GateResult:
    """Gate ``data``: a target (database URL or SQLite ``.db`` file: its golden records as
    loaded) or source files (read, normalized and deduplicated first)."""
    from crmclean.load.existing import read_golden
    from crmclean.validate import validate_frame

    rules = rules or Rules()
    if len(data) == 1 and is_target(data[0]):
        golden, lineage = read_golden(data[0], rules)
        return validate_frame(golden, rules, suite=suite, lineage=lineage)
    sources = [SourceSpec(path=Path(item)) for item in data]
    options = RunOptions(suite=suite)
    gate = pipeline.run(sources, rules, options, stop_before="load", progress=progress).gate
    assert gate is not None  # the validate stage ran
    return gate


def export_golden(
    target: str, to: ExportFormat, out: Path | str, rules: Rules | None = None
) -> int:
    """Write the golden records of ``target`` to ``out`` in the ``to`` import template."""
    from crmclean.export import check_out, export_frame
    from crmclean.load.existing import read_golden
    from crmclean.segments.target import with_segments

    check_out(Path(out))
    refuse_inputs([out], [target if is_target(target) and Path(target).exists() else None])
    golden, _lineage = read_golden(target, rules or Rules())
    return export_frame(with_segments(golden, target), to, Path(out))


def export_with_companies(
    target: str,
    to: LinkedFormat,
    out: Path | str,
    companies_out: Path | str,
    rules: Rules | None = None,
) -> tuple[int, int]:
    """Write the golden contacts of ``target`` to ``out`` and its golden companies to
    ``companies_out``, linked as the CRM's import expects; returns both row counts."""
    from crmclean.accounts.export import export_linked, read_companies
    from crmclean.export import check_out
    from crmclean.load.existing import read_golden
    from crmclean.segments.target import with_segments

    rules = rules or Rules()
    for path in (out, companies_out):
        check_out(Path(path))
    refuse_inputs(
        [out, companies_out], [target if is_target(target) and Path(target).exists() else None]
    )
    golden, _lineage = read_golden(target, rules)
    companies = read_companies(target, rules)
    return export_linked(
        with_segments(golden, target), companies, to, Path(out), Path(companies_out)
    )
