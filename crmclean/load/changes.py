"""What a run changes in each table: rows compared per key with what the target holds."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.load.schema import LINEAGE_KEY, RUN_ID, SOURCE_COUNT, db_name

_SIGNATURE = "_signature"
_SURVIVOR = "_survivor"


@dataclass(frozen=True)
class TableChange:
    """Keys whose rows the run replaces (before-images saved) and the rows it then inserts."""

    replace: pl.DataFrame
    insert: pl.DataFrame
    counts: dict[str, int]


def _signatures(rows: pl.DataFrame, key: list[str], unique: bool) -> pl.DataFrame:
    """One signature per key over all its rows' values (order-insensitive, run id left out):
    the row's hash when the key is unique, else its rows' hashes sorted and joined."""
    values = rows.drop(RUN_ID).select(pl.all().cast(pl.String))
    hashed = values.select(*key, values.hash_rows().alias(_SIGNATURE))
    if unique:
        return hashed
    signature = pl.col(_SIGNATURE).sort().cast(pl.String).str.join(",")
    return hashed.group_by(key).agg(signature)


def diff(
    existing: pl.DataFrame, desired: pl.DataFrame, key: list[str], *, unique: bool = False
) -> TableChange:
    """Compare the target's rows of the touched keys with the rows the run wants for them
    (``unique``: one row per key on both sides, as with a primary key).

    A key whose rows are identical is left alone (so a re-run changes nothing); any other key
    has its rows replaced.
    """
    if existing.is_empty() or desired.is_empty():  # a first load, or only deletes: no hashing
        return _one_sided(existing, desired, key)
    old, new = _signatures(existing, key, unique), _signatures(desired, key, unique)
    both = old.join(new, on=key, how="full", coalesce=True, suffix="_new", nulls_equal=True)
    changed = both.filter(pl.col(_SIGNATURE).ne_missing(pl.col(f"{_SIGNATURE}_new")))
    counts = {
        "insert": changed.filter(pl.col(_SIGNATURE).is_null()).height,
        "update": changed.filter(
            pl.all_horizontal(pl.col(f"^{_SIGNATURE}.*$").is_not_null())
        ).height,
        "delete": changed.filter(pl.col(f"{_SIGNATURE}_new").is_null()).height,
    }
    replaced = changed.filter(pl.col(_SIGNATURE).is_not_null()).select(key)
    inserted = desired.join(
        changed.select(key), on=key, how="semi", maintain_order="left", nulls_equal=True
    )
    return TableChange(replaced, inserted, counts)


def _one_sided(existing: pl.DataFrame, desired: pl.DataFrame, key: list[str]) -> TableChange:
    replaced = existing.select(key).unique()
    counts = {"insert": _distinct(desired, key), "update": 0, "delete": replaced.height}
    return TableChange(replaced, desired, counts)


def _distinct(rows: pl.DataFrame, key: list[str]) -> int:
    """The number of distinct ``key`` tuples of ``rows``: the last key column's distinct values
    when every other holds one value (one source), which one column counts faster."""
    if len(key) > 1 and all(rows.get_column(name).n_unique() == 1 for name in key[:-1]):
        return rows.get_column(key[-1]).n_unique()
    return rows.select(key).n_unique()


def merge_rows(members: pl.DataFrame, golden: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Every non-empty field value of a member of a multi-record golden record that lost
    survivorship: ``source, source_id, golden_id, field, value`` (what undoing a merge needs).

    One field at a time over the merged records only (unpivoting every field of every member
    at once took a gigabyte at 1M records)."""
    merged = golden.filter(pl.col(SOURCE_COUNT) > 1).select(GOLDEN_ID, *fields)
    records = members.join(merged.select(GOLDEN_ID), on=GOLDEN_ID, how="semi")
    records = records.select(SOURCE, SOURCE_ID, GOLDEN_ID, *fields).join(
        merged, on=GOLDEN_ID, suffix=_SURVIVOR
    )
    lost = [
        records.filter(
            pl.col(field).is_not_null()
            & pl.col(field).cast(pl.String).ne_missing(pl.col(field + _SURVIVOR).cast(pl.String))
        ).select(
            pl.col(SOURCE).alias(db_name(SOURCE)),
            pl.col(SOURCE_ID).alias(db_name(SOURCE_ID)),
            GOLDEN_ID,
            pl.lit(field, pl.String).alias("field"),
            pl.col(field).cast(pl.String).alias("value"),
        )
        for field in fields
    ]
    empty = pl.DataFrame(
        schema=dict.fromkeys((*LINEAGE_KEY, GOLDEN_ID, "field", "value"), pl.String)
    )
    return pl.concat([empty, *lost]).sort(GOLDEN_ID, *LINEAGE_KEY, "field")
