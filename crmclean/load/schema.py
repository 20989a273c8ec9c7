"""The target database schema, defined once from the canonical model and the batch contract.

Every data table has a ``<name>_before`` twin holding the before-images of the rows a run
replaced or deleted, tagged ``replaced_by`` with that run's id: what ``migrate rollback`` puts
back. Rows a run wrote carry its ``run_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from crmclean.batch import FINDING_SCHEMA, GOLDEN_ID, RAW, REJECT_SCHEMA, SOURCE, SOURCE_ID
from crmclean.company_fields import COMPANY_ID, TABLE_FIELDS

SCHEMA_VERSION = 3
RUN_ID = "run_id"
PENDING = ""  # the run id of a planned row, until the run writes it
REPLACED_BY = "replaced_by"
LIST_COLUMNS = ("email_alt", "phone_alt")
SOURCE_COUNT = "source_count"
KEY = sa.String(255)
RUN_KEY = sa.String(32)
BEFORE = "_before"


def db_name(column: str) -> str:
    """The database name of a frame column: lineage columns lose their leading underscore."""
    return column.lstrip("_")


LINEAGE_KEY = (db_name(SOURCE), db_name(SOURCE_ID))
# What identifies the rows a run replaces together in each data table, in write order.
DATA_KEYS: dict[str, tuple[str, ...]] = {
    "contacts": (GOLDEN_ID,),
    "contact_sources": LINEAGE_KEY,
    "merges": (GOLDEN_ID,),
    "rejects": LINEAGE_KEY,
    "findings": LINEAGE_KEY,
    "companies": (COMPANY_ID,),
    "company_sources": LINEAGE_KEY,
}
COMPANY_FIELDS = TABLE_FIELDS


@dataclass(frozen=True)
class Tables:
    """Every table crmclean writes, on one ``MetaData``."""

    metadata: sa.MetaData
    runs: sa.Table
    data: dict[str, sa.Table]
    before: dict[str, sa.Table]
    schema_version: sa.Table
    models: sa.Table
    stored: dict[str, sa.Table]  # where each data table's rows are written (compact findings)
    stored_before: dict[str, sa.Table]
    kinds: sa.Table  # the kinds of finding a compact ``findings`` row refers to

    def __getattr__(self, name: str) -> sa.Table:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None


def _run_column() -> sa.Column:
    # No foreign key to runs: the same transaction writes both, and PostgreSQL's per-row
    # referential check doubled the load time of 100k contacts.
    return sa.Column(RUN_ID, RUN_KEY, nullable=False)


def _lineage_table(metadata: sa.MetaData, name: str, columns: Sequence[str]) -> sa.Table:
    """A side table (rejects, findings, merges): lineage keys required, the rest free text."""
    return sa.Table(
        name,
        metadata,
        *(sa.Column(c, KEY, nullable=False) for c in LINEAGE_KEY),
        *(sa.Column(db_name(c), sa.Text) for c in columns if db_name(c) not in LINEAGE_KEY),
        _run_column(),
        sa.Index(f"ix_{name}_source", *LINEAGE_KEY),
    )


def _runs(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "runs",
        metadata,
        sa.Column(RUN_ID, RUN_KEY, primary_key=True),
        sa.Column("sequence", sa.Integer, nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("user_name", sa.String(128)),
        sa.Column("host", sa.String(255)),
        sa.Column("config_hash", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.Text),
        sa.Column("stats", sa.Text),
        sa.Column("gate", sa.Text),
    )


def _models(metadata: sa.MetaData) -> sa.Table:
    """Which match model decided each run (:mod:`crmclean.load.models`); the model itself
    with the first run it decided (``packed``; ``body``, its JSON, in older targets)."""
    return sa.Table(
        "models",
        metadata,
        sa.Column(RUN_ID, RUN_KEY, primary_key=True),
        sa.Column("model_id", sa.String(32), nullable=False, index=True),
        sa.Column("learned_at", sa.String(40), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("rules_hash", sa.String(32), nullable=False),
        sa.Column("body", sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")),
        sa.Column("packed", sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")),
    )


def _before_table(metadata: sa.MetaData, table: sa.Table) -> sa.Table:
    """The before-image twin of ``table``: the same columns, no keys, plus ``replaced_by``."""
    return sa.Table(
        table.name + BEFORE,
        metadata,
        *(sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns),
        sa.Column(REPLACED_BY, RUN_KEY, nullable=False, index=True),
    )


def _data_tables(
    metadata: sa.MetaData, fields: Sequence[str], views: sa.MetaData
) -> dict[str, sa.Table]:
    def record() -> list[sa.Column]:
        return [sa.Column(name, sa.Text) for name in (*fields, *LIST_COLUMNS)]

    contacts = sa.Table(
        "contacts",
        metadata,
        sa.Column(GOLDEN_ID, KEY, primary_key=True),
        *record(),
        sa.Column(COMPANY_ID, KEY),
        sa.Column(SOURCE_COUNT, sa.Integer, nullable=False),
        _run_column(),
    )
    contact_sources = sa.Table(
        "contact_sources",
        metadata,
        *(sa.Column(c, KEY, primary_key=True) for c in LINEAGE_KEY),
        sa.Column(GOLDEN_ID, KEY, nullable=False, index=True),
        sa.Column(db_name(RAW), sa.Text),
        *record(),
        _run_column(),
    )
    merges = _lineage_table(metadata, "merges", [GOLDEN_ID, "field", "value"])
    merges.append_constraint(sa.Index("ix_merges_golden_id", GOLDEN_ID))
    return {
        "contacts": contacts,
        "contact_sources": contact_sources,
        "merges": merges,
        "rejects": _lineage_table(metadata, "rejects", list(REJECT_SCHEMA)),
        "findings": _lineage_table(views, "findings", list(FINDING_SCHEMA)),
        **_company_tables(metadata),
    }


def _company_tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    """``companies`` (golden companies; ``origin`` ``sources`` or ``contacts``) and
    ``company_sources`` (crosswalk: each company record, or contact a company was created
    from (source ``contacts``), to its golden company)."""
    companies = sa.Table(
        "companies",
        metadata,
        sa.Column(COMPANY_ID, KEY, primary_key=True),
        *(sa.Column(name, sa.Text) for name in COMPANY_FIELDS),
        sa.Column(SOURCE_COUNT, sa.Integer, nullable=False),
        _run_column(),
    )
    company_sources = sa.Table(
        "company_sources",
        metadata,
        *(sa.Column(c, KEY, primary_key=True) for c in LINEAGE_KEY),
        sa.Column(COMPANY_ID, KEY, nullable=False, index=True),
        _run_column(),
    )
    return {"companies": companies, "company_sources": company_sources}


def build_tables(fields: Sequence[str]) -> Tables:
    """All tables, the record columns taken from the canonical ``fields``. ``findings`` and
    ``findings_before`` are views (:mod:`crmclean.load.compact`) over the compact tables
    ``finding_rows``, ``finding_rows_before`` and ``finding_kinds``: their tables here are
    on a metadata of their own, so that creating the schema does not create them."""
    metadata, views = sa.MetaData(), sa.MetaData()
    runs = _runs(metadata)
    data = _data_tables(metadata, fields, views)
    before = {name: _before_table(table.metadata, table) for name, table in data.items()}
    version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
    stored, kinds = dict(data), finding_kinds(metadata)
    stored["findings"] = finding_rows(metadata)
    stored_before = dict(before)
    stored_before["findings"] = _before_table(metadata, stored["findings"])
    return Tables(
        metadata, runs, data, before, version, _models(metadata), stored, stored_before, kinds
    )


FINDING_ROWS, FINDING_KINDS = "finding_rows", "finding_kinds"
KIND, RUN = "kind", "run"  # a finding's kind (field, code, rule, severity); its run's sequence
KIND_COLUMNS = ("field", "code", "rule", "severity")


def finding_rows(metadata: sa.MetaData) -> sa.Table:
    """The findings as stored: the record, the kind of finding as a number, the values, and
    the run as its sequence number (a finding row is ~40 bytes smaller than its view row)."""
    return sa.Table(
        FINDING_ROWS,
        metadata,
        *(sa.Column(c, KEY, nullable=False) for c in LINEAGE_KEY),
        sa.Column(KIND, sa.SmallInteger, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column(RUN, sa.Integer),
        sa.Index(f"ix_{FINDING_ROWS}_source", *LINEAGE_KEY),
    )


def finding_kinds(metadata: sa.MetaData) -> sa.Table:
    """One row per kind of finding a target holds: its number, field, code, rule, severity."""
    return sa.Table(
        FINDING_KINDS,
        metadata,
        sa.Column(KIND, sa.SmallInteger, primary_key=True, autoincrement=False),
        *(sa.Column(c, sa.Text) for c in KIND_COLUMNS),
    )
