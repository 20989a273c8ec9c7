"""The golden record a merge of the pair would make, by the survivorship rules of
``match.yaml`` (:func:`crmclean.dedupe.merge.golden_records`, the code the run merges with),
with the reviewer's per-field picks overriding which record's value wins.

Survivorship is a frame-wide pass whose cost hardly depends on how many clusters it merges
(about 30 ms for one pair or for 64 at 100,000 records): :func:`survivors` merges many pairs
at once, each pair a golden id of its own, so a session computes the previews of the next
pairs in the queue together, and :func:`golden_preview` only applies the picks.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.merge import golden_records

Key = tuple[int, int]  # a pair by its records' rows (left, right)
Survived = dict[str, str | None]  # field: the value that survives, as text
_RECORD = "_record_"


def serious_findings(findings: pl.DataFrame) -> pl.DataFrame:
    """The findings ``valid_only`` survivorship looks at (warnings and errors), kept once."""
    return findings.filter(pl.col("severity").is_in(["warning", "error"]))


def survivors(
    frame: pl.DataFrame,
    pairs: list[Key],
    fields: list[str],
    config: MatchConfig,
    findings: pl.DataFrame,
) -> dict[Key, Survived]:
    """Per pair of ``frame``'s rows, the surviving value of every field if the two records
    merged: one survivorship pass over all ``pairs``, each its own golden id (``left`` first,
    as a pair merged alone)."""
    keys = pl.DataFrame(pairs, schema=[LEFT, RIGHT], orient="row")
    rows = keys.select(
        pl.concat_list(LEFT, RIGHT).alias(_RECORD),
        pl.format("{}-{}", LEFT, RIGHT).alias(GOLDEN_ID),
    ).explode(_RECORD)
    records = frame.drop(GOLDEN_ID)[rows[_RECORD]].with_columns(rows[GOLDEN_ID])
    own = findings.join(records.select(SOURCE, SOURCE_ID), on=[SOURCE, SOURCE_ID], how="semi")
    golden = golden_records(records, fields, config.survivorship, own)
    text = golden.select(GOLDEN_ID, *(pl.col(field).cast(pl.String) for field in fields))
    by_id = {row.pop(GOLDEN_ID): row for row in text.iter_rows(named=True)}
    return {pair: by_id[f"{pair[0]}-{pair[1]}"] for pair in pairs}


def golden_preview(
    records: pl.DataFrame, fields: list[str], survived: Survived, picks: dict[str, str]
) -> list[dict[str, Any]]:
    """Per field of the pair's two ``records`` the value that survives (``survived``, from
    :func:`survivors`) and where it comes from (``a``, ``b``, ``both``), the fields in
    ``picks`` (``a`` or ``b``) taken from that record."""
    text = records.select(pl.col(field).cast(pl.String) for field in fields)
    rows = []
    for field in fields:
        a, b = text[field].to_list()
        pick = picks.get(field)
        value = {"a": a, "b": b}[pick] if pick in ("a", "b") else survived[field]
        if value is None and a is None and b is None:
            continue
        origin = "both" if a == b else "a" if value == a else "b" if value == b else ""
        rows.append({"field": field, "value": value, "from": origin, "picked": pick or ""})
    return rows
