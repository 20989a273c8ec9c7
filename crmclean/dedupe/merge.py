"""Survivorship: one golden record per cluster, keeping every e-mail and phone seen.

Each field takes the value its strategy picks (:mod:`crmclean.dedupe.survivorship`; by default
the most recent non-empty value, ``created_at`` the earliest and ``updated_at`` /
``last_activity_at`` the latest). Every other distinct e-mail goes to ``email_alt``, every other
number (phones, mobiles and their alternates) to ``phone_alt``. :func:`merge_log` lists every
value that lost, with the record it came from.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.survivorship import (
    FLAGGED,
    Survivorship,
    best_forms,
    flagged_fields,
    survivor,
    with_ranks,
)

_NO_TEXT: pl.Expr = pl.lit([], dtype=pl.List(pl.String))
RECENCY = pl.coalesce("updated_at", "created_at", "last_activity_at")
DEFAULT = Survivorship()
GOLDEN_SLICE = 250_000  # records per survivorship pass of golden_by_slices
_VALUE, _ROW, _EMAIL_ALT, _PHONE_ALT = "_value", "_row", "email_alt", "phone_alt"
_ID_KEY = "_id_key"  # a golden id as a number (or as it is): see _id_keys
_ALTERNATED = [GOLDEN_ID, "email", "phone", "mobile", _EMAIL_ALT, _PHONE_ALT]
_HEX_ID = r"^g_[0-9a-f]{16}$"  # a golden id of crmclean.dedupe.cluster
_ALWAYS = {"updated_at", "created_at", "last_activity_at", "email", "phone", "mobile"}


def merge_columns(fields: list[str]) -> list[str]:
    """The records' columns :func:`golden_records` and :func:`merge_log` read of ``fields``,
    besides the lineage and golden ids: the fields, recency and the alternates' columns."""
    return list(dict.fromkeys([*fields, *sorted(_ALWAYS), _EMAIL_ALT, _PHONE_ALT]))


def newest_first(frame: pl.DataFrame) -> pl.DataFrame:
    """Records ordered newest first, ties in their original order."""
    return frame.sort(RECENCY, descending=True, nulls_last=True, maintain_order=True)


def _values(records: pl.DataFrame, columns: list[str], alternates: str) -> pl.DataFrame:
    """``_id_key, _value``: the values of ``columns`` then ``alternates`` of each record of
    ``records``, in their order, nulls left out. One frame per column stacked and sorted by
    record (stable: the columns' order kept), as ``concat_list`` and ``explode`` of every
    record would give them for a quarter of the CPU (most cells are empty)."""
    row = pl.int_range(pl.len(), dtype=pl.UInt32).alias(_ROW)
    texts = [records.select(row, _ID_KEY, pl.col(name).alias(_VALUE)) for name in columns]
    listed = records.select(row, _ID_KEY, pl.col(alternates).alias(_VALUE))
    listed = listed.filter(pl.col(_VALUE).list.len() > 0).explode(_VALUE)
    values = pl.concat([*texts, listed], how="vertical_relaxed").drop_nulls(_VALUE)
    return values.sort(_ROW, maintain_order=True, multithreaded=False).drop(_ROW)


def _alternates(
    records: pl.DataFrame, golden: pl.DataFrame, columns: list[str], alternates: str
) -> pl.Series:
    """Per golden record, the distinct values of ``columns`` and ``alternates`` in its records
    (in their order), the golden record's own ``columns`` left out; ``[]`` when none. Both
    frames tell clusters apart by their ids' keys (:func:`_id_keys`, in ``_id_key``: numbers
    search and join for less CPU than text), ``golden`` sorted by them (:func:`_in_id_order`):
    the few golden records holding values are found by a binary search, not by joins over
    every golden id (most of them alone, with none)."""
    values = _values(records, columns, alternates)
    values = values.unique([_ID_KEY, _VALUE], keep="first", maintain_order=True)
    keys = golden[_ID_KEY]
    held = keys.search_sorted(values[_ID_KEY].unique())
    kept = golden.select(pl.col(_ID_KEY, *columns).gather(held))
    kept = kept.select(_ID_KEY, pl.concat_list(columns).alias(_VALUE)).explode(_VALUE)
    others = values.join(kept, on=[_ID_KEY, _VALUE], how="anti", maintain_order="left")
    lists = others.group_by(_ID_KEY, maintain_order=True).agg(pl.col(_VALUE).alias(alternates))
    rows = pl.int_range(lists.height, dtype=pl.UInt32, eager=True)
    at = pl.repeat(None, golden.height, dtype=pl.UInt32, eager=True)
    at = at.scatter(keys.search_sorted(lists[_ID_KEY]), rows)  # each golden record's list
    return lists[alternates].gather(at).fill_null(_NO_TEXT)


def _with_flags(
    records: pl.DataFrame, fields: list[str], findings: pl.DataFrame | None
) -> pl.DataFrame:
    """``records`` with ``_flagged_<field>`` per field: a warning or error finding names it."""
    serious = pl.col("severity").is_in(["warning", "error"])
    for field in fields:
        marked = pl.DataFrame(schema={SOURCE: pl.String, SOURCE_ID: pl.String})
        if findings is not None:
            named = findings.filter(serious & (pl.col("field") == field))
            marked = named.select(SOURCE, SOURCE_ID).unique()
        flag = marked.with_columns(pl.lit(True).alias(FLAGGED + field))
        records = records.join(flag, on=[SOURCE, SOURCE_ID], how="left", maintain_order="left")
    return records.with_columns(pl.col(FLAGGED + field).fill_null(False) for field in fields)


def _gathered(
    records: pl.DataFrame, survivors: pl.DataFrame, name: str, rows: pl.Series
) -> pl.Series:
    """Column ``name`` of ``records`` then ``survivors`` at ``rows``; a column empty in every
    record stays a column of nulls (a gather would still give every null a 16-byte view).
    The two are made one chunk first: a gather across chunks costs five times the CPU of
    that copy (16 bytes a text value, one column at a time) and a gather from one chunk."""
    column = records[name]
    if column.null_count() == column.len():
        return pl.repeat(None, rows.len(), dtype=column.dtype, eager=True).alias(name)
    both = pl.concat([column, survivors[name].cast(column.dtype)], rechunk=True)
    return both.gather(rows)


def _id_keys(ids: pl.Series) -> pl.Series:
    """Ids as :mod:`~crmclean.dedupe.cluster` writes them (``g_`` and 16 lowercase hex digits)
    as the 64-bit numbers they spell: the same order and the same duplicates, for a quarter
    of the CPU of a one-thread string sort and half that of a string hash. Other ids as
    they are."""
    if ids.str.contains(_HEX_ID).all():
        return ids.str.slice(2).str.to_integer(base=16, dtype=pl.UInt64)
    return ids


def _in_id_order(
    records: pl.DataFrame,
    keys: pl.Series,
    alone: pl.Series,
    survivors: pl.DataFrame,
    fields: list[str],
) -> pl.DataFrame:
    """The golden records sorted by id: ``records`` at rows ``alone`` (each its own golden
    record) and ``survivors``, each column one gather from the two frames' columns side by
    side (no sorted copy of the whole frame beside the result). The ids are distinct: one
    thread sorts them (polars' parallel string sort costs three times the CPU), by their
    ``keys`` (:func:`_id_keys` of ``records``' ids; the survivors hold theirs), which the
    golden records keep (``_id_key``, sorted)."""
    ranked = pl.concat([keys.gather(alone), survivors[_ID_KEY]]).to_frame(_VALUE)
    ranked = ranked.with_row_index(_ROW)
    ranked = ranked.sort(_VALUE, multithreaded=False)
    order = ranked[_ROW]
    after = pl.int_range(records.height, records.height + survivors.height, eager=True)
    rows = pl.concat([alone.cast(pl.Int64), after.cast(pl.Int64)], rechunk=True).gather(order)
    columns = [_gathered(records, survivors, name, rows) for name in (GOLDEN_ID, *fields)]
    count = pl.concat(
        [pl.repeat(1, alone.len(), dtype=pl.Int64, eager=True), survivors["source_count"]],
        rechunk=True,
    )
    count = count.gather(order).alias("source_count")
    return pl.DataFrame([*columns, count, ranked[_VALUE].alias(_ID_KEY)])


def _survivors(
    frame: pl.DataFrame,
    keys: pl.Series,
    several: pl.Series,
    fields: list[str],
    rules: Survivorship,
    findings: pl.DataFrame | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The survivors of the clusters of several records (``frame`` at ``several``), and those
    records' columns that alternates come from, newest first. A field empty in every record
    is left out (its survivor is null), unless recency or the alternates read it; only the
    columns the alternates need outlive the call. Clusters are told apart by their ids'
    ``keys`` (:func:`_id_keys`: numbers hash for less CPU than text), which the survivors
    keep."""
    kept = [f for f in fields if f in _ALWAYS or frame[f].null_count() < frame.height]
    rows = pl.int_range(pl.len(), dtype=pl.UInt32).filter(several)
    newest = RECENCY.filter(several)
    rows = rows.sort_by(
        newest, descending=True, nulls_last=True, maintain_order=True, multithreaded=False
    )
    columns = pl.col(GOLDEN_ID, SOURCE, SOURCE_ID, *kept, _EMAIL_ALT, _PHONE_ALT)
    at = frame.select(rows).to_series()  # one copy, sorted
    merged = frame.select(columns.gather(at)).with_columns(keys.gather(at).alias(_ID_KEY))
    merged = with_ranks(_with_flags(merged, flagged_fields(kept, rules), findings), kept, rules)
    survivors = merged.group_by(_ID_KEY).agg(
        pl.col(GOLDEN_ID).first(),
        *(survivor(field, rules) for field in kept),
        source_count=pl.len().cast(pl.Int64),
    )
    alternated = merged.select(*_ALTERNATED, _ID_KEY)
    return best_forms(merged, survivors, kept, rules, _ID_KEY), alternated


def golden_records(
    frame: pl.DataFrame,
    fields: list[str],
    rules: Survivorship | None = None,
    findings: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per ``golden_id``: the survivors of ``fields``, ``email_alt``, ``phone_alt`` and
    ``source_count`` (the number of records merged into it). ``findings`` (normalize's) tell
    the ``valid_only`` fields which values were flagged.

    A record alone in its cluster (most of them) is its own golden record; only clusters of
    several records are sorted newest first and aggregated field by field, and only records
    that can leave an alternate are exploded.
    """
    rules = rules or DEFAULT
    # no frame.select of the columns used: were a column chunked unlike the others, a frame
    # of them would be rechunked whole (neutral 1M: +0.5 GB)
    keys = _id_keys(frame[GOLDEN_ID])
    several = keys.is_duplicated()  # a hash of ids only, no count per record
    survivors, merged = _survivors(frame, keys, several, fields, rules, findings)
    golden = _in_id_order(frame, keys, several.not_().arg_true(), survivors, fields)
    listed = (pl.col(_EMAIL_ALT).list.len() > 0) | (pl.col(_PHONE_ALT).list.len() > 0)
    lone = listed & ~pl.lit(several)
    alone = frame.select(pl.col(_ALTERNATED).filter(lone), pl.lit(keys).filter(lone).alias(_ID_KEY))
    records = pl.concat([alone, merged])
    return golden.select(
        GOLDEN_ID,
        *fields,
        _alternates(records, golden, ["email"], _EMAIL_ALT),
        _alternates(records, golden, ["phone", "mobile"], _PHONE_ALT),
        "source_count",
    )


def merge_log(frame: pl.DataFrame, golden: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Every field of a merged cluster whose records disagree: one row per record and value
    (``golden_id, field, _source, _source_id, value, survived``), nothing lost. Built a field
    at a time: only the disagreeing values of one field are ever unpivoted, and no field
    empty in every record is copied."""
    fields = [field for field in fields if frame[field].null_count() < frame.height]
    merged = golden.filter(pl.col("source_count") > 1).select(GOLDEN_ID, *fields)
    records = frame.select(GOLDEN_ID, SOURCE, SOURCE_ID, *fields)  # no other column copied
    records = records.join(merged.select(GOLDEN_ID), on=GOLDEN_ID, how="semi")
    logged = [_field_log(records, merged, field) for field in fields]
    schema = {GOLDEN_ID: pl.String, "field": pl.String, SOURCE: pl.String, SOURCE_ID: pl.String}
    empty = pl.DataFrame(schema={**schema, "value": pl.String, "survived": pl.Boolean})
    return pl.concat([empty, *logged], how="vertical_relaxed").sort(
        GOLDEN_ID, "field", SOURCE, SOURCE_ID
    )


def _field_log(records: pl.DataFrame, merged: pl.DataFrame, field: str) -> pl.DataFrame:
    """:func:`merge_log`'s rows of one field."""
    values = records.select(GOLDEN_ID, SOURCE, SOURCE_ID, value=pl.col(field).cast(pl.String))
    # "another value than the first" rather than n_unique().over(): under polars 2.1 that
    # counted two equal strings of one golden id as two values (a cluster logged as disagreeing)
    differs = (pl.col("value") != pl.col("value").first()).any().over(GOLDEN_ID)
    values = values.drop_nulls("value").filter(differs)
    survivors = merged.select(GOLDEN_ID, survivor=pl.col(field).cast(pl.String))
    logged = values.join(survivors, on=GOLDEN_ID, how="left", maintain_order="left")
    return logged.select(
        GOLDEN_ID,
        pl.lit(field).alias("field"),
        SOURCE,
        SOURCE_ID,
        "value",
        survived=pl.col("value").eq_missing(pl.col("survivor")),
    )


def golden_by_slices(members: pl.DataFrame, fields: list[str], rules: Survivorship) -> pl.DataFrame:
    """:func:`~crmclean.dedupe.merge.golden_records` by slices of golden ids, members in
    lineage order (ties in survivorship never depend on input order). The same rows as one
    pass (sorted within each slice), with a bounded working memory: every sorted copy of a
    wide frame costs 16 bytes a cell, and survivorship over 1M records at once peaks near
    1 GB. The lineage is sorted once, and each slice gathers only the columns survivorship
    reads (neutral 1M: a filter and a sort of all 46 columns per slice cost 1.5 s CPU)."""
    parts = members.height // GOLDEN_SLICE + 1
    rows = pl.int_range(pl.len(), dtype=pl.UInt32).sort_by(SOURCE, SOURCE_ID, maintain_order=True)
    order = members.select(rows).to_series()
    part = members.select(pl.col(GOLDEN_ID).hash() % parts).to_series().gather(order)
    read = members.select(*dict.fromkeys([GOLDEN_ID, SOURCE, SOURCE_ID, *merge_columns(fields)]))
    slices = [golden_records(read[order.filter(part == i)], fields, rules) for i in range(parts)]
    return pl.concat(slices)
