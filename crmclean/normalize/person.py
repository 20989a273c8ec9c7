"""The name columns of a record: recase each, split a lone full name, fill a missing one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import polars as pl

from crmclean.normalize.distinct import map_distinct
from crmclean.normalize.findings import AFTER, BEFORE, Step, by_rule, changed, concat, pairs
from crmclean.normalize.names import NameRules, recase, split_full
from crmclean.rules import Rules

FIRST, MIDDLE, LAST, FULL = "first_name", "middle_name", "last_name", "full_name"
NAME_FIELDS = (FULL, FIRST, MIDDLE, LAST)
SPLIT_SCHEMA: dict[str, pl.DataType] = {FIRST: pl.String(), LAST: pl.String(), FULL: pl.String()}


def normalize_names(frame: pl.DataFrame, rules: Rules, fields: Sequence[str] = NAME_FIELDS) -> Step:
    """Recase ``fields``, split ``full_name`` when it is the only name, fill ``full_name``."""
    vocab = NameRules.load(rules)
    recased = _recase(frame, fields, vocab)
    if not {FIRST, LAST, FULL} <= set(frame.columns):
        return recased
    split = _split(recased.frame, vocab)
    filled = _fill(split.frame)
    return Step(filled.frame, concat([recased.findings, split.findings, filled.findings]))


def _recase(frame: pl.DataFrame, fields: Sequence[str], vocab: NameRules) -> Step:
    def one(value: str) -> tuple[str]:
        return (recase(value, vocab),)

    after = {f: map_distinct(frame, [f], one, {f: pl.String()})[f] for f in fields}
    rule = pl.when(changed()).then(pl.lit("name.recased"))
    findings = [by_rule(pairs(frame, pl.col(f), after[f]), f, rule) for f in fields]
    return Step(frame.with_columns(**after), concat(findings))


def _split(frame: pl.DataFrame, vocab: NameRules) -> Step:
    """Where only ``full_name`` is given: first and last from it (and natural order)."""
    alone = pl.col(FIRST).is_null() & pl.col(LAST).is_null()
    subset = frame.select(pl.when(alone).then(pl.col(FULL)).alias(FULL))
    parts = map_distinct(subset, [FULL], partial(split_full, vocab=vocab), SPLIT_SCHEMA)
    updated = frame.with_columns(pl.coalesce(parts[f], pl.col(f)).alias(f) for f in SPLIT_SCHEMA)
    was_split = pl.lit(parts[FULL].is_not_null())
    taken = pl.when(was_split & AFTER.is_not_null()).then(pl.lit("name.split_full_name"))
    findings = [by_rule(pairs(frame, pl.col(FULL), updated[f]), f, taken) for f in (FIRST, LAST)]
    reordered = pl.when(changed()).then(pl.lit("name.reordered"))
    findings.append(by_rule(pairs(frame, pl.col(FULL), updated[FULL]), FULL, reordered))
    return Step(updated, concat(findings))


def _fill(frame: pl.DataFrame) -> Step:
    """An empty ``full_name`` becomes "first middle last"."""
    names = (pl.col(FIRST), pl.col(MIDDLE), pl.col(LAST))
    built = pl.concat_str(names, separator=" ", ignore_nulls=True)
    after = pl.coalesce(pl.col(FULL), pl.when(built != "").then(built))
    both = pairs(frame, pl.col(FULL), after)
    rule = pl.when(BEFORE.is_null() & AFTER.is_not_null()).then(pl.lit("name.filled_full_name"))
    return Step(frame.with_columns(both["after"].alias(FULL)), by_rule(both, FULL, rule))
