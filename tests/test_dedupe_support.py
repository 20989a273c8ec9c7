"""Builders for small normalized frames used by the dedupe tests (no tests here)."""

from __future__ import annotations

from typing import Any

import polars as pl

from crmclean.batch import RAW, ROW, SOURCE, SOURCE_ID
from crmclean.rules import Rules

FIELDS = Rules().model.names
SCHEMA: dict[str, pl.DataType] = {
    SOURCE: pl.String(),
    SOURCE_ID: pl.String(),
    ROW: pl.Int64(),
    RAW: pl.String(),
    **{name: pl.String() for name in FIELDS},
    "email_alt": pl.List(pl.String()),
    "phone_alt": pl.List(pl.String()),
    "extra": pl.String(),
    # derived by normalize for matching (null unless a test sets them)
    "email_key": pl.String(),
    "email_is_role": pl.Boolean(),
    "company_key": pl.String(),
}


def _full_name(record: dict[str, Any]) -> str | None:
    parts = [record.get(part) for part in ("first_name", "middle_name", "last_name")]
    return " ".join(part for part in parts if part) or None


def contacts(*records: dict[str, Any], source: str = "crm") -> pl.DataFrame:
    """A frame as normalize leaves it: the given fields, every other canonical field null.

    ``_source_id`` defaults to the 1-based position and ``full_name`` to first/middle/last.
    """
    rows = [
        {
            SOURCE: source,
            SOURCE_ID: str(number),
            ROW: number,
            RAW: "{}",
            "email_alt": [],
            "phone_alt": [],
            **record,
            "full_name": record.get("full_name") or _full_name(record),
        }
        for number, record in enumerate(records, start=1)
    ]
    return pl.DataFrame(rows, schema=SCHEMA)
