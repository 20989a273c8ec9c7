"""What identifies a load run, and what it wrote."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from crmclean import __version__


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunInfo:
    """One run: its id (uuid4 hex), when it started (UTC) and the hash of its configuration."""

    run_id: str
    started_at: datetime
    config_hash: str

    @classmethod
    def start(cls, config_hash: str) -> RunInfo:
        """A new run starting now."""
        return cls(uuid.uuid4().hex, _now(), config_hash)


@dataclass(frozen=True)
class LoadResult:
    """Rows written per table by one run."""

    run_id: str
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "counts": dict(self.counts)}


def start_run(conn: sa.Connection, runs: sa.Table, run: RunInfo) -> None:
    """Record the run as started, so every row written next can reference it."""
    conn.execute(
        runs.insert(),
        {
            "run_id": run.run_id,
            "started_at": run.started_at,
            "tool_version": __version__,
            "config_hash": run.config_hash,
            "status": "running",
        },
    )


def finish_run(conn: sa.Connection, runs: sa.Table, run_id: str, counts: dict[str, int]) -> None:
    """Record the run as loaded, with its counts."""
    values = {"finished_at": _now(), "status": "loaded", "counts": json.dumps(counts)}
    conn.execute(runs.update().where(runs.c.run_id == run_id).values(values))
