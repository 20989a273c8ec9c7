"""Create the target's tables, or upgrade an older crmclean schema in place."""

from __future__ import annotations

import sqlalchemy as sa

from crmclean.errors import UserError
from crmclean.load.compact import FINDINGS, create_views, upgrade_findings
from crmclean.load.schema import COMPANY_ID, SCHEMA_VERSION, Tables

ADDED = {"contacts": (COMPANY_ID,)}  # nullable columns added in place to older targets


def ensure_schema(conn: sa.Connection, tables: Tables) -> None:
    """Create missing tables; upgrade a version-1 or 2 target; refuse any other version or
    model.
    On PostgreSQL a lock held to the end of the transaction makes two first runs take turns
    (the second then finds the target changed) instead of racing to create the tables."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(hashtext('crmclean:' || current_schema()))"
        )
    tables.metadata.create_all(conn)
    version = tables.schema_version
    found = conn.execute(sa.select(version.c.version)).scalars().all()
    if not found:
        conn.execute(version.insert(), {"version": SCHEMA_VERSION})
        create_views(conn, tables)
    elif found in ([1], [2]):
        if found == [1]:
            _upgrade_from_1(conn, tables)
        _upgrade_from_2(conn, tables)
        conn.execute(version.update().values(version=SCHEMA_VERSION))
    elif found != [SCHEMA_VERSION]:
        raise UserError(f"target has schema version {found}, this crmclean writes {SCHEMA_VERSION}")
    for name, columns in ADDED.items():
        ensure_columns(conn, tables.data[name], list(columns))
    ensure_columns(conn, tables.models, ["packed"])  # models before: JSON text only
    missing = _missing_columns(conn, tables.contacts)
    if missing:
        raise UserError(f"target table 'contacts' lacks columns {missing} of the contact model")


def _missing_columns(conn: sa.Connection, table: sa.Table) -> list[str]:
    existing = {column["name"] for column in sa.inspect(conn).get_columns(table.name)}
    return [c.name for c in table.columns if c.name not in existing]


def _upgrade_from_1(conn: sa.Connection, tables: Tables) -> None:
    """Version 1 lacked run bookkeeping columns and the records' values in the crosswalk:
    add them (null for rows written before) and number the runs in start order."""
    for table in (tables.runs, tables.contact_sources):
        _add_columns(conn, table, _missing_columns(conn, table))
    runs = tables.runs
    ordered = conn.execute(sa.select(runs.c.run_id).order_by(runs.c.started_at)).scalars()
    for number, run_id in enumerate(list(ordered), start=1):
        conn.execute(runs.update().where(runs.c.run_id == run_id).values(sequence=number))


def _upgrade_from_2(conn: sa.Connection, tables: Tables) -> None:
    """Version 2 stored findings as text rows: store them compactly behind views
    (:mod:`crmclean.load.compact`). Older targets may lack the tables: created first."""
    for table in (tables.data[FINDINGS], tables.before[FINDINGS]):
        table.create(conn, checkfirst=True)
    upgrade_findings(conn, tables)


def ensure_columns(conn: sa.Connection, table: sa.Table, names: list[str]) -> None:
    """Add those nullable columns ``names`` of ``table`` the target's table lacks."""
    _add_columns(conn, table, [c for c in _missing_columns(conn, table) if c in names])


def _add_columns(conn: sa.Connection, table: sa.Table, names: list[str]) -> None:
    """Add nullable columns ``names`` of ``table`` to the target's table of that name."""
    quote = conn.dialect.identifier_preparer
    for name in names:
        kind = table.c[name].type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(
            f"ALTER TABLE {quote.format_table(table)} ADD COLUMN {quote.quote(name)} {kind}"
        )
