"""Overrides: a user's fixes to source values, kept beside the sources and applied every run.

The overrides file is a CSV ``source, source_id, field, value``: the record (its source and
source id, as in the crosswalk), the canonical field and the value to use instead of what the
source holds (empty: no value). Overrides are applied after mapping and before normalize, so
the value is normalized like any other; each one that changes a value is a finding (``OV01
value.overridden``, before and after), written to the target with the run and rolled back with
it. Overrides naming a record not in this run are skipped (counted in the stats).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.batch import SOURCE, SOURCE_ID, Batch
from crmclean.codes import BY_RULE
from crmclean.dedupe.decisions import read_pairs_file
from crmclean.errors import UserError

COLUMNS = ["source", "source_id", "field", "value"]
OVERRIDDEN = BY_RULE["value.overridden"]
_NEW, _HIT = "_override_", "_overridden_"


def read_overrides(path: Path, fields: list[str]) -> pl.DataFrame:
    """``_source, _source_id, field, value`` of ``path``, checked: known fields, one value
    per record and field."""
    table = read_pairs_file(path, COLUMNS, "overrides")
    unknown = table.filter(~pl.col("field").is_in(fields) | pl.col("field").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        expected = f"expected a canonical field (see rules/contact.yaml), got '{row['field']}'"
        raise UserError(expected, file=str(path), row=row["_line"], column="field")
    keys = ["source", "source_id", "field"]
    twice = table.filter(pl.len().over(keys) > 1)
    if twice.height:
        line = twice["_line"][1]
        raise UserError("a second value for the same record and field", file=str(path), row=line)
    return table.select(
        pl.col("source").alias(SOURCE), pl.col("source_id").alias(SOURCE_ID), "field", "value"
    )


def _override(frame: pl.DataFrame, table: pl.DataFrame, field: str) -> pl.DataFrame:
    """``frame`` with the override in ``_NEW`` and ``_HIT`` true where it changes the value."""
    values = table.select(SOURCE, SOURCE_ID, pl.col("value").alias(_NEW), pl.lit(True).alias(_HIT))
    joined = frame.join(values, on=[SOURCE, SOURCE_ID], how="left", maintain_order="left")
    hit = pl.col(_HIT).fill_null(False) & pl.col(field).ne_missing(pl.col(_NEW))
    return joined.with_columns(hit.alias(_HIT))


def apply_overrides(batch: Batch, overrides: pl.DataFrame) -> Batch:
    """``batch`` with every override applied, one ``OV01`` finding per changed value."""
    frame, found = batch.frame, []
    for field in overrides["field"].unique(maintain_order=True).to_list():
        joined = _override(frame, overrides.filter(pl.col("field") == field), field)
        changed = joined.filter(_HIT).select(
            SOURCE, SOURCE_ID, pl.col(field).alias("before"), pl.col(_NEW).alias("after")
        )
        found.append(changed.with_columns(field=pl.lit(field)))
        value = pl.when(_HIT).then(pl.col(_NEW)).otherwise(pl.col(field))
        frame = joined.with_columns(value.alias(field)).drop(_NEW, _HIT)
    findings = pl.concat(found) if found else pl.DataFrame(schema={SOURCE: pl.String})
    applied = findings.height
    findings = findings.with_columns(
        code=pl.lit(OVERRIDDEN.code),
        rule=pl.lit(OVERRIDDEN.rule),
        severity=pl.lit(OVERRIDDEN.severity),
    )
    matched = overrides.join(batch.frame.select(SOURCE, SOURCE_ID), on=[SOURCE, SOURCE_ID])
    stats = {"applied": applied, "not_found": overrides.height - matched.height}
    batch = batch.with_frame(frame).add_stats("overrides", **stats)
    return batch.add_findings(findings) if applied else batch
