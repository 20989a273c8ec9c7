"""A run's row in the ``runs`` table: recorded as started, then as loaded; one run at a time."""

from __future__ import annotations

import getpass
import json
import socket

import sqlalchemy as sa

from crmclean import __version__
from crmclean.load.run import LoadResult, RunInfo, now


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return ""


def start_run(conn: sa.Connection, runs: sa.Table, run: RunInfo) -> int:
    """Record the run as started, numbered after every earlier run; returns its number."""
    last = conn.execute(sa.select(sa.func.max(runs.c.sequence))).scalar()
    conn.execute(
        runs.insert(),
        {
            "run_id": run.run_id,
            "sequence": (last or 0) + 1,
            "started_at": run.started_at,
            "tool_version": __version__,
            "user_name": _user(),
            "host": socket.gethostname(),
            "config_hash": run.config_hash,
            "status": "running",
            "stats": json.dumps(run.details.get("stats")),
            "gate": json.dumps(run.details.get("gate")),
        },
    )
    return (last or 0) + 1


def finish_run(conn: sa.Connection, runs: sa.Table, result: LoadResult) -> None:
    """Record the run as loaded, with its counts."""
    counts = {"rows": result.counts, "changes": result.changes}
    values = {"finished_at": now(), "status": "loaded", "counts": json.dumps(counts)}
    conn.execute(runs.update().where(runs.c.run_id == result.run_id).values(values))


def lock_runs(conn: sa.Connection, runs: sa.Table) -> None:
    """One run or rollback at a time (SQLite already holds its write lock: BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        table = conn.dialect.identifier_preparer.format_table(runs)
        conn.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
