"""The target database schema, defined once from the canonical model and the batch contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from crmclean.batch import FINDING_SCHEMA, GOLDEN_ID, RAW, REJECT_SCHEMA, SOURCE, SOURCE_ID
from crmclean.errors import UserError

SCHEMA_VERSION = 1
RUN_ID = "run_id"
LIST_COLUMNS = ("email_alt", "phone_alt")
SOURCE_COUNT = "source_count"
KEY = sa.String(255)
RUN_KEY = sa.String(32)


def db_name(column: str) -> str:
    """The database name of a frame column: lineage columns lose their leading underscore."""
    return column.lstrip("_")


@dataclass(frozen=True)
class Tables:
    """Every table crmclean writes, on one ``MetaData``."""

    metadata: sa.MetaData
    runs: sa.Table
    contacts: sa.Table
    contact_sources: sa.Table
    rejects: sa.Table
    findings: sa.Table
    schema_version: sa.Table


def _run_column() -> sa.Column:
    # No foreign key to runs: the same transaction writes both, and PostgreSQL's per-row
    # referential check doubled the load time of 100k contacts.
    return sa.Column(RUN_ID, RUN_KEY, nullable=False)


def _lineage_table(metadata: sa.MetaData, name: str, columns: Sequence[str]) -> sa.Table:
    """A side table (rejects, findings): lineage keys required, the rest free text."""
    keys = (db_name(SOURCE), db_name(SOURCE_ID))
    return sa.Table(
        name,
        metadata,
        *(sa.Column(c, KEY, nullable=False) for c in keys),
        *(sa.Column(db_name(c), sa.Text) for c in columns if db_name(c) not in keys),
        _run_column(),
        sa.Index(f"ix_{name}_source", *keys),
    )


def build_tables(fields: Sequence[str]) -> Tables:
    """All tables, the ``contacts`` columns taken from the canonical ``fields``."""
    metadata = sa.MetaData()
    runs = sa.Table(
        "runs",
        metadata,
        sa.Column(RUN_ID, RUN_KEY, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("config_hash", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.Text),
    )
    contacts = sa.Table(
        "contacts",
        metadata,
        sa.Column(GOLDEN_ID, KEY, primary_key=True),
        *(sa.Column(name, sa.Text) for name in (*fields, *LIST_COLUMNS)),
        sa.Column(SOURCE_COUNT, sa.Integer, nullable=False),
        _run_column(),
    )
    contact_sources = sa.Table(
        "contact_sources",
        metadata,
        sa.Column(db_name(SOURCE), KEY, primary_key=True),
        sa.Column(db_name(SOURCE_ID), KEY, primary_key=True),
        sa.Column(GOLDEN_ID, KEY, nullable=False, index=True),
        sa.Column(db_name(RAW), sa.Text),
        _run_column(),
    )
    rejects = _lineage_table(metadata, "rejects", list(REJECT_SCHEMA))
    findings = _lineage_table(metadata, "findings", list(FINDING_SCHEMA))
    version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
    return Tables(metadata, runs, contacts, contact_sources, rejects, findings, version)


def ensure_schema(conn: sa.Connection, tables: Tables) -> None:
    """Create missing tables and refuse a target written by another schema version or model."""
    tables.metadata.create_all(conn)
    found = conn.execute(sa.select(tables.schema_version.c.version)).scalars().all()
    if not found:
        conn.execute(tables.schema_version.insert(), {"version": SCHEMA_VERSION})
    elif found != [SCHEMA_VERSION]:
        raise UserError(f"target has schema version {found}, this crmclean writes {SCHEMA_VERSION}")
    existing = {column["name"] for column in sa.inspect(conn).get_columns("contacts")}
    missing = [c.name for c in tables.contacts.columns if c.name not in existing]
    if missing:
        raise UserError(f"target table 'contacts' lacks columns {missing} of the contact model")
