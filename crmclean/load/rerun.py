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

Per source: the hash is also kept split, the configuration's (everything but the source
files) and each file source's bytes. When the latest loaded run had the same configuration,
a source whose bytes are unchanged is not read, normalized or matched again: its records are
the ones the target holds, and the sources that changed are matched against the target's
golden records as any incremental run is (:mod:`crmclean.dedupe.link`). A run with orders
reads every source (segments rank all golden records together), and so does a run into a
target holding companies read from a company source (contacts are linked to the companies of
every source).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crmclean import __version__
from crmclean.company_fields import ORIGIN
from crmclean.fingerprint import config_hash
from crmclean.load.existing import has_tables
from crmclean.load.run import STATS_KEY
from crmclean.load.schema import Tables, build_tables
from crmclean.load.target import connect, open_engine, target_url
from crmclean.rules import Rules
from crmclean.sources import SourceSpec


@dataclass(frozen=True)
class Inputs:
    """A run's inputs hash (``sha256``), and its parts: the configuration's (everything but the
    source files) and each source's bytes, by source name."""

    sha256: str
    config: str
    sources: dict[str, str] = field(default_factory=dict)

    def to_stats(self) -> dict[str, Any]:
        """What ``runs.stats[STATS_KEY]`` records."""
        return {"sha256": self.sha256, "config": self.config, "sources": self.sources}


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def hash_inputs(sources: list[SourceSpec], rules: Rules, *files: Path | None) -> Inputs | None:
    """SHA-256 over the run's configuration and input bytes, whole and per source; None with
    a database source. ``files``: decisions, overrides and orders files (part of the
    configuration)."""
    if any(spec.is_database for spec in sources):
        return None
    options = json.dumps(rules.options, sort_keys=True, default=str)
    header = f"crmclean {__version__}\n{config_hash(sources, rules)}\n{options}\n"
    config = hashlib.sha256(header.encode())
    for path in files:
        if path:
            config.update(_file_digest(path).encode())
    by_source = {spec.source_name: _file_digest(spec.path) for spec in sources}  # type: ignore[arg-type]
    whole = hashlib.sha256(config.hexdigest().encode())
    for digest in by_source.values():
        whole.update(digest.encode())
    return Inputs(whole.hexdigest(), config.hexdigest(), by_source)


def inputs_hash(sources: list[SourceSpec], rules: Rules, *files: Path | None) -> str | None:
    """The whole inputs hash of :func:`hash_inputs` (None with a database source)."""
    inputs = hash_inputs(sources, rules, *files)
    return None if inputs is None else inputs.sha256


def changed_sources(
    target: str, rules: Rules, inputs: Inputs | None, sources: list[SourceSpec]
) -> list[SourceSpec]:
    """The ``sources`` a run must read: those whose bytes differ from what the target's latest
    run loaded, when that run is loaded, not rolled back, and had the same configuration;
    otherwise (or when none differs) every source."""
    if inputs is None:
        return sources
    last = _last_loaded(target, rules)
    if last is None or last.get("config") != inputs.config or last.get("companies"):
        return sources
    held = last.get("sources") or {}
    changed = [s for s in sources if held.get(s.source_name) != inputs.sources[s.source_name]]
    return changed or sources


def loaded_with(target: str, rules: Rules, digest: str | None) -> str | None:
    """The id of the target's latest run when it is loaded, not rolled back and was made from
    inputs hashing to ``digest``; else None (also for a target that does not exist yet)."""
    last = None if digest is None else _last_loaded(target, rules)
    return None if last is None or last.get("sha256") != digest else last.get("run_id")


def _last_loaded(target: str, rules: Rules) -> dict[str, Any] | None:
    """The inputs the target's latest run recorded (with its ``run_id``) when that run is
    loaded and not rolled back; else None (also for a target that does not exist yet)."""
    if missing_sqlite(target):
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
            companies = _holds_companies(conn, tables)
    finally:
        engine.dispose()
    if last is None or last.status != "loaded" or last.rolled_back_at is not None:
        return None
    return {**_recorded(last.stats), "run_id": last.run_id, "companies": companies}


def _holds_companies(conn: sa.Connection, tables: Tables) -> bool:
    """Whether the target holds a golden company read from a company source (not only ones
    created from contacts; older targets have no such table)."""
    companies = tables.data["companies"]
    if not sa.inspect(conn).has_table(companies.name):
        return False
    query = sa.select(companies.c.company_id).where(companies.c[ORIGIN] == "sources").limit(1)
    return conn.execute(query).first() is not None


def _recorded(stats: str | None) -> dict[str, Any]:
    try:
        recorded = json.loads(stats or "null") or {}
    except json.JSONDecodeError:
        return {}
    inputs = recorded.get(STATS_KEY) if isinstance(recorded, dict) else None
    return inputs if isinstance(inputs, dict) else {}


def missing_sqlite(target: str) -> bool:
    """Whether ``target`` is a SQLite file that does not exist (opening it would create it)."""
    url = target_url(target)
    return url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file()
