"""A load plan after a quarantine, derived from the plan the gate failed instead of planned again.

When the quarantined records leave no golden record to build again (each lost golden record
lost all its records) and the target holds nothing of theirs, the plan without them is the
first plan less their rows, plus their rejects: the same rows a new plan would hold, without
reading the target or comparing every table again. Anything else (a golden record the target
holds, a record it held before, rejects it holds for them) returns None: plan again.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from crmclean.batch import GOLDEN, GOLDEN_ID, REJECT_SCHEMA, SOURCE, SOURCE_ID
from crmclean.dropping import positions, without_keys, without_positions
from crmclean.load.changes import TableChange
from crmclean.load.frames import table_frame
from crmclean.load.plan import CompanyTables, LoadPlan
from crmclean.load.schema import LINEAGE_KEY, PENDING, Tables


def without_records(
    plan: LoadPlan,
    records: pl.DataFrame,
    golden_ids: pl.Series,
    rejects: pl.DataFrame,
    tables: Tables,
    companies: CompanyTables | None = None,
) -> LoadPlan | None:
    """``plan`` without ``records`` (``_source, _source_id``: this run's, quarantined) and the
    golden records they emptied (``golden_ids``), with their ``rejects`` added, and with
    ``companies`` (the company tables' changes and golden companies after them, when the
    company stage ran again); None when the target holds rows of either, so only planning
    again can say what changes."""
    records = records.select(SOURCE, SOURCE_ID).unique()
    keys = records.select(
        pl.col(SOURCE).alias(LINEAGE_KEY[0]), pl.col(SOURCE_ID).alias(LINEAGE_KEY[1])
    )
    golden = golden_ids.unique().to_frame(GOLDEN_ID)
    changes = plan.changes
    new = _only_inserted(changes["contacts"], golden)
    new = new and _only_inserted(changes["contact_sources"], keys)
    if not new or _touches(changes["merges"].replace, golden):
        return None
    if _touches(changes["rejects"].replace, keys) or _touches(changes["rejects"].insert, keys):
        return None
    linked = golden.select(
        pl.lit(GOLDEN).alias(keys.columns[0]), pl.col(GOLDEN_ID).alias(keys.columns[1])
    )
    if any(_touches(changes[name].replace, linked) for name in ("rejects", "findings")):
        return None  # a link finding the target holds for one of them
    typed = rejects.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
    rows = table_frame(typed, tables.rejects, PENDING)
    dropped = {
        "contacts": _dropped(changes["contacts"], golden),
        "contact_sources": _dropped(changes["contact_sources"], keys),
        "merges": _dropped(changes["merges"], golden),
        "rejects": _added(changes["rejects"], rows, keys),
    }
    after, lineage = without_keys(plan.after, golden), without_keys(plan.lineage, records)
    if companies is None:
        return replace(plan, changes=changes | dropped, after=after, lineage=lineage)
    firms, linked_changes = companies[1], companies[0]
    changes = changes | dropped | linked_changes
    return replace(plan, changes=changes, after=after, lineage=lineage, companies=firms)


def _keys(rows: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    return rows.select(keys.columns).join(keys, on=keys.columns, how="semi").unique()


def _only_inserted(change: TableChange, keys: pl.DataFrame) -> bool:
    """Whether ``change`` inserts rows of every one of ``keys`` (distinct) and replaces none:
    new to the target."""
    inserted = _keys(change.insert, keys).height == keys.height
    return inserted and not _touches(change.replace, keys)


def _touches(rows: pl.DataFrame, keys: pl.DataFrame) -> bool:
    """Whether ``rows`` hold a row of one of ``keys``."""
    return not _keys(rows, keys).is_empty()


def _dropped(change: TableChange, keys: pl.DataFrame) -> TableChange:
    """``change`` without inserting the rows of ``keys``."""
    found = positions(change.insert, keys)
    gone = change.insert.select(keys.columns)[found].unique().height
    return replace(
        change,
        insert=without_positions(change.insert, found),
        counts={**change.counts, "insert": change.counts["insert"] - gone},
    )


def _added(change: TableChange, rows: pl.DataFrame, keys: pl.DataFrame) -> TableChange:
    """``change`` inserting ``rows`` too (of ``keys``, which it neither replaces nor inserts)."""
    insert = pl.concat([change.insert, rows.select(change.insert.columns)])
    added = _keys(rows, keys).height
    return replace(
        change, insert=insert, counts={**change.counts, "insert": change.counts["insert"] + added}
    )
