"""Undo loaded runs from their before-images, and list the runs of a target."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from crmclean.errors import UserError
from crmclean.load.compact import run_rows
from crmclean.load.existing import has_tables
from crmclean.load.models import run_models
from crmclean.load.run import now
from crmclean.load.run_rows import lock_runs
from crmclean.load.schema import REPLACED_BY, Tables, build_tables
from crmclean.load.target import connect, open_engine, safe_url
from crmclean.load.upgrade import ensure_schema
from crmclean.rules import Rules
from crmclean.segments.history import forget_runs

LOADED, ROLLED_BACK = "loaded", "rolled_back"
_STATUS_COLUMNS = ("sequence", "run_id", "status", "started_at", "finished_at", "rolled_back_at")


@dataclass(frozen=True)
class RunRow:
    """One row of ``runs`` as ``migrate status`` shows it."""

    sequence: int
    run_id: str
    status: str
    started_at: str
    finished_at: str | None
    rolled_back_at: str | None
    user_name: str | None
    host: str | None
    counts: dict[str, Any] | None
    model: dict[str, Any] | None = None  # the match model that decided: id, when, records

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def run_status(target: str, rules: Rules | None = None) -> list[RunRow]:
    """Every run the target recorded, oldest first (none for a target never loaded)."""
    tables = build_tables((rules or Rules()).model.names)
    engine = open_engine(target)
    try:
        with connect(engine) as conn:
            if not has_tables(conn, tables):
                return []
            rows = conn.execute(sa.select(tables.runs).order_by(tables.runs.c.sequence)).all()
            models = run_models(conn, tables.models)
    finally:
        engine.dispose()
    return [replace(_run_row(row._mapping), model=models.get(row.run_id)) for row in rows]


def _run_row(row: Any) -> RunRow:
    counts = json.loads(row["counts"]) if row["counts"] else None
    times = {name: _text(row[name]) for name in ("started_at", "finished_at", "rolled_back_at")}
    return RunRow(
        row["sequence"],
        row["run_id"],
        row["status"],
        **times,  # type: ignore[arg-type]
        user_name=row["user_name"],
        host=row["host"],
        counts=counts,
    )


def rollback(
    target: str, run_id: str, *, cascade: bool = False, rules: Rules | None = None
) -> list[str]:
    """Restore ``target`` to its state before ``run_id``, in one transaction.

    Later loaded runs were planned against that run's records, so they are undone first with
    ``cascade``, and otherwise the rollback is refused. Returns the runs undone, newest first.
    """
    tables = build_tables((rules or Rules()).model.names)
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            if not has_tables(conn, tables):
                raise UserError(f"{safe_url(engine.url)} has no crmclean runs")
            ensure_schema(conn, tables)
            lock_runs(conn, tables.runs)
            undo = _runs_to_undo(conn, tables, run_id, cascade)
            for each in undo:
                _undo(conn, tables, each)
            forget_runs(conn, undo)
    finally:
        engine.dispose()
    return undo


def _runs_to_undo(conn: sa.Connection, tables: Tables, run_id: str, cascade: bool) -> list[str]:
    runs = tables.runs
    found = conn.execute(
        sa.select(runs.c.sequence, runs.c.status).where(runs.c.run_id == run_id)
    ).first()
    if found is None:
        raise UserError(f"no run {run_id!r} in this target (see: crmclean migrate status)")
    if found.status != LOADED:
        raise UserError(f"run {run_id} is {found.status}, not loaded: nothing to roll back")
    later = sa.select(runs.c.run_id).where(
        runs.c.sequence > found.sequence, runs.c.status == LOADED
    )
    newer = conn.execute(later.order_by(runs.c.sequence.desc())).scalars().all()
    if newer and not cascade:
        raise UserError(
            f"run {run_id} was followed by {len(newer)} loaded run(s) built on it "
            f"({', '.join(newer)}); roll those back first, or pass --cascade to undo them too"
        )
    return [*newer, run_id]


def _undo(conn: sa.Connection, tables: Tables, run_id: str) -> None:
    """Delete the rows ``run_id`` wrote, put back the rows it replaced, mark it rolled back."""
    for name, table in tables.stored.items():
        before = tables.stored_before[name]
        conn.execute(table.delete().where(run_rows(conn, tables, name, run_id)))
        saved = sa.select(*(before.c[c.name] for c in table.columns))
        saved = saved.where(before.c[REPLACED_BY] == run_id)
        conn.execute(table.insert().from_select([c.name for c in table.columns], saved))
        conn.execute(before.delete().where(before.c[REPLACED_BY] == run_id))
    values = {"status": ROLLED_BACK, "rolled_back_at": now()}
    conn.execute(tables.runs.update().where(tables.runs.c.run_id == run_id).values(values))
