"""Survivorship rules: which value of a cluster becomes the golden record's, field by field.

Strategies (``survivorship`` in ``match.yaml``), over the cluster's records ordered newest
first (``coalesce(updated_at, created_at, last_activity_at)``), ties in source order:

- ``most_recent``: the newest non-empty value (the default);
- ``most_complete``: the longest value, the newest among equals;
- ``most_frequent``: the value most records agree on, the newest among equals;
- ``source_priority``: the value of the most trusted source (``source_priority``, file stems
  in order), the newest within a source; sources not listed come last;
- ``earliest`` / ``latest``: the smallest / largest value (dates);
- ``valid_only``: the newest value that normalize raised no warning or error about (an
  undeliverable e-mail domain, an unknown country kept as typed); the newest of all when every
  value was flagged (or no findings are at hand).
"""

from __future__ import annotations

from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from crmclean.batch import GOLDEN_ID, SOURCE

Strategy = Literal[
    "most_recent",
    "most_complete",
    "most_frequent",
    "source_priority",
    "earliest",
    "latest",
    "valid_only",
]
RANK = "_rank_"
FLAGGED = "_flagged_"  # + field: the record's value has a warning or error finding
_POSITIONS = 2**32  # a preference outweighs any record position


class Survivorship(BaseModel):
    """The strategy per field, the default for the others, and the sources' trust order."""

    model_config = ConfigDict(extra="forbid")

    default: Strategy = "most_recent"
    fields: dict[str, Strategy] = {
        "created_at": "earliest",
        "updated_at": "latest",
        "last_activity_at": "latest",
    }
    source_priority: list[str] = []

    def strategy(self, field: str) -> Strategy:
        return self.fields.get(field, self.default)


def _rank(field: str, strategy: Strategy, rules: Survivorship) -> pl.Expr | None:
    """A per-record preference for the strategies that need one (smaller first)."""
    column = pl.col(field)
    if strategy == "most_complete":
        return -column.cast(pl.String).str.len_chars().cast(pl.Int64)
    if strategy == "most_frequent":
        return -pl.len().over(GOLDEN_ID, field).cast(pl.Int64)
    if strategy == "valid_only":
        return pl.col(FLAGGED + field).fill_null(False).cast(pl.Int64)
    if strategy == "source_priority":
        order = {source: index for index, source in enumerate(rules.source_priority)}
        return pl.col(SOURCE).replace_strict(order, default=len(order), return_dtype=pl.Int64)
    return None


def flagged_fields(fields: list[str], rules: Survivorship) -> list[str]:
    """The fields whose strategy needs to know which values were flagged."""
    return [field for field in fields if rules.strategy(field) == "valid_only"]


def with_ranks(frame: pl.DataFrame, fields: list[str], rules: Survivorship) -> pl.DataFrame:
    """``frame`` (newest first) plus, for every field whose strategy ranks values, a sort key:
    the preference, then the record's position; null where the field is empty."""
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    ranks = [
        pl.when(pl.col(field).is_not_null()).then(rank * _POSITIONS + position).alias(RANK + field)
        for field in fields
        if (rank := _rank(field, rules.strategy(field), rules)) is not None
    ]
    return frame.with_columns(ranks)


def survivor(field: str, rules: Survivorship) -> pl.Expr:
    """The aggregation picking ``field``'s surviving value (records already newest first)."""
    column = pl.col(field)
    strategy = rules.strategy(field)
    if strategy == "earliest":
        return column.min()
    if strategy == "latest":
        return column.max()
    if strategy == "most_recent":
        return column.first(ignore_nulls=True)
    return column.min_by(RANK + field).alias(field)
