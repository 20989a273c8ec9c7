"""Small frames for the normalize tests."""

from __future__ import annotations

import json

import polars as pl

from crmclean.rules import Rules

LINEAGE_SCHEMA = {
    "_source": pl.String,
    "_source_id": pl.String,
    "_row": pl.Int64,
    "_raw": pl.String,
}


def frame(source: str = "crm", **columns: list[str | None]) -> pl.DataFrame:
    """Lineage (``_source_id`` "1".."n") plus the given text columns."""
    height = len(next(iter(columns.values())))
    lineage = {"_source": [source] * height, "_source_id": [str(i + 1) for i in range(height)]}
    return pl.DataFrame({**lineage, **columns}, schema_overrides=dict.fromkeys(columns, pl.String))


def mapped(rules: Rules, records: list[dict[str, str]], source: str = "crm") -> pl.DataFrame:
    """A frame as the map stage leaves it: lineage, every model field, ``extra``."""
    names = rules.model.names
    rows = [
        {
            "_source": source,
            "_source_id": str(number),
            "_row": number,
            "_raw": json.dumps(record),
            **{name: record.get(name) for name in names},
            "extra": None,
        }
        for number, record in enumerate(records, start=1)
    ]
    schema = {**LINEAGE_SCHEMA, **dict.fromkeys(names, pl.String), "extra": pl.String}
    return pl.DataFrame(rows, schema=schema)


def found(findings: pl.DataFrame) -> list[tuple[str | None, ...]]:
    """Findings as ``(source_id, field, code, rule, severity, before, after)`` tuples."""
    columns = ["_source_id", "field", "code", "rule", "severity", "before", "after"]
    return sorted(findings.select(columns).iter_rows(), key=lambda row: (row[0], row[1], row[2]))
