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

Whatever the strategy, the ``email`` field first prefers a personal address over a role or
shared one (``contato@``) over one at a misspelled free-mail domain (the others stay in
``email_alt``), and a text field keeps the best-written of the values that fold to the same text
as the one picked (``Araújo`` over ``Araujo``): :mod:`crmclean.dedupe.written`.
"""

from __future__ import annotations

from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from crmclean.batch import GOLDEN_ID, SOURCE
from crmclean.dedupe.written import best_written, email_class

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
EMAIL_CLASS = "_email_class_"
_POSITIONS = 2**32  # a preference outweighs any record position
_CLASSES = 2**20  # an e-mail class outweighs any strategy's preference
_AS_TYPED = {"email", "record_id"}  # two spellings are two values: no best-written form


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
    # filled from match.yaml's role_email_local_parts and free_email_domains
    role_local_parts: list[str] = []
    free_email_domains: list[str] = []

    def strategy(self, field: str) -> Strategy:
        return self.fields.get(field, self.default)


def _rank(field: str, strategy: Strategy, rules: Survivorship) -> pl.Expr | None:
    """A per-record preference for the fields that need one (smaller first): the e-mail class
    first, then the strategy's."""
    preference = _strategy_rank(field, strategy, rules)
    if field != "email" or strategy in ("earliest", "latest"):
        return preference
    return pl.col(EMAIL_CLASS) * _CLASSES + (0 if preference is None else preference)


def _strategy_rank(field: str, strategy: Strategy, rules: Survivorship) -> pl.Expr | None:
    """The strategy's per-record preference, for the strategies that need one."""
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
    if "email" in fields:
        classes = email_class(frame["email"], rules.role_local_parts, rules.free_email_domains)
        frame = frame.with_columns(classes.alias(EMAIL_CLASS))
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
    if strategy == "most_recent" and field != "email":
        return column.first(ignore_nulls=True)
    return column.min_by(RANK + field).alias(field)


def best_forms(
    records: pl.DataFrame,
    golden: pl.DataFrame,
    fields: list[str],
    rules: Survivorship,
    by: str = GOLDEN_ID,
) -> pl.DataFrame:
    """``golden`` with each text field's survivor replaced by its best-written form among
    ``records`` (newest first) of the same cluster (column ``by`` of both, one value per
    cluster): dates and values kept as typed (``email``) excepted. The fields' columns are
    grouped by cluster once (a stable sort: each cluster's newest first still)."""
    texts = [
        field
        for field in fields
        if records.schema[field] == pl.String
        and field not in _AS_TYPED
        and rules.strategy(field) not in ("earliest", "latest")
    ]
    grouped = records.select(by, *texts).sort(by, maintain_order=True, multithreaded=False)
    for field in texts:
        golden = best_written(grouped, golden, field, by)
    return golden
