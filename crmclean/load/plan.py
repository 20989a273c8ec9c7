"""Plan a load: what the run will insert, update, merge and delete in the target.

The dedupe stage already linked the run's records into the target's clusters and built the
golden records; planning only diffs them with the rows the target holds. It reads the target
but never writes to it; ``migrate plan`` stops here, and
``migrate run`` gates :attr:`LoadPlan.after` and then applies the plan in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.merge import golden_by_slices
from crmclean.load.accounts import TABLES as COMPANY_TABLES
from crmclean.load.accounts import (
    companies_after,
    company_rows,
    company_side_rows,
    in_target_ids,
    lineage_in_target,
    no_company_rows,
    with_company_ids,
)
from crmclean.load.changes import TableChange, diff, merge_rows
from crmclean.load.existing import (
    EXISTING,
    FINAL,
    TargetClusters,
    TargetReader,
    adopt,
    rows_matching,
    target_state,
)
from crmclean.load.frames import table_frame
from crmclean.load.schema import (
    COMPANY_ID,
    DATA_KEYS,
    LINEAGE_KEY,
    PENDING,
    RUN_ID,
    Tables,
    build_tables,
)
from crmclean.load.target import connect, open_engine, target_url
from crmclean.rules import Rules


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
    companies: pl.DataFrame | None = None  # the golden companies after the run, if it has any

    @property
    def empty(self) -> bool:
        """Whether the run changes nothing (the same input loaded again)."""
        return all(
            change.insert.is_empty() and change.replace.is_empty()
            for change in self.changes.values()
        )

    def kept(self) -> pl.DataFrame:
        """The golden records of ``after`` the run leaves as the target holds them."""
        written = self.changes["contacts"].insert.select(GOLDEN_ID)
        return self.after.join(written, on=GOLDEN_ID, how="anti")

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
    """Compare ``batch`` (after dedupe) with what ``target`` holds; nothing is written and
    nothing is matched again.

    After the dedupe stage linked the batch into the target's clusters (``batch.target``) the
    plan is made against the target state it read: the load refuses to apply it to a target
    that changed since. A batch clustered without the target has its golden ids taken as
    final (:func:`~crmclean.load.existing.adopt`).

    The company stage's result (``batch.company_result``) adds the golden companies, their
    crosswalk and each golden contact's ``company_id``.
    """
    if batch.golden is None:
        raise ValueError("load needs batch.golden: run dedupe first")
    tables = build_tables(rules.model.names)
    url = target_url(target)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return _plan(TargetReader(None, tables), batch, rules)
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            reader = TargetReader(conn, tables)
            if batch.target is None:
                state = target_state(conn, tables)
                batch = _adopted(batch, reader, state, rules)
            return _plan(reader, batch, rules)
    finally:
        engine.dispose()


def _adopted(batch: Batch, reader: TargetReader, state: str, rules: Rules) -> Batch:
    """``batch``, clustered without the target, joined to the target's clusters by lineage
    (:func:`~crmclean.load.existing.adopt`); its golden records built again over the records
    of each joined golden record."""
    clusters = TargetClusters(state, reader.rows("contacts"), reader.rows("contact_sources"))
    target, frame = adopt(clusters, batch.frame, batch.rejects)
    kept = target.kept
    members = frame if kept is None else pl.concat([kept, frame.select(kept.columns)])
    survivorship = load_match_config(rules).survivorship
    golden = golden_by_slices(members, rules.model.names, survivorship)
    return replace(batch, frame=frame, target=target, golden=golden)


def incoming_keys(batch: Batch, *more: pl.DataFrame) -> pl.DataFrame:
    """Every incoming record's key (kept or rejected; ``more``: the company records'), with the
    database's column names."""
    keys = [batch.frame.select(SOURCE, SOURCE_ID), batch.rejects.select(SOURCE, SOURCE_ID), *more]
    return pl.concat(keys).unique().rename(dict(zip((SOURCE, SOURCE_ID), LINEAGE_KEY, strict=True)))


def desired_rows(
    batch: Batch, tables: Tables, members: pl.DataFrame, golden: pl.DataFrame, fields: list[str]
) -> dict[str, pl.DataFrame]:
    """The rows the run wants in each table for the keys it touches (run id ``PENDING``);
    none of companies (:func:`crmclean.load.accounts.company_rows` adds them)."""
    merges = merge_rows(members, golden, fields)
    if COMPANY_ID not in golden.columns:
        golden = with_company_ids(golden, None)
    return {
        **no_company_rows(tables),
        "contacts": table_frame(golden, tables.contacts, PENDING),
        "contact_sources": table_frame(members, tables.contact_sources, PENDING),
        "merges": merges.with_columns(pl.lit(PENDING).alias(RUN_ID)),
        "rejects": table_frame(batch.rejects, tables.rejects, PENDING),
        "findings": table_frame(batch.findings, tables.findings, PENDING),
    }


def _primary(table: sa.Table, key: tuple[str, ...]) -> bool:
    """Whether ``key`` is ``table``'s primary key (one row per key)."""
    return {column.name for column in table.primary_key.columns} == set(key)


def compare(
    tables: Tables, existing: dict[str, pl.DataFrame], desired: dict[str, pl.DataFrame]
) -> dict[str, TableChange]:
    """Each data table's change: the target's rows of the touched keys against the run's."""
    changes = {}
    for name, key in DATA_KEYS.items():
        unique = _primary(tables.data[name], key)
        changes[name] = diff(existing[name], desired[name], list(key), unique=unique)
    return changes


def _plan(reader: TargetReader, batch: Batch, rules: Rules) -> LoadPlan:
    if batch.target is None:
        batch = _adopted(batch, reader, "", rules)
    clusters, fields = batch.target, rules.model.names
    assert batch.golden is not None and clusters is not None
    companies = in_target_ids(batch.company_result, batch.frame)
    golden, kept = with_company_ids(batch.golden, companies), clusters.kept
    renamed = clusters.renamed
    if renamed is None:
        renamed = pl.DataFrame(schema={EXISTING: pl.String, FINAL: pl.String})
    members = batch.frame
    if kept is not None:
        members = pl.concat([kept, members.select(kept.columns)], how="vertical_relaxed")
    touched = pl.concat([golden[GOLDEN_ID], renamed[EXISTING]]).unique().to_frame(GOLDEN_ID)
    held = renamed.select(pl.col(EXISTING).alias(GOLDEN_ID))
    company_keys, company_side = company_side_rows(companies)
    if reader.conn is None:  # a new target holds no rejects or findings: no keys to look up
        incoming = pl.DataFrame(schema=dict.fromkeys(LINEAGE_KEY, pl.String))
    else:
        incoming = incoming_keys(batch, company_keys)
    with_side = batch.add_rejects(company_side.rejects).add_findings(company_side.findings)
    desired = desired_rows(with_side, reader.tables, members, golden, fields)
    contacts = clusters.contacts
    existing = {
        "contacts": rows_matching(contacts, touched),
        "contact_sources": rows_matching(clusters.crosswalk, held),
        "merges": reader.rows("merges", touched),
        "rejects": reader.rows("rejects", incoming),
        "findings": reader.rows("findings", incoming),
    }
    existing_companies, desired_companies = company_rows(reader, companies)
    existing, desired = existing | existing_companies, desired | desired_companies
    changes = compare(reader.tables, existing, desired)
    change = changes["contacts"]
    after_kept = (
        contacts.join(change.replace, on=GOLDEN_ID, how="anti")
        if change.replace.height
        else contacts
    )
    after = pl.concat([after_kept, change.insert])
    merged = renamed.filter(pl.col(EXISTING) != pl.col(FINAL)).height
    lineage = members.select(GOLDEN_ID, SOURCE, SOURCE_ID)
    firms = None if companies is None else companies_after(reader, changes["companies"])
    return LoadPlan(clusters.state, changes, after, merged, lineage, firms)


CompanyTables = tuple[dict[str, TableChange], pl.DataFrame | None]


def company_changes(batch: Batch, target: str, rules: Rules) -> CompanyTables:
    """The changes of the company tables alone, for ``batch`` as linked into the target's
    clusters, and the golden companies the target will hold after them (as in
    :class:`LoadPlan`)."""
    tables = build_tables(rules.model.names)
    url = target_url(target)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return _company_changes(TargetReader(None, tables), batch)
    engine = open_engine(target)
    try:
        with connect(engine) as conn, conn.begin():
            return _company_changes(TargetReader(conn, tables), batch)
    finally:
        engine.dispose()


def _company_changes(reader: TargetReader, batch: Batch) -> CompanyTables:
    companies = lineage_in_target(batch.company_result, batch.frame)
    existing, desired = company_rows(reader, companies)
    changes = {}
    for name in COMPANY_TABLES:
        key = DATA_KEYS[name]
        unique = _primary(reader.tables.data[name], key)
        changes[name] = diff(existing[name], desired[name], list(key), unique=unique)
    firms = None if companies is None else companies_after(reader, changes["companies"])
    return changes, firms
