"""Reruns: a run whose inputs the target's last run already loaded is not read again.

The inputs hash covers everything a run's result depends on: the configuration (rule and
connector files, source specs, mapping files, default region, rule options), the bytes of every
source file and of the decisions and overrides files, and crmclean's version. A ``migrate run``
records it in its ``runs`` row; the next run compares. When the target's latest run is loaded,
not rolled back, and has the same inputs hash, a full run would find nothing to change (the
target holds exactly what those inputs make), so the sources are not read, normalized or
matched again. Any later change to the target through crmclean (another run, an unmerge, a
rollback) is a newer run or marks this one, so it is seen. A database source cannot be hashed
without reading it: a project with one always runs in full.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import sqlalchemy as sa

from crmclean import __version__
from crmclean.fingerprint import config_hash
from crmclean.load.existing import has_tables
from crmclean.load.schema import build_tables
from crmclean.load.target import connect, open_engine, target_url
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

STATS_KEY = "inputs"  # runs.stats[STATS_KEY]["sha256"] holds a run's inputs hash


def inputs_hash(sources: list[SourceSpec], rules: Rules, *files: Path | None) -> str | None:
    """SHA-256 over the run's configuration and input bytes; None with a database source."""
    if any(spec.is_database for spec in sources):
        return None
    options = json.dumps(rules.options, sort_keys=True, default=str)
    header = f"crmclean {__version__}\n{config_hash(sources, rules)}\n{options}\n"
    digest = hashlib.sha256(header.encode())
    paths = [spec.path for spec in sources] + list(files)
    for path in (p for p in paths if p is not None):
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def loaded_with(target: str, rules: Rules, digest: str | None) -> str | None:
    """The id of the target's latest run when it is loaded, not rolled back and was made from
    inputs hashing to ``digest``; else None (also for a target that does not exist yet)."""
    if digest is None or missing_sqlite(target):
        return None
    tables = build_tables(rules.model.names)
    runs = tables.runs
    engine = open_engine(target)
    try:
        with connect(engine) as conn:
            if not has_tables(conn, tables):
                return None
            query = sa.select(runs.c.run_id, runs.c.status, runs.c.rolled_back_at, runs.c.stats)
            last = conn.execute(query.order_by(runs.c.sequence.desc()).limit(1)).first()
    finally:
        engine.dispose()
    if last is None or last.status != "loaded" or last.rolled_back_at is not None:
        return None
    return last.run_id if _recorded(last.stats) == digest else None


def _recorded(stats: str | None) -> str | None:
    try:
        recorded = json.loads(stats or "null") or {}
    except json.JSONDecodeError:
        return None
    return (recorded.get(STATS_KEY) or {}).get("sha256") if isinstance(recorded, dict) else None


def missing_sqlite(target: str) -> bool:
    """Whether ``target`` is a SQLite file that does not exist (opening it would create it)."""
    url = target_url(target)
    return url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file()
