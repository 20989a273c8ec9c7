"""What identifies a load run, and its row in the ``runs`` table."""

from __future__ import annotations

import getpass
import json
import socket
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from crmclean import __version__


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return ""


@dataclass(frozen=True)
class RunInfo:
    """One run: its id (uuid4 hex), when it started (UTC), the hash of its configuration, who
    ran it where, and what its stages and gate reported."""

    run_id: str
    started_at: datetime
    config_hash: str
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, config_hash: str, **details: Any) -> RunInfo:
        """A new run starting now; ``details`` (stage counts, gate result) go into ``runs``."""
        return cls(uuid.uuid4().hex, now(), config_hash, details)

    def with_details(self, **details: Any) -> RunInfo:
        """The same run with more ``details`` (the gate's result, once it ran)."""
        return replace(self, details={**self.details, **details})


@dataclass(frozen=True)
class LoadResult:
    """Rows written per table by one run, and the inserts, updates and deletes behind them."""

    run_id: str | None
    counts: dict[str, int]
    changes: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "counts": dict(self.counts), "changes": self.changes}


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
