"""Undo one merge: split a source record back out of its golden record.

The record becomes a golden record of its own, with the values it was loaded with (its row in
``contact_sources``); the golden record it leaves is computed again by survivorship from the
records that remain, and its ``merges`` log (the values that lost) follows. The split is a run
like any other: recorded in ``runs``, every row it replaces kept as a before-image, so
``migrate rollback`` undoes it. It writes no new values, so it is not gated.

With a decisions file, a cannot-link row between the record and each record that remains
keeps the next runs from merging them again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe.cluster import golden_id as anchor_id
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.decisions import CANNOT, COLUMNS, read_decisions
from crmclean.dedupe.merge import golden_by_slices
from crmclean.errors import UserError
from crmclean.fingerprint import config_hash
from crmclean.load.accounts import split_company_rows
from crmclean.load.apply import load
from crmclean.load.existing import TargetReader, as_records, crmclean_target, target_state
from crmclean.load.plan import LoadPlan, compare, desired_rows
from crmclean.load.reading import frame_schema
from crmclean.load.run import RunInfo
from crmclean.load.schema import COMPANY_ID, LINEAGE_KEY, Tables
from crmclean.rules import Rules
from crmclean.write import escape_cell, write_text

Record = tuple[str, str]  # (source, source id)


@dataclass(frozen=True)
class Unmerged:
    """One split: the run that made it, the golden record the record left, its own new golden
    record, the records it stays apart from, and the decisions file written (if any)."""

    run_id: str
    golden_id: str
    new_golden_id: str
    source: str
    source_id: str
    apart_from: list[Record]
    decisions: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def unmerge(
    target: str,
    golden_id: str,
    record: Record,
    *,
    rules: Rules | None = None,
    decisions: Path | None = None,
) -> Unmerged:
    """Split ``record`` out of golden record ``golden_id`` in ``target``, as one run."""
    rules = rules or Rules()
    with crmclean_target(target, rules) as (conn, tables):
        reader = TargetReader(conn, tables)
        plan, split = _split(reader, golden_id, record, rules, target_state(conn, tables))
    run = RunInfo.start(config_hash([], rules), stats={"unmerge": split.to_dict()})
    split = replace(split, run_id=str(load(plan, target, run=run, rules=rules).run_id))
    if decisions is None:
        return split
    keep_apart(decisions, record, split.apart_from)
    return replace(split, decisions=str(decisions))


def _members(reader: TargetReader, golden_id: str, record: Record) -> pl.DataFrame:
    """The records of ``golden_id``; a user error unless ``record`` is one of several."""
    members = as_records(reader.rows("contact_sources", pl.DataFrame({GOLDEN_ID: [golden_id]})))
    if members.is_empty():
        raise UserError(f"no golden record {golden_id!r} in this target")
    label = ":".join(record)
    if not members.filter(_is(record)).height:
        keys = pl.DataFrame([record], schema=list(LINEAGE_KEY), orient="row")
        found = reader.rows("contact_sources", keys)[GOLDEN_ID].to_list()
        where = f"it belongs to {found[0]}" if found else "the target holds no such record"
        raise UserError(f"record {label} is not part of golden record {golden_id}: {where}")
    if members.height == 1:
        raise UserError(f"golden record {golden_id} holds only {label}: nothing to split")
    return members


def _is(record: Record) -> pl.Expr:
    return (pl.col(SOURCE) == record[0]) & (pl.col(SOURCE_ID) == record[1])


def _new_id(reader: TargetReader, golden_id: str, record: Record) -> str:
    """The record's own golden id, as dedupe would name a cluster of it alone; derived from
    the id it leaves when that one is taken (it was the anchor of its golden record)."""
    for candidate in (anchor_id(*record), anchor_id(golden_id, "\x1f".join(record))):
        taken = reader.rows("contacts", pl.DataFrame({GOLDEN_ID: [candidate]}))
        if candidate != golden_id and taken.is_empty():
            return candidate
    raise UserError(f"cannot find a free golden id for {':'.join(record)}")


def _split(
    reader: TargetReader, golden_id: str, record: Record, rules: Rules, state: str
) -> tuple[LoadPlan, Unmerged]:
    """The plan of the split (``after``: only the two golden records it writes)."""
    members = _members(reader, golden_id, record)
    new_id = _new_id(reader, golden_id, record)
    members = members.with_columns(
        pl.when(_is(record)).then(pl.lit(new_id)).otherwise(GOLDEN_ID).alias(GOLDEN_ID)
    )
    fields = rules.model.names
    golden = golden_by_slices(members, fields, load_match_config(rules).survivorship)
    ids = pl.DataFrame({GOLDEN_ID: [golden_id]})
    company = reader.rows("contacts", ids).select(COMPANY_ID).head(1)
    golden = golden.join(company, how="cross")  # both halves keep the company it had
    desired = desired_rows(Batch(frame=members), reader.tables, members, golden, fields)
    existing = {
        **_nothing(reader.tables),
        "contacts": reader.rows("contacts", ids),
        "contact_sources": reader.rows("contact_sources", ids),
        "merges": reader.rows("merges", ids),
    }
    companies_before, companies_after = split_company_rows(reader, golden_id, new_id)
    existing, desired = existing | companies_before, desired | companies_after
    changes = compare(reader.tables, existing, desired)
    others = members.filter(~_is(record)).select(SOURCE, SOURCE_ID).sort(SOURCE, SOURCE_ID)
    lineage = members.select(GOLDEN_ID, SOURCE, SOURCE_ID)
    plan = LoadPlan(state, changes, desired["contacts"], 0, lineage)
    split = Unmerged("", golden_id, new_id, *record, apart_from=list(others.iter_rows()))
    return plan, split


def _nothing(tables: Tables) -> dict[str, pl.DataFrame]:
    return {name: pl.DataFrame(schema=frame_schema(table)) for name, table in tables.data.items()}


def keep_apart(path: Path, record: Record, others: list[Record]) -> None:
    """Append a cannot-link row between ``record`` and each of ``others`` to the decisions
    file ``path`` (created with its header if missing; other columns of an existing file,
    such as a filled-in review file's, are left empty)."""
    cells = [[escape_cell(v) for v in (*record, *other, CANNOT)] for other in others]
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in cells]
    header, text = COLUMNS, ",".join(COLUMNS) + "\n"
    if path.is_file() and path.stat().st_size:
        read_decisions(path)  # a malformed file is reported, not appended to
        text = path.read_bytes().decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
        text += "" if text.endswith(("\n", "\r")) else "\n"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    added = io.StringIO()
    csv.DictWriter(added, fieldnames=header, restval="", lineterminator="\n").writerows(rows)
    write_text(path, text + added.getvalue())
