"""Plan a load: what the run will insert, update, merge and delete in the target.

Planning reads the target but never writes to it; ``migrate plan`` stops here, and
``migrate run`` gates :attr:`LoadPlan.after` and then applies the plan in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID, RAW, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.merge import golden_records
from crmclean.dedupe.survivorship import Survivorship
from crmclean.load.changes import TableChange, diff, merge_rows
from crmclean.load.existing import (
    TargetReader,
    as_records,
    golden_nodes,
    rows_matching,
    target_state,
)
from crmclean.load.frames import table_frame
from crmclean.load.resolve import EXISTING, FINAL, resolve
from crmclean.load.schema import DATA_KEYS, LINEAGE_KEY, PENDING, RUN_ID, Tables, build_tables
from crmclean.load.target import connect, open_engine, target_url
from crmclean.rules import Rules

GOLDEN_SLICE = 250_000  # records per survivorship pass
_HASH, _KNOWN = "_hash", "_known"


@dataclass(frozen=True)
class LoadPlan:
    """The changes per table, the golden records the target will hold (``after``), the source
    records of the golden records the run touches (``lineage``), and the target state they were
    computed from (the load refuses to apply them to a target that changed since)."""

    state: str
    changes: dict[str, TableChange]
    after: pl.DataFrame
    merged: int
    lineage: pl.DataFrame

    @property
    def empty(self) -> bool:
        """Whether the run changes nothing (the same input loaded again)."""
        return all(
            change.insert.is_empty() and change.replace.is_empty()
            for change in self.changes.values()
        )

    def summary(self) -> dict[str, int]:
        """Golden records and source records to insert, update, merge and delete."""
        golden, records = self.changes["contacts"].counts, self.changes["contact_sources"].counts
        return {
            "golden_insert": golden["insert"],
            "golden_update": golden["update"],
            "golden_merge": self.merged,
            "golden_delete": golden["delete"] - self.merged,
            "records_insert": records["insert"],
            "records_update": records["update"],
            "records_delete": records["delete"],
        }


def plan_load(batch: Batch, target: str, rules: Rules) -> LoadPlan:
    """Compare ``batch`` (after dedupe) with what ``target`` holds; nothing is written."""
    if batch.golden is None:
        raise ValueError("load needs batch.golden: run dedupe first")
    tables = build_tables(rules.model.names)
    url = target_url(target)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return _plan(TargetReader(None, tables), batch, rules, "")
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            return _plan(TargetReader(conn, tables), batch, rules, target_state(conn, tables))
    finally:
        engine.dispose()


def _lineage(batch: Batch) -> pl.DataFrame:
    """Every incoming record's key (kept or rejected), with the database's column names."""
    keys = [batch.frame.select(SOURCE, SOURCE_ID), batch.rejects.select(SOURCE, SOURCE_ID)]
    return pl.concat(keys).unique().rename(dict(zip((SOURCE, SOURCE_ID), LINEAGE_KEY, strict=True)))


def _known(frame: pl.DataFrame, prior: pl.DataFrame) -> pl.Series:
    """Per incoming record: whether the target's crosswalk holds it with the same values."""
    columns = [c for c in prior.columns if c in frame.columns and c not in (GOLDEN_ID, RAW)]

    def signed(rows: pl.DataFrame) -> pl.DataFrame:
        values = rows.select(
            pl.col(c) if isinstance(rows.schema[c], pl.List) else pl.col(c).cast(pl.String)
            for c in columns
        )
        return rows.select(SOURCE, SOURCE_ID).with_columns(values.hash_rows().alias(_HASH))

    held = signed(prior).with_columns(pl.lit(True).alias(_KNOWN))
    found = signed(frame).join(held, on=[SOURCE, SOURCE_ID, _HASH], how="left")
    return found[_KNOWN].fill_null(False)


def _members(
    reader: TargetReader, batch: Batch, contacts: pl.DataFrame, config: MatchConfig | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The records of every golden record the run touches, with their final golden ids; the
    target's crosswalk rows of those golden records; existing ids -> final ids."""
    incoming = _lineage(batch)
    prior = as_records(reader.rows("contact_sources", incoming))
    known = _known(batch.frame, prior)
    resolution = resolve(batch.frame, golden_nodes(contacts), prior, config, known)
    itself = prior.select(pl.col(GOLDEN_ID).alias(EXISTING), pl.col(GOLDEN_ID).alias(FINAL))
    renamed = pl.concat([resolution.renamed, itself]).unique(EXISTING, keep="first")
    ids = renamed.select(pl.col(EXISTING).alias(GOLDEN_ID))
    crosswalk = reader.rows("contact_sources", ids)
    stay = as_records(crosswalk).join(
        incoming, left_on=[SOURCE, SOURCE_ID], right_on=list(LINEAGE_KEY), how="anti"
    )
    stay = stay.join(renamed, left_on=GOLDEN_ID, right_on=EXISTING)
    stay = stay.with_columns(pl.col(FINAL).alias(GOLDEN_ID)).drop(FINAL)
    arriving = batch.frame.with_columns(resolution.golden_ids).select(stay.columns)
    return pl.concat([stay, arriving]), crosswalk, renamed


def golden_of(members: pl.DataFrame, fields: list[str], rules: Survivorship) -> pl.DataFrame:
    """:func:`~crmclean.dedupe.merge.golden_records` by slices of golden ids, members in
    lineage order (ties in survivorship never depend on input order). The same rows as one
    pass (sorted within each slice), with a bounded working memory: every sorted copy of a
    wide frame costs 16 bytes a cell, and survivorship over 1M records at once peaks near
    1 GB."""
    parts = members.height // GOLDEN_SLICE + 1
    part = pl.col(GOLDEN_ID).hash() % parts
    slices = [
        golden_records(members.filter(part == i).sort(SOURCE, SOURCE_ID), fields, rules)
        for i in range(parts)
    ]
    return pl.concat(slices)


def _desired(
    batch: Batch, tables: Tables, members: pl.DataFrame, golden: pl.DataFrame, fields: list[str]
) -> dict[str, pl.DataFrame]:
    """The rows the run wants in each table for the keys it touches (run id ``PENDING``)."""
    merges = merge_rows(members, golden, fields)
    return {
        "contacts": table_frame(golden, tables.contacts, PENDING),
        "contact_sources": table_frame(members, tables.contact_sources, PENDING),
        "merges": merges.with_columns(pl.lit(PENDING).alias(RUN_ID)),
        "rejects": table_frame(batch.rejects, tables.rejects, PENDING),
        "findings": table_frame(batch.findings, tables.findings, PENDING),
    }


def _primary(table: sa.Table, key: tuple[str, ...]) -> bool:
    """Whether ``key`` is ``table``'s primary key (one row per key)."""
    return {column.name for column in table.primary_key.columns} == set(key)


def _plan(reader: TargetReader, batch: Batch, rules: Rules, state: str) -> LoadPlan:
    tables = reader.tables.data
    contacts = reader.rows("contacts")
    config = load_match_config(rules)
    matcher = None if contacts.is_empty() else config
    members, crosswalk, renamed = _members(reader, batch, contacts, matcher)
    golden = golden_of(members, rules.model.names, config.survivorship)
    touched = pl.concat([golden[GOLDEN_ID], renamed[EXISTING]]).unique().to_frame(GOLDEN_ID)
    incoming = _lineage(batch)
    desired = _desired(batch, reader.tables, members, golden, rules.model.names)
    existing = {
        "contacts": rows_matching(contacts, touched),
        "contact_sources": crosswalk,
        "merges": reader.rows("merges", touched),
        "rejects": reader.rows("rejects", incoming),
        "findings": reader.rows("findings", incoming),
    }
    changes = {
        name: diff(existing[name], desired[name], list(key), unique=_primary(tables[name], key))
        for name, key in DATA_KEYS.items()
    }
    change = changes["contacts"]
    kept = (
        contacts.join(change.replace, on=GOLDEN_ID, how="anti")
        if change.replace.height
        else contacts
    )
    after = pl.concat([kept, change.insert])
    merged = renamed.filter(pl.col(EXISTING) != pl.col(FINAL)).height
    lineage = members.select(GOLDEN_ID, SOURCE, SOURCE_ID)
    return LoadPlan(state, changes, after, merged, lineage)
