"""What identifies a load run, and what it wrote (its row in ``runs``:
:mod:`crmclean.load.run_rows`). No SQLAlchemy here: every run, ``crmclean dedupe``
too, starts a :class:`RunInfo`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

STATS_KEY = "inputs"  # runs.stats[STATS_KEY]["sha256"] holds a run's inputs hash
STAGE_ROWS = 5_000_000  # golden records above which PostgreSQL gates a staging table


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


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
