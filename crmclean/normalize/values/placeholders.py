"""Placeholders (``-``, ``N/A``, ``não informado``, ``00000-000``) emptied in every field, from
the one vocabulary of ``rules/normalize/placeholders.yaml``, with finding TX02.

Only short values are looked at (the distinct ones when they repeat), and values holding an
``@`` only against the patterns (no word of the vocabulary has one), so the check costs little
on columns of distinct e-mails.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.distinct import repeats
from crmclean.normalize.findings import Step, by_rule, concat, pairs
from crmclean.normalize.spec import load_spec
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
    max_length: int = 24


def load(rules: Rules) -> PlaceholderSpec:
    """The placeholder vocabulary of a run."""
    return load_spec(rules, SPEC, PlaceholderSpec)


def checked_fields(rules: Rules, spec: PlaceholderSpec) -> list[str]:
    """The model fields whose type is not skipped."""
    return [n for n, f in rules.model.fields.items() if f.type not in spec.skip_types]


_ACCENTED = list("áàâãäéèêëíìîïóòôõöúùûüçñ")
_PLAIN = list("aaaaaeeeeiiiiooooouuuucn")


def key(value: pl.Expr) -> pl.Expr:
    """How a value is looked up: lower case, common accents off, runs of anything but letters
    and digits one space ("N/A" -> "n a", "Não Informado" -> "nao informado")."""
    lower = value.str.to_lowercase().str.replace_many(_ACCENTED, _PLAIN)
    return lower.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars(" ")


def vocabulary(spec: PlaceholderSpec, field: str) -> list[str]:
    """The keys of the words of ``field``."""
    words = pl.Series("w", [*spec.words, *spec.fields.get(field, [])], dtype=pl.String)
    return words.to_frame().select(key(pl.col("w")))["w"].unique().to_list()


def placeholders(values: pl.Series, words: list[str], patterns: list[str], limit: int) -> pl.Series:
    """The values (of ``limit`` characters or less) that are placeholders: nothing but
    punctuation, a word of ``words`` (as :func:`key` gives it; each has a letter and none an
    ``@``), or a match of one of ``patterns``. Keys are computed only for the values that
    could be words."""
    value = pl.col("v")
    short = values.to_frame("v").filter(value.str.len_chars() <= limit)
    bare = short.filter(~value.str.contains(r"[\p{L}\p{N}]"))
    lettered = short.filter(value.str.contains(r"\p{L}") & ~value.str.contains("@", literal=True))
    worded = pl.concat([bare, lettered.filter(key(value).is_in(words))])
    found = [worded["v"]]
    if patterns:
        pattern = "|".join(f"(?:{p})" for p in patterns)
        found.append(short.filter(value.str.strip_chars().str.contains(pattern))["v"])
    return pl.concat(found).unique()


def _emptied(frame: pl.DataFrame, field: str, spec: PlaceholderSpec) -> pl.Series | None:
    """``field`` with its placeholders emptied; None when it has none. Distinct values are
    looked at when they repeat."""
    column = frame[field]
    values = column.drop_nulls()
    if repeats(frame, [field]):
        values = values.unique()
    patterns = [*spec.patterns, *spec.field_patterns.get(field, [])]
    found = placeholders(values, vocabulary(spec, field), patterns, spec.max_length)
    if found.is_empty():
        return None
    hit = column.is_in(found.implode()).fill_null(False)
    return column.zip_with(
        ~hit, pl.Series([None], dtype=pl.String).extend_constant(None, len(column) - 1)
    )


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
