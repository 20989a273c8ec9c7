"""Why a golden record holds each of its values: per field, every candidate value of its
records (with the records that hold it) and the reason the winner won (``dedupe explain``)."""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.merge import golden_records, newest_first
from crmclean.dedupe.survivorship import (
    EMAIL_CLASS,
    FLAGGED,
    Survivorship,
    flagged_fields,
    survivor,
    with_ranks,
)
from crmclean.dedupe.written import folded

_STRATEGY = {
    "most_recent": "the newest record with a value",
    "most_complete": "the longest value",
    "most_frequent": "the value most records hold",
    "source_priority": "from the most trusted source (source_priority)",
    "earliest": "the earliest value",
    "latest": "the latest value",
    "valid_only": "the newest value normalize raised no warning about",
}
_CLASS = ("a personal address", "a role or shared address", "a misspelled free-mail address")
SCHEMA = {"field": pl.String, "value": pl.String, "records": pl.String, "won": pl.Boolean,
          "why": pl.String}  # fmt: skip


def _candidates(records: pl.DataFrame, field: str) -> pl.DataFrame:
    """``value, records``: each distinct value and the records holding it, newest first."""
    where = pl.format("{}:{}", SOURCE, SOURCE_ID).alias("where")
    values = records.select(pl.col(field).cast(pl.String).alias("value"), where)
    grouped = values.drop_nulls("value").group_by("value", maintain_order=True)
    return grouped.agg(pl.col("where").str.join(", ").alias("records"))


def _email_reason(won: str, ranked: pl.DataFrame) -> str | None:
    """``won``'s class when the cluster's addresses are of several classes."""
    classes = ranked.select("email", EMAIL_CLASS).drop_nulls("email")
    if classes[EMAIL_CLASS].n_unique() < 2:
        return None
    mine = classes.filter(pl.col("email") == won)[EMAIL_CLASS].min()
    return f"{_CLASS[int(mine)]} comes first" if isinstance(mine, int) else None


def _same_text(one: str, other: str) -> bool:
    """Whether two values fold to the same text (one is a better spelling of the other)."""
    texts = pl.Series([one, other]).to_frame("t").select(folded(pl.col("t")))["t"]
    return texts[0] == texts[1]


def _why(
    field: str, won: str, picked: str | None, ranked: pl.DataFrame, rules: Survivorship
) -> str:
    """Why ``won`` survived: the e-mail class, the strategy, and a better-written form."""
    if ranked.height == 1:
        return "the golden record's only record"
    if ranked[field].drop_nulls().n_unique() == 1:
        return "every record with a value agrees"
    reasons = [_STRATEGY[rules.strategy(field)]]
    if field == "email" and (first := _email_reason(won, ranked)):
        reasons.insert(0, first)
    if picked is not None and picked != won and _same_text(picked, won):
        reasons.append(f"the best-written form of '{picked}' (accents, case, completeness)")
    return "; ".join(reasons)


def explain_golden(
    frame: pl.DataFrame,
    golden_id: str,
    fields: list[str],
    rules: Survivorship,
    golden: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``field, value, records, won, why`` for every field of ``golden_id`` with a value, its
    candidates in the order of its records (newest first); empty for an unknown id. The
    winners are ``golden``'s row (the run's golden records), else worked out again."""
    records = newest_first(frame.filter(pl.col(GOLDEN_ID) == golden_id))
    if records.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    built = golden if golden is not None else golden_records(records, fields, rules)
    winners = built.filter(pl.col(GOLDEN_ID) == golden_id).row(0, named=True)
    unflagged = [pl.lit(False).alias(FLAGGED + f) for f in flagged_fields(fields, rules)]
    ranked = with_ranks(records.with_columns(unflagged), fields, rules)
    picked = ranked.select(survivor(f, rules).cast(pl.String) for f in fields).row(0, named=True)
    rows = []
    for field in fields:
        won = None if winners[field] is None else str(winners[field])
        for value, where in _candidates(records, field).iter_rows():
            why = ""
            if won is not None and value == won:
                why = _why(field, won, picked[field], ranked, rules)
            rows.append({"field": field, "value": value, "records": where, "won": value == won,
                         "why": why})  # fmt: skip
    return pl.DataFrame(rows, schema=SCHEMA)
