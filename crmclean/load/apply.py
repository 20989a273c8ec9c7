"""Apply a load plan to the target in one transaction (:func:`load`)."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID
from crmclean.errors import UserError
from crmclean.load.compact import FINDINGS, compact_rows, run_stamp
from crmclean.load.existing import target_state
from crmclean.load.models import store_model
from crmclean.load.plan import LoadPlan
from crmclean.load.run import LoadResult, RunInfo
from crmclean.load.run_rows import finish_run, lock_runs, start_run
from crmclean.load.schema import DATA_KEYS, RUN_ID, Tables, build_tables
from crmclean.load.sqlite_bulk import SideFiles, side_files
from crmclean.load.staging import Stage, insert_staged
from crmclean.load.target import connect, disk_full_as_error, open_engine
from crmclean.load.upgrade import ensure_columns, ensure_schema
from crmclean.load.writer import indexes_rebuilt, insert_frame, save_and_delete, sent_columns
from crmclean.rules import Rules
from crmclean.segments.assign import SEGMENT


def load(
    plan: LoadPlan,
    target: str,
    *,
    run: RunInfo,
    rules: Rules | None = None,
    stage: Stage | None = None,
    segments: pl.DataFrame | None = None,
) -> LoadResult:
    """Apply ``plan`` to ``target`` (a SQLAlchemy URL, or a file path meaning SQLite).

    Everything happens in one transaction: on any error, crash or kill the target is left as
    it was. Every row replaced or deleted is first copied to its table's ``_before`` twin, so
    ``migrate rollback`` can undo the run. A plan that changes nothing writes nothing, not even
    a ``runs`` row (``run_id`` is then None). With ``stage`` (the plan's golden records staged
    in the target) the new golden records are copied from there instead of from memory.
    ``segments`` (``golden_id, segment``: the segment run that follows the load) adds
    ``contacts.segment`` if missing, and the new golden records from memory carry theirs, so
    that run need not set them one by one.
    """
    if plan.empty:
        return LoadResult(None, dict.fromkeys(DATA_KEYS, 0))
    tables = build_tables((rules or Rules()).model.names)
    engine = open_engine(target, create=True)
    try:
        with (
            disk_full_as_error(engine),
            side_files(engine.url) as side,
            connect(engine) as conn,
            conn.begin(),
        ):
            ensure_schema(conn, tables)
            if segments is not None:  # before any write: DDL commits on MariaDB
                ensure_columns(conn, _with_segment(tables.contacts), [SEGMENT])
            lock_runs(conn, tables.runs)
            if target_state(conn, tables) != plan.state:
                raise UserError("the target changed since this run read it; run it again")
            return _write(conn, tables, plan, run, stage, side, segments)
    finally:
        engine.dispose()


def _write(
    conn: sa.Connection,
    tables: Tables,
    plan: LoadPlan,
    run: RunInfo,
    stage: Stage | None,
    side: SideFiles | None,
    segments: pl.DataFrame | None,
) -> LoadResult:
    """Record the run, save and delete the rows it replaces, insert its rows (new golden
    records with their ``segments``, when given)."""
    sequence = start_run(conn, tables.runs, run)
    inserts = {name: _inserted(tables, plan, name, stage, segments) for name in DATA_KEYS}
    compact = not plan.changes[FINDINGS].insert.is_empty()  # stored compactly: kinds numbered
    _write_ahead(side, inserts, [name for name in DATA_KEYS if not (compact and name == FINDINGS)])
    if run.details.get("model") is not None:
        store_model(conn, tables.models, run.run_id, run.details["model"])
    if compact:
        table, rows, _ = inserts[FINDINGS]
        inserts[FINDINGS] = (tables.stored[FINDINGS], compact_rows(conn, tables, rows), None)
        _write_ahead(side, inserts, [FINDINGS])
    counts = {}
    for name, (table, rows, staged) in inserts.items():
        stored, before = tables.stored[name], tables.stored_before[name]
        save_and_delete(conn, stored, before, plan.changes[name].replace, run.run_id)
        stamp = run_stamp(tables, name, run.run_id, sequence)
        counts[name] = _insert(conn, table, rows, stamp, staged, side)
    changes = {name: plan.changes[name].counts for name in DATA_KEYS}
    result = LoadResult(run.run_id, counts, changes)
    finish_run(conn, tables.runs, result)
    return result


def _write_ahead(
    side: SideFiles | None,
    inserts: dict[str, tuple[sa.Table, pl.DataFrame, Stage | None]],
    names: list[str],
) -> None:
    """Start writing the side files of tables ``names``' rows from memory (SQLite), in the
    order the load copies them: before the model and the findings' kinds are written, which
    the side files need not wait for (neutral 1M: 0.8 s)."""
    if side is None:
        return
    for name in names:
        table, rows, staged = inserts[name]
        if staged is None:
            side.write_ahead(table.name, sent_columns(rows.drop(RUN_ID, strict=False)))


def _inserted(
    tables: Tables, plan: LoadPlan, name: str, stage: Stage | None, segments: pl.DataFrame | None
) -> tuple[sa.Table, pl.DataFrame, Stage | None]:
    """The table the run inserts ``name``'s new rows into, the rows, and the stage they come
    from instead (golden records gated in a staging table)."""
    table, rows = tables.data[name], plan.changes[name].insert
    if name != "contacts":
        return table, rows, None
    if segments is not None and stage is None:
        return _with_segment(table), _segmented(rows, segments), None
    return table, rows, stage


def _with_segment(contacts: sa.Table) -> sa.Table:
    """``contacts`` with the ``segment`` column the segment runs add."""
    table = contacts.to_metadata(sa.MetaData())
    table.append_column(sa.Column(SEGMENT, sa.Text))
    return table


def _segmented(rows: pl.DataFrame, segments: pl.DataFrame) -> pl.DataFrame:
    """``rows`` of ``contacts`` with each one's segment (null where ``segments`` has none)."""
    found = segments.select(GOLDEN_ID, SEGMENT)
    return rows.join(found, on=GOLDEN_ID, how="left", maintain_order="left")


def _insert(
    conn: sa.Connection,
    table: sa.Table,
    rows: pl.DataFrame,
    stamp: dict[str, str | int],
    stage: Stage | None,
    side: SideFiles | None,
) -> int:
    """The run's new rows of ``table``, from memory (through ``side`` files on SQLite) or
    (golden records) from the stage; ``stamp`` names their run (its id, or its number)."""
    if stage is None:
        with indexes_rebuilt(conn, table, rows.height):
            return insert_frame(conn, table, rows.drop(RUN_ID, strict=False), side, stamp)
    copied = insert_staged(conn, table, stage, str(stamp[RUN_ID]))
    if copied != rows.height:
        raise RuntimeError(f"staging table {stage.table.name} changed after the gate")
    return copied
