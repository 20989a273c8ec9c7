"""What the target already holds, read as polars frames for planning a run."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from crmclean.batch import EXISTING, FINAL, GOLDEN_ID, RAW, SOURCE, SOURCE_ID
from crmclean.errors import UserError
from crmclean.load.reading import frame_schema, read_rows
from crmclean.load.schema import LIST_COLUMNS, RUN_ID, Tables, build_tables, db_name
from crmclean.load.target import connect, open_engine, safe_url, target_url
from crmclean.rules import Rules

_LIST = pl.List(pl.String)
# Keys naming at least this share of a table's rows read the whole table instead (no
# temporary table of keys, one sequential read) and are matched in memory.
WHOLE_TABLE_SHARE = 1 / 3
_INDEX = "_index"


def has_tables(conn: sa.Connection, tables: Tables) -> bool:
    """Whether crmclean has written to this target before."""
    return sa.inspect(conn).has_table(tables.runs.name)


@contextmanager
def crmclean_target(target: str, rules: Rules) -> Iterator[tuple[sa.Connection, Tables]]:
    """A connection to ``target`` in one transaction, and its tables; a user error when
    crmclean never wrote there."""
    tables = build_tables(rules.model.names)
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            if not has_tables(conn, tables):
                raise UserError(f"{safe_url(engine.url)} holds no crmclean tables")
            yield conn, tables
    finally:
        engine.dispose()


def target_state(conn: sa.Connection, tables: Tables) -> str:
    """A token that changes whenever a run is loaded or rolled back (empty for a new target)."""
    if not has_tables(conn, tables):
        return ""
    runs = tables.runs
    order = (runs.c.started_at, runs.c.run_id)  # version-1 targets have no run numbers
    rows = conn.execute(sa.select(runs.c.run_id, runs.c.status).order_by(*order)).all()
    if not rows:
        return ""
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


def present_columns(conn: sa.Connection, tables: Tables) -> dict[str, set[str]]:
    """The columns each data table has in the target (none for a table it lacks)."""
    inspector = sa.inspect(conn)
    return {
        name: {c["name"] for c in inspector.get_columns(name)}
        if inspector.has_table(name)
        else set()
        for name in tables.data
    }


def as_records(rows: pl.DataFrame) -> pl.DataFrame:
    """Crosswalk or contacts rows in the pipeline's frame shape: lineage columns renamed back,
    JSON arrays decoded to lists, the run id dropped."""
    renames = {db_name(c): c for c in (SOURCE, SOURCE_ID, RAW) if db_name(c) in rows.columns}
    decoded = [pl.col(c).str.json_decode(_LIST) for c in LIST_COLUMNS if c in rows.columns]
    return rows.drop(RUN_ID).rename(renames).with_columns(decoded)


def golden_nodes(contacts: pl.DataFrame) -> pl.DataFrame:
    """Existing golden records as records to match against (``_source`` empty)."""
    records = as_records(contacts)
    return records.with_columns(
        pl.lit("", pl.String).alias(SOURCE), pl.col(GOLDEN_ID).alias(SOURCE_ID)
    )


@dataclass(frozen=True)
class TargetClusters:
    """What the target holds, as the dedupe stage links into it: the token of the state it was
    read in, its golden records (``contacts`` rows) and their members (``contact_sources``
    rows), both as stored. The dedupe stage fills ``renamed`` (``_existing -> _final``: every
    existing golden id it touched -> its id after the run) and ``kept`` (the target's records
    of those golden records this run did not bring, in the pipeline's frame shape, with their
    new golden ids)."""

    state: str
    contacts: pl.DataFrame
    crosswalk: pl.DataFrame
    renamed: pl.DataFrame | None = None
    kept: pl.DataFrame | None = None


def read_clusters(target: str, rules: Rules) -> TargetClusters:
    """The target's golden records and their members (empty for a new target)."""
    tables = build_tables(rules.model.names)
    url = target_url(target)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        reader = TargetReader(None, tables)
        return TargetClusters("", reader.rows("contacts"), reader.rows("contact_sources"))
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            reader = TargetReader(conn, tables)
            state = target_state(conn, tables)
            return TargetClusters(state, reader.rows("contacts"), reader.rows("contact_sources"))
    finally:
        engine.dispose()


def holds_golden(target: str, rules: Rules) -> bool:
    """Whether ``target`` holds a golden contact (the dedupe stage then links into its
    clusters, :func:`~crmclean.dedupe.link.linking`): one row read at most."""
    url = target_url(target)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return False
    tables = build_tables(rules.model.names)
    engine = open_engine(target)
    try:
        with connect(engine) as conn:
            contacts = tables.data["contacts"]
            if not has_tables(conn, tables) or not sa.inspect(conn).has_table(contacts.name):
                return False  # read as empty (TargetReader)
            first = sa.select(sa.literal(1)).select_from(contacts).limit(1)
            return conn.execute(first).first() is not None
    finally:
        engine.dispose()


def adopt(
    clusters: TargetClusters, frame: pl.DataFrame, rejects: pl.DataFrame
) -> tuple[TargetClusters, pl.DataFrame]:
    """``clusters`` joined by the clusters of ``frame`` (records clustered without the target),
    and ``frame`` with its final golden ids: a cluster and the golden records its records
    belonged to become one, under the smallest existing id (the cluster's own id when it is
    new); the target's other records of those golden records follow."""
    keys = [SOURCE, SOURCE_ID]
    members = as_records(clusters.crosswalk)
    incoming = pl.concat([frame.select(keys), rejects.select(keys)]).unique()
    prior = members.join(incoming, on=keys, how="semi").select(
        *keys, pl.col(GOLDEN_ID).alias(EXISTING)
    )
    now = frame.select(*keys, pl.col(GOLDEN_ID).alias(FINAL))
    edges = prior.join(now, on=keys, how="left")
    ids = pl.concat([now[FINAL], prior[EXISTING]]).unique().sort()
    index = {name: i for i, name in enumerate(ids)}
    lookup = pl.DataFrame({"_id": ids, "_index": range(ids.len())})
    linked = edges.drop_nulls(FINAL)
    pairs = (
        linked.join(lookup, left_on=EXISTING, right_on="_id")
        .join(lookup, left_on=FINAL, right_on="_id", suffix="_b")
        .select("_index", "_index_b")
    )
    graph = coo_array(
        (np.ones(pairs.height), (pairs["_index"].to_numpy(), pairs["_index_b"].to_numpy())),
        shape=(len(index), len(index)),
    )
    _, labels = connected_components(graph, directed=False)
    nodes = lookup.with_columns(pl.Series("_label", labels))
    existing = nodes.join(prior.select(EXISTING).unique(), left_on="_id", right_on=EXISTING)
    named = nodes.join(
        existing.group_by("_label").agg(pl.col("_id").min().alias("_named")),
        on="_label",
        how="left",
    ).select("_id", pl.coalesce("_named", "_id").alias("_final_id"))
    frame = frame.join(named, left_on=GOLDEN_ID, right_on="_id", how="left", maintain_order="left")
    frame = frame.with_columns(pl.col("_final_id").alias(GOLDEN_ID)).drop("_final_id")
    renamed = prior.select(EXISTING).unique().join(named, left_on=EXISTING, right_on="_id")
    renamed = renamed.rename({"_final_id": FINAL})
    kept = members.join(incoming, on=keys, how="anti").join(
        renamed, left_on=GOLDEN_ID, right_on=EXISTING
    )
    kept = kept.with_columns(pl.col(FINAL).alias(GOLDEN_ID)).drop(FINAL)
    return replace(clusters, renamed=renamed, kept=kept), frame


def read_golden(target: str, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The target's golden records and their lineage (``golden_id, _source, _source_id``)."""
    with crmclean_target(target, rules) as (conn, tables):
        contacts = read_rows(conn, tables.contacts, present_columns(conn, tables)["contacts"])
        sources = tables.contact_sources
        query = sa.select(sources.c.golden_id, sources.c.source, sources.c.source_id)
        lineage = pl.read_database(query, conn, schema_overrides=frame_schema(sources))
    return contacts, lineage.rename({db_name(SOURCE): SOURCE, db_name(SOURCE_ID): SOURCE_ID})


class TargetReader:
    """Reads the target's data tables for planning; a table the target lacks reads as empty, a
    column it lacks (an older schema, upgraded by the next load) as null. A table read whole
    (keys naming a large share of it) is kept for the next reads of the same plan."""

    def __init__(self, conn: sa.Connection | None, tables: Tables) -> None:
        self.conn, self.tables = conn, tables
        present = conn is not None and has_tables(conn, tables)
        self.columns = present_columns(conn, tables) if present and conn is not None else {}
        self._whole: dict[str, pl.DataFrame] = {}

    def rows(self, name: str, keys: pl.DataFrame | None = None) -> pl.DataFrame:
        """Rows of table ``name`` (those matching ``keys``, if given)."""
        table, present = self.tables.data[name], self.columns.get(name)
        if not present or self.conn is None:
            return pl.DataFrame(schema=frame_schema(table))
        if keys is None:
            return read_rows(self.conn, table, present)
        if name in self._whole or self._mostly(table, keys):
            if name not in self._whole:
                self._whole[name] = read_rows(self.conn, table, present)
            return rows_matching(self._whole[name], keys)
        return read_rows(self.conn, table, present, keys)

    def _mostly(self, table: sa.Table, keys: pl.DataFrame) -> bool:
        """Whether ``keys`` name a large share of ``table``'s rows (or it has none); counted
        in the table that stores them (a view's joins would cost a lookup per row)."""
        assert self.conn is not None
        stored = self.tables.stored[table.name]
        if stored is not table and sa.inspect(self.conn).has_table(stored.name):
            table = stored
        count = self.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        return keys.height >= count * WHOLE_TABLE_SHARE


def rows_matching(rows: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """The ``rows`` whose key columns equal a row of ``keys``: ``rows`` itself when that is
    all of them (a wide frame copied costs 16 bytes a cell, even a null one)."""
    index = rows.select(keys.columns).with_row_index(_INDEX)
    found = index.join(keys, on=keys.columns, how="semi", maintain_order="left")[_INDEX]
    return rows if found.len() == rows.height else rows[found]
