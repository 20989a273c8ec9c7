"""The golden record a merge of the pair would make, by the survivorship rules of
``match.yaml`` (:func:`crmclean.dedupe.merge.golden_records`, the code the run merges with),
with the reviewer's per-field picks overriding which record's value wins."""

from __future__ import annotations

from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.merge import golden_records

PREVIEW = "preview"


def serious_findings(findings: pl.DataFrame) -> pl.DataFrame:
    """The findings ``valid_only`` survivorship looks at (warnings and errors), kept once."""
    return findings.filter(pl.col("severity").is_in(["warning", "error"]))


def golden_preview(
    records: pl.DataFrame,
    fields: list[str],
    config: MatchConfig,
    findings: pl.DataFrame,
    picks: dict[str, str],
) -> list[dict[str, Any]]:
    """Per field the surviving value and where it comes from (``a``, ``b``, ``both``), the
    fields in ``picks`` (``a`` or ``b``) taken from that record."""
    pair = records.with_columns(pl.lit(PREVIEW).alias(GOLDEN_ID))
    own = findings.join(pair.select(SOURCE, SOURCE_ID), on=[SOURCE, SOURCE_ID], how="semi")
    merged = golden_records(pair, fields, config.survivorship, own)
    golden = merged.select(pl.col(field).cast(pl.String) for field in fields).row(0, named=True)
    text = records.select(pl.col(field).cast(pl.String) for field in fields)
    rows = []
    for field in fields:
        a, b = text[field].to_list()
        pick = picks.get(field)
        value = {"a": a, "b": b}[pick] if pick in ("a", "b") else golden[field]
        if value is None and a is None and b is None:
            continue
        origin = "both" if a == b else "a" if value == a else "b" if value == b else ""
        rows.append({"field": field, "value": value, "from": origin, "picked": pick or ""})
    return rows
