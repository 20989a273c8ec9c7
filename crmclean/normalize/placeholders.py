"""Placeholders (``-``, ``N/A``, ``não informado``, ``00000-000``) emptied in every field, from
the one vocabulary of ``rules/normalize/placeholders.yaml``, with finding TX02.

Only short values are looked at, and values holding an ``@`` only against the patterns (no
word of the vocabulary has one), so the check costs little on columns of distinct e-mails.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.findings import Step, by_rule, concat, pairs
from crmclean.normalize.spec import load_spec
from crmclean.normalize.text import fold, fold_words
from crmclean.rules import Rules

SPEC = "normalize/placeholders.yaml"
RULE = "text.placeholder"


class PlaceholderSpec(BaseModel):
    """The contents of ``rules/normalize/placeholders.yaml``."""

    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(default_factory=list)
    fields: dict[str, list[str]] = Field(default_factory=dict)
    patterns: list[str] = Field(default_factory=list)
    field_patterns: dict[str, list[str]] = Field(default_factory=dict)
    skip_types: list[str] = Field(default_factory=list)
    max_length: int = 40


def load(rules: Rules) -> PlaceholderSpec:
    """The placeholder vocabulary of a run."""
    return load_spec(rules, SPEC, PlaceholderSpec)


def checked_fields(rules: Rules, spec: PlaceholderSpec) -> list[str]:
    """The model fields whose type is not skipped."""
    return [n for n, f in rules.model.fields.items() if f.type not in spec.skip_types]


def is_placeholder(value: pl.Expr, words: list[str], patterns: list[str]) -> pl.Expr:
    """True for a placeholder: a folded word of ``words`` (or nothing but punctuation), or
    a match of one of ``patterns``."""
    folded = fold(value, " ")
    worded = ~value.str.contains("@", literal=True) & (folded.is_in(words) | (folded == ""))
    shaped = value.str.strip_chars().str.contains("|".join(f"(?:{p})" for p in patterns))
    return worded | shaped if patterns else worded


def _emptied(frame: pl.DataFrame, field: str, spec: PlaceholderSpec) -> pl.Series | None:
    """``field`` with its placeholders emptied; None when it has none."""
    value = pl.col(field)
    short = (value.str.len_chars() <= spec.max_length).fill_null(False)
    rows = frame.select(short.arg_true())[field]
    if rows.is_empty():
        return None
    words = fold_words([*spec.words, *spec.fields.get(field, [])], " ")
    patterns = [*spec.patterns, *spec.field_patterns.get(field, [])]
    candidates = frame[field].gather(rows).to_frame()
    hits = candidates.select(is_placeholder(value, words, patterns).alias("hit"))["hit"]
    found = rows.filter(hits)
    if found.is_empty():
        return None
    return frame[field].scatter(found, pl.Series([None] * len(found), dtype=pl.String))


def drop_placeholders(frame: pl.DataFrame, rules: Rules, fields: Sequence[str] = ()) -> Step:
    """The placeholders of ``fields`` (default: every checked field) emptied, a TX02 each."""
    spec = load(rules)
    names = [f for f in (fields or checked_fields(rules, spec)) if f in frame.columns]
    after = {f: column for f in names if (column := _emptied(frame, f, spec)) is not None}
    rule = pl.when(pl.col("before").is_not_null() & pl.col("after").is_null())
    findings = [
        by_rule(pairs(frame, pl.col(f), column), f, rule.then(pl.lit(RULE)))
        for f, column in after.items()
    ]
    return Step(frame.with_columns(**after), concat(findings))
