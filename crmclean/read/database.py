"""A database source read: its query (a ``table``, a ``query`` or the sql connector's), run
read-only in batches with a row counter. :mod:`crmclean.sources` imports this module only for
a database source: it imports SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmclean.connectors import ConnectorSpec, named
from crmclean.errors import UserError
from crmclean.read.progress import row_counter
from crmclean.read.sql import read_sql, table_query
from crmclean.read.table import SourceTable
from crmclean.rules import Rules

if TYPE_CHECKING:
    from crmclean.sources import SourceSpec


def read_database(spec: SourceSpec, rules: Rules) -> SourceTable:
    """The raw table of database source ``spec``: its query run read-only in batches."""
    connector = named(spec.connector, rules.connectors) if spec.connector else None
    query = _database_query(spec, connector)
    with row_counter(f"reading {spec.source_name}") as progress:
        return read_sql(spec.database_url(), query, name=spec.source_name, progress=progress)


def _database_query(spec: SourceSpec, connector: ConnectorSpec | None) -> str:
    if spec.query or spec.table:
        return spec.query or table_query(spec.table or "", spec.database_url())
    if connector is None or connector.kind != "sql":
        given = f"connector '{connector.name}' reads files" if connector else "nothing to read"
        raise UserError(
            f"database source {spec.source_name!r}: {given}; name a sql connector, "
            "a `table` or a `query`"
        )
    return connector.query or ""
