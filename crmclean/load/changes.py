"""What a run changes in each table: rows compared per key with what the target holds."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.load.schema import RUN_ID, SOURCE_COUNT, db_name

_SIGNATURE = "_signature"


@dataclass(frozen=True)
class TableChange:
    """Keys whose rows the run replaces (before-images saved) and the rows it then inserts."""

    replace: pl.DataFrame
    insert: pl.DataFrame
    counts: dict[str, int]


def _signatures(rows: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """One text signature per key over all its rows' values (order-insensitive, run id left out)."""
    values = rows.drop(RUN_ID).select(pl.all().cast(pl.String))
    hashed = values.select(*key, values.hash_rows().alias(_SIGNATURE))
    signature = pl.col(_SIGNATURE).sort().cast(pl.String).str.join(",")
    return hashed.group_by(key).agg(signature)


def diff(existing: pl.DataFrame, desired: pl.DataFrame, key: list[str]) -> TableChange:
    """Compare the target's rows of the touched keys with the rows the run wants for them.

    A key whose rows are identical is left alone (so a re-run changes nothing); any other key
    has its rows replaced.
    """
    if existing.is_empty() or desired.is_empty():  # a first load, or only deletes: no hashing
        return _one_sided(existing, desired, key)
    old, new = _signatures(existing, key), _signatures(desired, key)
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
    counts = {"insert": desired.select(key).n_unique(), "update": 0, "delete": replaced.height}
    return TableChange(replaced, desired, counts)


def merge_rows(members: pl.DataFrame, golden: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Every non-empty field value of a member of a multi-record golden record that lost
    survivorship: ``source, source_id, golden_id, field, value`` (what undoing a merge needs)."""
    merged = golden.filter(pl.col(SOURCE_COUNT) > 1).select(GOLDEN_ID, *fields)
    kept = merged.unpivot(index=GOLDEN_ID, variable_name="field", value_name="survivor")
    values = members.join(merged.select(GOLDEN_ID), on=GOLDEN_ID, how="semi").unpivot(
        on=fields, index=[SOURCE, SOURCE_ID, GOLDEN_ID], variable_name="field"
    )
    lost = values.drop_nulls("value").join(kept, on=[GOLDEN_ID, "field"])
    lost = lost.filter(pl.col("value").ne_missing(pl.col("survivor")))
    return lost.select(
        pl.col(SOURCE).alias(db_name(SOURCE)),
        pl.col(SOURCE_ID).alias(db_name(SOURCE_ID)),
        GOLDEN_ID,
        "field",
        "value",
    ).sort(GOLDEN_ID, db_name(SOURCE), db_name(SOURCE_ID), "field")
